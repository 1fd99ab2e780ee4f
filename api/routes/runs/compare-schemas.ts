import Type, { type TSchema } from 'typebox';
import { CHANGE_LABELS, DEFAULT_ALPHA, VERDICT_TESTS, VERDICTS } from '../../../core/run/compare.ts';
import { RunStatus } from './schemas.ts';

const orNull = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const CompareQuery = Type.Object({
  baseline: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        "The id of the run to compare with; by default the run's baseline (the one its stored verdict " +
        "was judged against, else the card's pinned baseline, else the latest completed run of the same " +
        'card version and models before it)',
    }),
  ),
  alpha: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 0.5,
      description: `Significance level of the verdict; by default the stored verdict's when comparing with the baseline it was judged against, else ${DEFAULT_ALPHA}`,
    }),
  ),
});

const SideStats = Type.Object({
  total: Type.Integer(),
  passed: Type.Integer(),
  errored: Type.Integer(),
  passRate: Type.Number({ description: 'passed / total; errors count as not passing' }),
  meanScore: Type.Number(),
});

const RateFields = {
  baseline: orNull(SideStats),
  candidate: orNull(SideStats),
  passRateDelta: orNull(Type.Number({ description: 'candidate − baseline' })),
  meanScoreDelta: orNull(Type.Number({ description: 'candidate − baseline' })),
};

const RateComparison = Type.Object(RateFields);

const GroupComparison = Type.Object(
  {
    caseIndex: Type.Integer({ description: "The case's index in the candidate's card" }),
    caseName: Type.String(),
    model: Type.String(),
    change: Type.Enum([...CHANGE_LABELS]),
    ...RateFields,
    baselineOutput: orNull(Type.String({ description: 'The first failing sample, else the first' })),
    candidateOutput: orNull(Type.String()),
  },
  { description: 'One case on one model, all its repeats, in both runs (matched by case name)' },
);

const Verdict = Type.Object({
  verdict: Type.Enum([...VERDICTS]),
  test: Type.Enum([...VERDICT_TESTS], { description: 'What decided; `none` when no test ran' }),
  pValue: orNull(Type.Number({ description: 'One-sided, doubled for asking two tests' })),
  alpha: Type.Number(),
  pValues: orNull(Type.Object({ fisher: Type.Number(), permutation: Type.Number() })),
  compared: Type.Object(
    { groups: Type.Integer(), baseline: SideStats, candidate: SideStats },
    { description: 'The cells the verdict is about: case × model groups present in both runs' },
  ),
  reason: Type.String(),
});

const RunRef = Type.Object({
  id: Type.String(),
  cardId: Type.String(),
  cardVersionId: Type.Integer(),
  status: RunStatus,
});

export const RunComparisonReply = Type.Object({
  baseline: RunRef,
  candidate: RunRef,
  verdict: Verdict,
  overall: RateComparison,
  perModel: Type.Record(Type.String(), RateComparison),
  groups: Type.Array(GroupComparison, { description: 'Ordered by case index, then model' }),
});
