import type { ChangeLabel, RunComparison, VerdictName, VerdictTest } from './compare.ts';

/** A case on a model, as the verdict lists it. */
export type VerdictCase = { caseName: string; model: string };

/** How a judged run compares with its card's baseline, as stored with the run (`runs.verdict`). */
export type JudgedVerdict = {
  verdict: VerdictName;
  baselineRunId: string;
  pValue: number | null;
  test: VerdictTest;
  alpha: number;
  reason: string;
  /** Pass rates of the cells the verdict is about: case × model groups present in both runs. */
  passRate: { baseline: number; candidate: number };
  /** candidate − baseline, over the same cells. */
  passRateDelta: number;
  newlyFailing: VerdictCase[];
  newlyPassing: VerdictCase[];
  /** Groups that pass in both runs, or fail in both, whose pass rate or mean score moved. */
  scoreChanged: (VerdictCase & { meanScoreDelta: number })[];
  /** Epoch milliseconds. */
  judgedAt: number;
};

export type NoBaselineVerdict = { verdict: 'no-baseline'; reason: string; judgedAt: number };

export type RunVerdict = JudgedVerdict | NoBaselineVerdict;

export type RunVerdictName = RunVerdict['verdict'];

/** The stored verdict of a comparison of the run (candidate) with `baselineRunId`. */
export function judgedVerdict(
  comparison: RunComparison,
  baselineRunId: string,
  judgedAt: number,
): JudgedVerdict {
  const { verdict, test, pValue, alpha, reason, compared } = comparison.verdict;
  const groupsWith = (change: ChangeLabel) => comparison.groups.filter((group) => group.change === change);
  const casesWith = (change: ChangeLabel) =>
    groupsWith(change).map(({ caseName, model }) => ({ caseName, model }));
  return {
    verdict,
    baselineRunId,
    pValue,
    test,
    alpha,
    reason,
    passRate: { baseline: compared.baseline.passRate, candidate: compared.candidate.passRate },
    passRateDelta: compared.candidate.passRate - compared.baseline.passRate,
    newlyFailing: casesWith('newly-failing'),
    newlyPassing: casesWith('newly-passing'),
    scoreChanged: groupsWith('score-changed').map(({ caseName, model, meanScoreDelta }) => ({
      caseName,
      model,
      meanScoreDelta: meanScoreDelta ?? 0,
    })),
    judgedAt,
  };
}

export function noBaselineVerdict(reason: string, judgedAt: number): NoBaselineVerdict {
  return { verdict: 'no-baseline', reason, judgedAt };
}

export function isJudgedVerdict(verdict: RunVerdict): verdict is JudgedVerdict {
  return verdict.verdict !== 'no-baseline';
}
