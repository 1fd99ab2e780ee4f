import { mean, sum } from './descriptive.ts';
import { randomIndex, seededRandom, seededUint32 } from './random.ts';

export type PermutationOptions = {
  /** Random rearrangements drawn (default 10,000): the p-value's resolution is 1 / (iterations + 1). */
  iterations?: number;
  /** Seeds the generator, so the same samples always give the same p-values (default 1). */
  seed?: number;
  /** `baseline[i]` and `candidate[i]` belong together (the same case): flip signs instead of shuffling labels. */
  paired?: boolean;
};

/** Each p-value is (1 + rearrangements at least as extreme) / (1 + iterations): an estimate, never 0. */
export type PermutationResult = {
  /** One-sided: the candidate's mean is lower than the baseline's. */
  pValue: number;
  /** One-sided the other way: the candidate's mean is higher. */
  pValueHigher: number;
  /** mean(candidate) − mean(baseline). */
  difference: number;
  iterations: number;
};

export const DEFAULT_ITERATIONS = 10_000;

// Sums of the same values in another order differ in their last bits: within this they are a tie.
const TIE = 1e-9;

/**
 * A permutation test for a difference in means: how often a random relabelling of the samples (or,
 * paired, a random swap within each pair) moves the candidate's mean at least as far as observed. Both
 * one-sided p-values come from the same rearrangements.
 */
export function permutationTest(
  baseline: readonly number[],
  candidate: readonly number[],
  options: PermutationOptions = {},
): PermutationResult {
  const { iterations = DEFAULT_ITERATIONS, seed = 1, paired = false } = options;
  if (baseline.length === 0 || candidate.length === 0) throw new RangeError('both samples need a value');
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('iterations must be ≥ 1');
  const { observed, draw } = paired
    ? signFlips(baseline, candidate, seededUint32(seed))
    : labelShuffles(baseline, candidate, seededRandom(seed));
  let lower = 0;
  let higher = 0;
  for (let i = 0; i < iterations; i++) {
    const statistic = draw();
    if (statistic <= observed + TIE) lower++;
    if (statistic >= observed - TIE) higher++;
  }
  return {
    pValue: (1 + lower) / (1 + iterations),
    pValueHigher: (1 + higher) / (1 + iterations),
    difference: mean(candidate) - mean(baseline),
    iterations,
  };
}

/** A statistic that orders rearrangements as the candidate's mean does, and a way to draw one at random. */
type Rearrangements = { observed: number; draw: () => number };

/**
 * Paired: with no real difference, each pair's difference is as likely negative as positive, so the sum of
 * differences is drawn with random signs, 32 signs per random integer. Pairs that tie add nothing whatever
 * their sign: only the others are flipped.
 */
function signFlips(
  baseline: readonly number[],
  candidate: readonly number[],
  randomBits: () => number,
): Rearrangements {
  if (baseline.length !== candidate.length) throw new RangeError('paired samples must be of equal length');
  const differences = baseline
    .map((value, i) => (candidate[i] as number) - value)
    .filter((difference) => Math.abs(difference) > TIE);
  const draw = () => {
    let total = 0;
    let bits = 0;
    for (let i = 0; i < differences.length; i++) {
      if (i % 32 === 0) bits = randomBits();
      total += bits & (1 << (i % 32)) ? (differences[i] as number) : -(differences[i] as number);
    }
    return total;
  };
  return { observed: sum(differences), draw };
}

/**
 * Unpaired: with no real difference, every split of the pooled values into groups of these sizes is as
 * likely. The candidate group's sum orders splits as its mean does; only the smaller group is drawn.
 */
function labelShuffles(
  baseline: readonly number[],
  candidate: readonly number[],
  random: () => number,
): Rearrangements {
  const pooled = [...baseline, ...candidate];
  const pooledSum = sum(pooled);
  const drawCandidate = candidate.length <= baseline.length;
  const drawn = drawCandidate ? candidate.length : baseline.length;
  const draw = () => {
    const drawnSum = drawSum(pooled, drawn, random);
    return drawCandidate ? drawnSum : pooledSum - drawnSum;
  };
  return { observed: sum(candidate), draw };
}

/** The sum of k values drawn without replacement: a partial Fisher–Yates shuffle of `values`, in place. */
function drawSum(values: number[], k: number, random: () => number): number {
  let total = 0;
  for (let j = 0; j < k; j++) {
    const pick = j + randomIndex(random, values.length - j);
    const value = values[pick] as number;
    values[pick] = values[j] as number;
    values[j] = value;
    total += value;
  }
  return total;
}
