import { describe, expect, it } from 'vitest';
import { type CompareRow, compareRuns } from './compare.ts';
import { isJudgedVerdict, judgedVerdict, noBaselineVerdict } from './run-verdict.ts';

/** One echo cell per case; `failing` lists the cases that fail, `scores` overrides a passing case's score. */
function rows(cases: number, failing: number[], scores: Record<number, number> = {}): CompareRow[] {
  return Array.from({ length: cases }, (_, caseIndex) => {
    const passes = !failing.includes(caseIndex);
    return {
      caseIndex,
      caseName: `case ${caseIndex}`,
      model: 'echo',
      repeat: 0,
      status: passes ? 'pass' : 'fail',
      score: passes ? (scores[caseIndex] ?? 1) : 0,
      output: null,
    };
  });
}

describe('judgedVerdict', () => {
  it('keeps the decision, the pass rates of the compared cells and the changed cases', () => {
    const comparison = compareRuns(rows(12, [11]), rows(12, [0, 1, 2, 3, 4, 5, 6, 7], { 9: 0.5 }));
    const verdict = judgedVerdict(comparison, 'base-run', 1_700_000_000_000);
    expect(verdict).toMatchObject({
      verdict: 'regression',
      baselineRunId: 'base-run',
      test: comparison.verdict.test,
      pValue: comparison.verdict.pValue,
      alpha: 0.05,
      passRate: { baseline: 11 / 12, candidate: 4 / 12 },
      newlyPassing: [{ caseName: 'case 11', model: 'echo' }],
      scoreChanged: [{ caseName: 'case 9', model: 'echo', meanScoreDelta: -0.5 }],
      judgedAt: 1_700_000_000_000,
    });
    expect(verdict.passRateDelta).toBeCloseTo(-7 / 12, 12);
    expect(verdict.newlyFailing.map((c) => c.caseName)).toEqual(
      Array.from({ length: 8 }, (_, i) => `case ${i}`),
    );
    expect(verdict.reason).toBe(comparison.verdict.reason);
    expect(isJudgedVerdict(verdict)).toBe(true);
  });

  it('tells a missing baseline apart from a judged verdict', () => {
    const none = noBaselineVerdict('nothing to compare with', 5);
    expect(none).toEqual({ verdict: 'no-baseline', reason: 'nothing to compare with', judgedAt: 5 });
    expect(isJudgedVerdict(none)).toBe(false);
  });
});
