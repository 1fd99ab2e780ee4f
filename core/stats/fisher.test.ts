import { describe, expect, it } from 'vitest';
import { fisherExact } from './fisher.ts';

/** The table [[a, b], [c, d]]: baseline passed / not, candidate passed / not. */
const fisher = (a: number, b: number, c: number, d: number) =>
  fisherExact([
    [a, b],
    [c, d],
  ]);

// Reference values are R's fisher.test(matrix(c(a, c, b, d), 2), alternative = …)$p.value, recomputed
// exactly with rational arithmetic (Python's math.comb and fractions.Fraction):
//   P(X = x) = C(a+b, x) · C(c+d, a+c−x) / C(n, a+c),  greater = Σ_{x ≥ a},  less = Σ_{x ≤ a},
//   two-sided = Σ of P(x) ≤ P(a) · (1 + 1e−7), the rule R uses.
describe('fisherExact', () => {
  it("gives the tea-tasting table's textbook p-values", () => {
    // 8 cups, 4 with milk first; the lady names 3 of them right: greater = 17/70, two-sided = 34/70.
    const p = fisher(3, 1, 1, 3);
    expect(p.greater).toBeCloseTo(0.2429, 4);
    expect(p.twoSided).toBeCloseTo(0.4857, 4);
    expect(p.less).toBeCloseTo(0.985714285714286, 12);
  });

  it('gives 1 / C(20, 10) for a perfect separation of 10 against 10', () => {
    const p = fisher(10, 0, 0, 10);
    expect(p.greater).toBeCloseTo(1 / 184_756, 15);
    expect(p.twoSided).toBeCloseTo(2 / 184_756, 15);
    expect(p.less).toBe(1);
  });

  it('matches R on the dieting example (men 1 of 10, women 11 of 14): two-sided 0.002759', () => {
    const p = fisher(1, 9, 11, 3);
    expect(p.twoSided).toBeCloseTo(0.00275945618522008, 12);
    expect(p.less).toBeCloseTo(0.00137972809261004, 12);
    expect(p.greater).toBeCloseTo(0.999966348095302, 12);
  });

  it('finds one failure in 40 unremarkable and twenty significant', () => {
    const one = fisher(40, 0, 39, 1);
    expect(one.greater).toBeCloseTo(0.5, 12);
    expect(one.twoSided).toBeCloseTo(1, 12);
    const twenty = fisher(40, 0, 20, 20);
    expect(twenty.greater / 3.89912877024187e-8).toBeCloseTo(1, 9);
  });

  it('stays exact for counts in the thousands', () => {
    const small = fisher(2900, 100, 2850, 150);
    expect(small.greater / 0.000750342138042483).toBeCloseTo(1, 8);
    expect(small.twoSided / 0.00150068427608497).toBeCloseTo(1, 8);
    const even = fisher(1000, 1000, 900, 1100);
    expect(even.greater / 0.000858807589192125).toBeCloseTo(1, 8);
    expect(even.less).toBeCloseTo(0.999309329208621, 10);
    expect(even.twoSided / 0.00171761517838425).toBeCloseTo(1, 8);
  });

  it('answers 1 when a margin is empty: there is nothing to compare', () => {
    expect(fisher(5, 0, 0, 0)).toEqual({ greater: 1, less: 1, twoSided: 1 });
  });

  it('rejects counts that are negative or not whole', () => {
    expect(() => fisher(1.5, 0, 0, 1)).toThrow(RangeError);
    expect(() => fisher(1, -1, 0, 1)).toThrow(RangeError);
  });
});
