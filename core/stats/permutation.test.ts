import { describe, expect, it } from 'vitest';
import { permutationTest } from './permutation.ts';
import { seededRandom } from './random.ts';

/** n scores drawn uniformly from [low, high) with a fixed seed. */
function scores(n: number, low: number, high: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => low + (high - low) * random());
}

describe('permutationTest', () => {
  const baseline = scores(30, 0.6, 1, 11);

  it('finds no evidence when the candidate equals the baseline', () => {
    for (const paired of [false, true]) {
      const result = permutationTest(baseline, [...baseline], { paired });
      expect(result.difference).toBe(0);
      expect(result.pValue).toBeGreaterThanOrEqual(0.4);
      expect(result.pValueHigher).toBeGreaterThanOrEqual(0.4);
    }
  });

  it('gives exactly 1 for paired samples that never differ', () => {
    const result = permutationTest(baseline, [...baseline], { paired: true, iterations: 500 });
    expect([result.pValue, result.pValueHigher]).toEqual([1, 1]);
  });

  it('finds clearly lower candidate scores significant, paired or not', () => {
    const candidate = baseline.map((score) => score - 0.4);
    for (const paired of [false, true]) {
      const result = permutationTest(baseline, candidate, { paired });
      expect(result.difference).toBeCloseTo(-0.4, 12);
      expect(result.pValue).toBeLessThan(0.01);
    }
  });

  it('is one-sided: higher candidate scores are not evidence of lower ones', () => {
    const candidate = baseline.map((score) => score + 0.3);
    const result = permutationTest(baseline, candidate);
    expect(result.pValue).toBeGreaterThan(0.99);
    expect(result.pValueHigher).toBeLessThan(0.01);
  });

  it('pairs the samples: a small consistent drop shows paired but drowns in the spread unpaired', () => {
    const spread = scores(20, 0, 1, 5);
    const dropped = spread.map((score) => score - 0.05);
    expect(permutationTest(spread, dropped, { paired: true }).pValue).toBeLessThan(0.01);
    expect(permutationTest(spread, dropped).pValue).toBeGreaterThan(0.2);
  });

  it('gives the same p-value for the same seed, and its resolution follows the iterations', () => {
    const candidate = scores(25, 0.55, 0.95, 12);
    const first = permutationTest(baseline, candidate, { seed: 7, iterations: 2000 });
    expect(permutationTest(baseline, candidate, { seed: 7, iterations: 2000 })).toEqual(first);
    expect(first.iterations).toBe(2000);
    expect(first.pValue * 2001).toBeCloseTo(Math.round(first.pValue * 2001), 9);
    const other = permutationTest(baseline, candidate, { seed: 8, iterations: 2000 });
    expect(other.pValue).not.toBe(first.pValue);
    expect(Math.abs(other.pValue - first.pValue)).toBeLessThan(0.05);
  });

  it('draws whichever group is smaller without changing the answer', () => {
    const long = scores(60, 0.4, 1, 21);
    const short = scores(6, 0.1, 0.5, 22);
    expect(permutationTest(long, short).pValue).toBeLessThan(0.01);
    expect(permutationTest(short, long).pValue).toBeGreaterThan(0.99);
    expect(permutationTest(short, long).pValueHigher).toBeLessThan(0.01);
  });

  it('rejects empty samples, unequal pairs and a zero iteration count', () => {
    expect(() => permutationTest([], [1])).toThrow(RangeError);
    expect(() => permutationTest([1, 2], [1], { paired: true })).toThrow(RangeError);
    expect(() => permutationTest([1], [1], { iterations: 0 })).toThrow(RangeError);
  });
});
