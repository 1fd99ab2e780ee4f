import Type from 'typebox';
import { VERDICT_TESTS, VERDICTS } from '../../../core/run/compare.ts';

const VerdictCase = Type.Object({ caseName: Type.String(), model: Type.String() });

/** `runs.verdict`: one object whose comparison fields are absent when the verdict is `no-baseline`. */
export const StoredVerdict = Type.Object(
  {
    verdict: Type.Enum([...VERDICTS, 'no-baseline']),
    reason: Type.String(),
    judgedAt: Type.Integer({ description: 'Epoch milliseconds' }),
    baselineRunId: Type.Optional(Type.String({ description: 'The run it was compared with' })),
    pValue: Type.Optional(
      Type.Union([Type.Number(), Type.Null()], { description: 'One-sided, doubled for asking two tests' }),
    ),
    test: Type.Optional(Type.Enum([...VERDICT_TESTS])),
    alpha: Type.Optional(Type.Number()),
    passRate: Type.Optional(
      Type.Object(
        { baseline: Type.Number(), candidate: Type.Number() },
        { description: 'Over the case × model groups present in both runs' },
      ),
    ),
    passRateDelta: Type.Optional(Type.Number({ description: 'candidate − baseline' })),
    newlyFailing: Type.Optional(Type.Array(VerdictCase)),
    newlyPassing: Type.Optional(Type.Array(VerdictCase)),
    scoreChanged: Type.Optional(
      Type.Array(Type.Object({ ...VerdictCase.properties, meanScoreDelta: Type.Number() })),
    ),
  },
  { description: "How the run compares with its card's baseline; stored when a judged run ends" },
);
