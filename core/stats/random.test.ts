import { describe, expect, it } from 'vitest';
import { randomIndex, seededRandom } from './random.ts';

describe('seededRandom', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const take = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(take(42)).toEqual(take(42));
    expect(take(42)).not.toEqual(take(43));
  });

  it('spreads evenly over [0, 1), and so do the indices drawn from it', () => {
    const random = seededRandom(3);
    const values = Array.from({ length: 100_000 }, random);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    expect(values.filter((value) => value < 0.5).length / values.length).toBeCloseTo(0.5, 2);
    const buckets = new Array<number>(10).fill(0);
    const indices = seededRandom(4);
    for (let i = 0; i < 100_000; i++) {
      const index = randomIndex(indices, 10);
      buckets[index] = (buckets[index] as number) + 1;
    }
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
