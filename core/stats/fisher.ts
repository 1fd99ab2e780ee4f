import { sum } from './descriptive.ts';

// Hand-written rather than a dependency: the npm index has no package for Fisher's exact test, and the
// nearest, @stdlib's hypergeometric CDF, gives only one tail and brings ten more packages. The test is a
// sum of hypergeometric probabilities; computing them in log space keeps tables with thousands of counts
// from overflowing the binomial coefficients.

/** [[a, b], [c, d]]: rows are the two groups (baseline, candidate), columns the outcomes (pass, not pass). */
export type TwoByTwo = readonly [readonly [number, number], readonly [number, number]];

/** One-sided and two-sided p-values, named as R's `fisher.test(alternative = …)` names them. */
export type FisherResult = {
  /** Row 1 has the larger share of column 1 (baseline passes more often than the candidate). */
  greater: number;
  /** Row 1 has the smaller share of column 1 (the candidate passes more often). */
  less: number;
  /** Tables no more likely than the observed one, in either direction. */
  twoSided: number;
};

// R's tolerance: tables whose probability equals the observed one up to rounding count as "as extreme".
const RELATIVE_TIE = 1 + 1e-7;

/** Fisher's exact test of independence on a 2×2 table of non-negative integer counts. */
export function fisherExact(table: TwoByTwo): FisherResult {
  const [[a, b], [c, d]] = table;
  for (const count of [a, b, c, d]) {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`counts must be integers ≥ 0: ${count}`);
  }
  const { lo, weights } = hypergeometricWeights(a + b, c + d, a + c);
  const total = sum(weights);
  const observed = weights[a - lo] as number;
  return {
    greater: clampProbability(sum(weights.slice(a - lo)) / total),
    less: clampProbability(sum(weights.slice(0, a - lo + 1)) / total),
    twoSided: clampProbability(sum(weights.filter((w) => w <= observed * RELATIVE_TIE)) / total),
  };
}

/**
 * The probabilities of every table with these margins, indexed by its top-left count minus `lo`, each
 * divided by the largest so the most likely table weighs 1 and far tails underflow harmlessly to 0.
 */
function hypergeometricWeights(row1: number, row2: number, col1: number): { lo: number; weights: number[] } {
  const lo = Math.max(0, col1 - row2);
  const hi = Math.min(row1, col1);
  const logF = logFactorials(row1 + row2);
  const logWeight = (x: number) =>
    -(logF[x] as number) -
    (logF[row1 - x] as number) -
    (logF[col1 - x] as number) -
    (logF[row2 - col1 + x] as number);
  const logs = Array.from({ length: hi - lo + 1 }, (_, i) => logWeight(lo + i));
  const max = logs.reduce((m, l) => Math.max(m, l), Number.NEGATIVE_INFINITY);
  return { lo, weights: logs.map((l) => Math.exp(l - max)) };
}

/** ln(k!) for k = 0..n, as running sums of ln k: exact enough for p-values and linear in n. */
function logFactorials(n: number): Float64Array {
  const table = new Float64Array(n + 1);
  for (let k = 2; k <= n; k++) table[k] = (table[k - 1] as number) + Math.log(k);
  return table;
}

function clampProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}
