import { describe, expect, it } from 'vitest';
import { type CompareRow, compareRuns } from './compare.ts';
import type { CellStatus } from './progress.ts';

type Cell = { status?: CellStatus; score?: number; output?: string | null };

/**
 * One row per case × model × repeat: `cell(caseIndex, model, repeat)` says how that cell went (a pass
 * with score 1 when it returns nothing). Cases are named `case <index>`.
 */
function run(
  cases: number,
  cell: (caseIndex: number, model: string, repeat: number) => Cell | undefined = () => undefined,
  { models = ['echo'], repeats = 1, names = (i: number) => `case ${i}` } = {},
): CompareRow[] {
  const rows: CompareRow[] = [];
  for (let caseIndex = 0; caseIndex < cases; caseIndex++) {
    for (const model of models) {
      for (let repeat = 0; repeat < repeats; repeat++) {
        const {
          status = 'pass',
          score = status === 'pass' ? 1 : 0,
          output = `out ${caseIndex}`,
        } = cell(caseIndex, model, repeat) ?? {};
        rows.push({ caseIndex, caseName: names(caseIndex), model, repeat, status, score, output });
      }
    }
  }
  return rows;
}

const fail: Cell = { status: 'fail' };
const changesOf = (rows: ReturnType<typeof compareRuns>['groups'], change: string) =>
  rows.filter((group) => group.change === change).map((group) => `${group.caseName}/${group.model}`);

describe('compareRuns', () => {
  it('calls a clearly degraded candidate a regression with a small p-value and lists what broke', () => {
    const models = ['echo', 'ollama:llama3.2:3b'];
    const baseline = run(20, undefined, { models });
    const candidate = run(20, (i, model) => (i % 2 === 0 && model === 'echo' ? fail : undefined), { models });
    const comparison = compareRuns(baseline, candidate);
    // Fisher's one-sided p for 40/40 against 30/40 is 0.000515 (fisher.test(matrix(c(40, 30, 0, 10), 2),
    // alternative = "greater")); the permutation test's, ten groups all down, about 2^-10.
    expect(comparison.verdict).toMatchObject({ verdict: 'regression', test: 'fisher', alpha: 0.05 });
    expect(comparison.verdict.pValue).toBeCloseTo(2 * 0.0005148281748755058, 12);
    expect(comparison.verdict.compared).toMatchObject({
      groups: 40,
      baseline: { passed: 40, total: 40 },
      candidate: { passed: 30, total: 40 },
    });
    expect(changesOf(comparison.groups, 'newly-failing')).toEqual(
      [0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => `case ${i}/echo`),
    );
    expect(changesOf(comparison.groups, 'still-passing')).toHaveLength(30);
    expect(comparison.overall.passRateDelta).toBeCloseTo(-0.25, 12);
    expect(comparison.perModel.echo?.passRateDelta).toBeCloseTo(-0.5, 12);
    expect(comparison.perModel['ollama:llama3.2:3b']?.passRateDelta).toBe(0);
  });

  it('calls one flip in 40 cells within noise and still shows its p-value', () => {
    const baseline = run(40);
    const candidate = run(40, (i) => (i === 17 ? fail : undefined));
    const { verdict, groups } = compareRuns(baseline, candidate);
    expect(verdict.verdict).toBe('within-noise');
    // Fisher: 0.5 one-sided; the paired permutation test on one changed group: about 0.5. Doubled: ~1.
    expect(verdict.pValues?.fisher).toBeCloseTo(0.5, 12);
    expect(verdict.pValue).toBeGreaterThan(0.9);
    expect(verdict.reason).toContain('40/40 → 39/40 passed');
    expect(changesOf(groups, 'newly-failing')).toEqual(['case 17/echo']);
  });

  it('decides at the alpha it is given', () => {
    // 6 of 40 flip: Fisher's one-sided p = 0.01277 (R: fisher.test(matrix(c(40, 34, 0, 6), 2),
    // alternative = "greater")), doubled for two tests = 0.0255: significant at 0.05, not at 0.01.
    const baseline = run(40);
    const candidate = run(40, (i) => (i < 6 ? fail : undefined));
    const loose = compareRuns(baseline, candidate).verdict;
    expect(loose).toMatchObject({ verdict: 'regression', test: 'fisher' });
    expect(loose.pValue).toBeCloseTo(2 * 0.012773302646720368, 12);
    expect(compareRuns(baseline, candidate, { alpha: 0.01 }).verdict.verdict).toBe('within-noise');
  });

  it('labels every kind of change per case and model, matching cases by name', () => {
    // The candidate's card inserted "new" at index 0 and dropped "gone": the other cases moved down one.
    const baselineNames = ['steady', 'breaks', 'heals', 'broken', 'drifts', 'gone'];
    const baseline = run(6, (i) => (i === 2 || i === 3 ? fail : undefined), {
      names: (i) => baselineNames[i] as string,
    });
    const candidateNames = ['new', 'steady', 'breaks', 'heals', 'broken', 'drifts'];
    const changed: Record<number, Cell> = {
      2: { status: 'error', output: null },
      4: fail,
      5: { score: 0.8 },
    };
    const candidate = run(6, (i) => changed[i], { names: (i) => candidateNames[i] as string });
    const { groups } = compareRuns(baseline, candidate);
    expect(groups.map((group) => [group.caseName, group.change])).toEqual([
      ['new', 'only-in-candidate'],
      ['steady', 'still-passing'],
      ['breaks', 'newly-failing'],
      ['heals', 'newly-passing'],
      ['broken', 'still-failing'],
      ['drifts', 'score-changed'],
      ['gone', 'only-in-baseline'],
    ]);
    const breaks = groups.find((group) => group.caseName === 'breaks');
    expect(breaks).toMatchObject({
      caseIndex: 2,
      baseline: { passed: 1, errored: 0 },
      candidate: { passed: 0, errored: 1 },
      meanScoreDelta: -1,
      baselineOutput: 'out 1',
      candidateOutput: null,
    });
    const drifts = groups.find((group) => group.caseName === 'drifts');
    expect(drifts?.meanScoreDelta).toBeCloseTo(-0.2, 12);
    expect(groups.find((group) => group.caseName === 'gone')).toMatchObject({
      candidate: null,
      passRateDelta: null,
    });
  });

  it('shows the output of a failing repeat when a group has one', () => {
    const baseline = run(1, undefined, { repeats: 3 });
    const candidate = run(1, (_, __, repeat) => (repeat === 1 ? { ...fail, output: 'wrong' } : undefined), {
      repeats: 3,
    });
    const [group] = compareRuns(baseline, candidate).groups;
    expect(group).toMatchObject({
      change: 'newly-failing',
      baselineOutput: 'out 0',
      candidateOutput: 'wrong',
    });
  });

  it('calls a clearly better candidate an improvement', () => {
    const baseline = run(30, (i) => (i % 3 === 0 ? undefined : fail));
    const candidate = run(30);
    const { verdict, groups } = compareRuns(baseline, candidate);
    expect(verdict.verdict).toBe('improvement');
    expect(verdict.pValue).toBeLessThan(0.001);
    expect(changesOf(groups, 'newly-passing')).toHaveLength(20);
  });

  it('finds a regression in scores alone with the permutation test', () => {
    // Every cell still passes (a case threshold of 0.5, say), but every score fell from 0.9 to 0.6.
    const baseline = run(12, () => ({ score: 0.9 }));
    const candidate = run(12, () => ({ score: 0.6 }));
    const { verdict, groups } = compareRuns(baseline, candidate);
    expect(verdict).toMatchObject({ verdict: 'regression', test: 'permutation' });
    expect(verdict.pValues?.fisher).toBe(1);
    expect(verdict.pValue).toBeLessThan(0.01);
    expect(changesOf(groups, 'score-changed')).toHaveLength(12);
  });

  it('calls identical runs no change, without running a test', () => {
    const rows = run(10, (i) => (i === 3 ? fail : undefined));
    const { verdict } = compareRuns(rows, rows);
    expect(verdict).toMatchObject({ verdict: 'no-change', test: 'none', pValue: null, pValues: null });
  });

  it('reports too little data as such, with the raw change, unless everything broke', () => {
    const few = compareRuns(
      run(3),
      run(3, (i) => (i === 0 ? fail : undefined)),
    ).verdict;
    expect(few).toMatchObject({ verdict: 'insufficient-data', test: 'none', pValue: null });
    expect(few.reason).toContain('3/3 → 2/3 passed');
    const total = compareRuns(
      run(2),
      run(2, () => ({ status: 'error' })),
    ).verdict;
    expect(total).toMatchObject({ verdict: 'regression', test: 'total-drop', pValue: null });
  });

  it('tests a single case when it is repeated', () => {
    const baseline = run(1, undefined, { repeats: 10 });
    const candidate = run(1, () => fail, { repeats: 10 });
    const { verdict } = compareRuns(baseline, candidate);
    // Fisher's one-sided p for 10/10 against 0/10 is 1 / C(20, 10); doubled for two tests.
    expect(verdict).toMatchObject({ verdict: 'regression', test: 'fisher' });
    expect(verdict.pValue).toBeCloseTo(2 / 184_756, 12);
  });

  it('judges only the cases both runs have', () => {
    const baseline = run(10);
    const candidate = [...run(10), ...run(12, () => fail).slice(10)];
    const comparison = compareRuns(baseline, candidate);
    expect(comparison.verdict).toMatchObject({ verdict: 'no-change', compared: { groups: 10 } });
    expect(changesOf(comparison.groups, 'only-in-candidate')).toEqual(['case 10/echo', 'case 11/echo']);
    expect(comparison.overall.candidate).toMatchObject({ passed: 10, total: 12 });
  });

  it('has nothing to judge when no case and model is in both runs', () => {
    const comparison = compareRuns(run(4), run(4, undefined, { models: ['other'] }));
    expect(comparison.verdict).toMatchObject({ verdict: 'insufficient-data', compared: { groups: 0 } });
    expect(comparison.overall.passRateDelta).toBe(0);
    expect(comparison.perModel.echo).toMatchObject({ candidate: null, passRateDelta: null });
  });

  it('gives the same verdict every time for the same rows', () => {
    const baseline = run(16, (i) => ({ score: 0.5 + i / 40 }));
    const candidate = run(16, (i) => ({ score: 0.48 + ((i * 7) % 16) / 40 }));
    expect(compareRuns(baseline, candidate)).toEqual(compareRuns(baseline, candidate));
  });

  it('rejects an alpha outside (0, 1)', () => {
    expect(() => compareRuns([], [], { alpha: 0 })).toThrow(RangeError);
    expect(() => compareRuns([], [], { alpha: 1.5 })).toThrow(RangeError);
  });
});
