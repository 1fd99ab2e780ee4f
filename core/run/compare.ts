import { mean } from '../stats/descriptive.ts';
import { fisherExact } from '../stats/fisher.ts';
import { DEFAULT_ITERATIONS, permutationTest } from '../stats/permutation.ts';
import type { CellStatus } from './progress.ts';

/** The fields of a stored result that a comparison reads. */
export type CompareRow = {
  caseIndex: number;
  caseName: string;
  model: string;
  repeat: number;
  status: CellStatus;
  score: number;
  output: string | null;
};

/** Some cells of one run: errors count as not passing. */
export type SideStats = {
  total: number;
  passed: number;
  errored: number;
  /** passed / total, 0 for no cells. */
  passRate: number;
  meanScore: number;
};

/** The same cells in both runs; a side is null when it has none of them, and then so are the deltas. */
export type RateComparison = {
  baseline: SideStats | null;
  candidate: SideStats | null;
  /** candidate − baseline. */
  passRateDelta: number | null;
  meanScoreDelta: number | null;
};

export const CHANGE_LABELS = [
  'newly-failing',
  'newly-passing',
  'still-failing',
  'still-passing',
  'score-changed',
  'only-in-baseline',
  'only-in-candidate',
] as const;

export type ChangeLabel = (typeof CHANGE_LABELS)[number];

/**
 * One case on one model (all its repeats) in both runs. A group passes when every sample passes;
 * `score-changed` is a group that passes in both runs, or fails in both, whose pass rate or mean score moved.
 */
export type GroupComparison = RateComparison & {
  /** The case's index in the candidate's card (the baseline's when the case is only there). */
  caseIndex: number;
  caseName: string;
  model: string;
  change: ChangeLabel;
  /** Per side, the output of the first sample (by repeat) that did not pass, else of the first sample. */
  baselineOutput: string | null;
  candidateOutput: string | null;
};

export const VERDICTS = [
  'regression',
  'within-noise',
  'improvement',
  'no-change',
  'insufficient-data',
] as const;
export type VerdictName = (typeof VERDICTS)[number];

export const VERDICT_TESTS = ['fisher', 'permutation', 'total-drop', 'none'] as const;
export type VerdictTest = (typeof VERDICT_TESTS)[number];

export type Verdict = {
  verdict: VerdictName;
  /** What decided: a statistical test, a total drop on too little data, or nothing (`none`). */
  test: VerdictTest;
  /**
   * The one-sided p-value of the more likely direction (worse for a regression, better for an
   * improvement), doubled because two tests are asked (Bonferroni); null when no test ran.
   */
  pValue: number | null;
  alpha: number;
  /** Both tests' own one-sided p-values in that direction; null when no test ran. */
  pValues: { fisher: number; permutation: number } | null;
  /** The cells the verdict is about: only case × model groups present in both runs. */
  compared: { groups: number; baseline: SideStats; candidate: SideStats };
  reason: string;
};

export type RunComparison = {
  overall: RateComparison;
  perModel: Record<string, RateComparison>;
  /** Ordered by case index, then model. */
  groups: GroupComparison[];
  verdict: Verdict;
};

export type CompareOptions = {
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Iterations of the permutation test (default 10,000). */
  iterations?: number;
  /** Seed of the permutation test, so a comparison always gives the same verdict (default 1). */
  seed?: number;
};

export const DEFAULT_ALPHA = 0.05;

/** With fewer compared cells in a run, and some group sampled fewer than twice, no test is run. */
export const MIN_CELLS_PER_SIDE = 8;
const MIN_SAMPLES_PER_GROUP = 2;
const SAME = 1e-9;

/**
 * Compares a candidate run with a baseline run of the same card.
 *
 * The verdict looks only at case × model groups present in both runs, so adding or removing cases is
 * not a regression:
 * 1. no shared group → `insufficient-data`; no shared group changed → `no-change`;
 * 2. fewer than MIN_CELLS_PER_SIDE cells per side and not every group repeated → no test is trustworthy:
 *    `regression` (test `total-drop`) if nothing passes any more where something did, else
 *    `insufficient-data`;
 * 3. otherwise two one-sided tests: Fisher's exact on pass / not-pass counts and a paired permutation test
 *    on each group's mean score. The smaller p-value, doubled for asking two tests, decides:
 *    below alpha towards worse → `regression`, towards better → `improvement`, else `within-noise`.
 */
export function compareRuns(
  baseline: readonly CompareRow[],
  candidate: readonly CompareRow[],
  options: CompareOptions = {},
): RunComparison {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be between 0 and 1, not ${alpha}`);
  const groups = groupRows(baseline, candidate);
  const settings = { alpha, iterations: options.iterations ?? DEFAULT_ITERATIONS, seed: options.seed ?? 1 };
  return {
    overall: compareRates(baseline, candidate),
    perModel: compareModels(baseline, candidate),
    groups: groups.map(compareGroup),
    verdict: decideVerdict(
      groups.filter((group) => group.baseline.length > 0 && group.candidate.length > 0),
      settings,
    ),
  };
}

type GroupRows = { caseName: string; model: string; baseline: CompareRow[]; candidate: CompareRow[] };

/** Rows by case name and model (names are unique within a card; indices move when cases are added). */
function groupRows(baseline: readonly CompareRow[], candidate: readonly CompareRow[]): GroupRows[] {
  const groups = new Map<string, GroupRows>();
  const add = (row: CompareRow, side: 'baseline' | 'candidate') => {
    const key = JSON.stringify([row.caseName, row.model]);
    let group = groups.get(key);
    if (!group) {
      group = { caseName: row.caseName, model: row.model, baseline: [], candidate: [] };
      groups.set(key, group);
    }
    group[side].push(row);
  };
  for (const row of baseline) add(row, 'baseline');
  for (const row of candidate) add(row, 'candidate');
  return [...groups.values()].sort(
    (a, b) => caseIndexOf(a) - caseIndexOf(b) || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0),
  );
}

function caseIndexOf(group: GroupRows): number {
  return ((group.candidate[0] ?? group.baseline[0]) as CompareRow).caseIndex;
}

function compareGroup(group: GroupRows): GroupComparison {
  const rates = compareRates(group.baseline, group.candidate);
  return {
    caseIndex: caseIndexOf(group),
    caseName: group.caseName,
    model: group.model,
    change: changeLabel(rates),
    ...rates,
    baselineOutput: exampleOutput(group.baseline),
    candidateOutput: exampleOutput(group.candidate),
  };
}

function changeLabel({ baseline, candidate }: RateComparison): ChangeLabel {
  if (!candidate) return 'only-in-baseline';
  if (!baseline) return 'only-in-candidate';
  const wasPassing = baseline.passed === baseline.total;
  const isPassing = candidate.passed === candidate.total;
  if (wasPassing && !isPassing) return 'newly-failing';
  if (!wasPassing && isPassing) return 'newly-passing';
  const moved =
    Math.abs(candidate.passRate - baseline.passRate) > SAME ||
    Math.abs(candidate.meanScore - baseline.meanScore) > SAME;
  if (moved) return 'score-changed';
  return isPassing ? 'still-passing' : 'still-failing';
}

function exampleOutput(rows: readonly CompareRow[]): string | null {
  const byRepeat = [...rows].sort((a, b) => a.repeat - b.repeat);
  return (byRepeat.find((row) => row.status !== 'pass') ?? byRepeat[0])?.output ?? null;
}

function compareRates(baseline: readonly CompareRow[], candidate: readonly CompareRow[]): RateComparison {
  const b = baseline.length > 0 ? sideStats(baseline) : null;
  const c = candidate.length > 0 ? sideStats(candidate) : null;
  return {
    baseline: b,
    candidate: c,
    passRateDelta: b && c ? c.passRate - b.passRate : null,
    meanScoreDelta: b && c ? c.meanScore - b.meanScore : null,
  };
}

function compareModels(
  baseline: readonly CompareRow[],
  candidate: readonly CompareRow[],
): Record<string, RateComparison> {
  const models = [...new Set([...baseline, ...candidate].map((row) => row.model))].sort();
  const ofModel = (rows: readonly CompareRow[], model: string) => rows.filter((row) => row.model === model);
  return Object.fromEntries(
    models.map((model) => [model, compareRates(ofModel(baseline, model), ofModel(candidate, model))]),
  );
}

function sideStats(rows: readonly CompareRow[]): SideStats {
  const passed = rows.filter((row) => row.status === 'pass').length;
  return {
    total: rows.length,
    passed,
    errored: rows.filter((row) => row.status === 'error').length,
    passRate: rows.length > 0 ? passed / rows.length : 0,
    meanScore: mean(rows.map((row) => row.score)),
  };
}

type VerdictSettings = { alpha: number; iterations: number; seed: number };

function decideVerdict(shared: readonly GroupRows[], settings: VerdictSettings): Verdict {
  const baseline = sideStats(shared.flatMap((group) => group.baseline));
  const candidate = sideStats(shared.flatMap((group) => group.candidate));
  const compared = { groups: shared.length, baseline, candidate };
  const untested = (verdict: VerdictName, reason: string, test: VerdictTest = 'none'): Verdict => ({
    verdict,
    test,
    pValue: null,
    alpha: settings.alpha,
    pValues: null,
    compared,
    reason,
  });
  const change = describeChange(baseline, candidate);
  if (shared.length === 0) return untested('insufficient-data', 'No case and model was run in both runs.');
  if (shared.every(isUnchanged)) return untested('no-change', `No shared case and model changed: ${change}.`);
  if (enoughData(shared, baseline, candidate)) return testedVerdict(compared, shared, settings, change);
  if (baseline.passed > 0 && candidate.passed === 0) {
    return untested('regression', `Nothing passes any more: ${change}.`, 'total-drop');
  }
  const needed = `${MIN_CELLS_PER_SIDE} cells per run or ${MIN_SAMPLES_PER_GROUP} repeats of every case`;
  return untested('insufficient-data', `Too few cells to test (fewer than ${needed}): ${change}.`);
}

function isUnchanged(group: GroupRows): boolean {
  const change = changeLabel(compareRates(group.baseline, group.candidate));
  return change === 'still-passing' || change === 'still-failing';
}

function enoughData(shared: readonly GroupRows[], baseline: SideStats, candidate: SideStats): boolean {
  if (baseline.total >= MIN_CELLS_PER_SIDE && candidate.total >= MIN_CELLS_PER_SIDE) return true;
  return shared.every(
    (group) =>
      group.baseline.length >= MIN_SAMPLES_PER_GROUP && group.candidate.length >= MIN_SAMPLES_PER_GROUP,
  );
}

function testedVerdict(
  compared: Verdict['compared'],
  shared: readonly GroupRows[],
  settings: VerdictSettings,
  change: string,
): Verdict {
  const { baseline, candidate } = compared;
  const fisher = fisherExact([
    [baseline.passed, baseline.total - baseline.passed],
    [candidate.passed, candidate.total - candidate.passed],
  ]);
  const scores = permutationTest(
    shared.map((group) => mean(group.baseline.map((row) => row.score))),
    shared.map((group) => mean(group.candidate.map((row) => row.score))),
    { iterations: settings.iterations, seed: settings.seed, paired: true },
  );
  const worse = adjusted({ fisher: fisher.greater, permutation: scores.pValue });
  const better = adjusted({ fisher: fisher.less, permutation: scores.pValueHigher });
  const [verdict, decided]: [VerdictName, Adjusted] =
    worse.pValue < settings.alpha
      ? ['regression', worse]
      : better.pValue < settings.alpha
        ? ['improvement', better]
        : ['within-noise', worse.pValue <= better.pValue ? worse : better];
  const comparison = decided.pValue < settings.alpha ? '<' : '≥';
  return {
    verdict,
    ...decided,
    alpha: settings.alpha,
    compared,
    reason: `${change}: p = ${formatP(decided.pValue)} (${decided.test}, one-sided, ×2 for two tests) ${comparison} alpha ${settings.alpha}.`,
  };
}

type Adjusted = {
  test: 'fisher' | 'permutation';
  pValue: number;
  pValues: { fisher: number; permutation: number };
};

/** The smaller p-value of the two tests, Bonferroni-adjusted for having asked both. */
function adjusted(pValues: { fisher: number; permutation: number }): Adjusted {
  const test = pValues.fisher <= pValues.permutation ? 'fisher' : 'permutation';
  return { test, pValue: Math.min(1, 2 * pValues[test]), pValues };
}

function describeChange(baseline: SideStats, candidate: SideStats): string {
  const score = (side: SideStats) => side.meanScore.toFixed(3);
  return (
    `${baseline.passed}/${baseline.total} → ${candidate.passed}/${candidate.total} passed, ` +
    `mean score ${score(baseline)} → ${score(candidate)}`
  );
}

function formatP(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}
