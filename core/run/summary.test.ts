import { describe, expect, it } from 'vitest';
import { percentile, type SummaryInputRow, summarizeResults } from './summary.ts';

const row = (model: string, status: SummaryInputRow['status'], latencyMs: number): SummaryInputRow => ({
  model,
  status,
  score: status === 'pass' ? 1 : 0,
  latencyMs,
  promptTokens: 10,
  completionTokens: 2,
  cacheHit: false,
});

describe('summarizeResults', () => {
  it('gives pass rates overall and per model, counting errors as not passed', () => {
    const summary = summarizeResults([
      row('a', 'pass', 10),
      row('a', 'fail', 20),
      row('b', 'pass', 30),
      row('b', 'error', 0),
    ]);
    expect(summary).toMatchObject({ total: 4, passed: 2, failed: 1, errored: 1, passRate: 0.5 });
    expect(summary.perModel.a).toMatchObject({ total: 2, passed: 1, passRate: 0.5 });
    expect(summary.perModel.b).toMatchObject({ total: 2, errored: 1, passRate: 0.5 });
    expect(summary.tokens).toEqual({ prompt: 40, completion: 8 });
  });

  it('leaves error cells out of latency percentiles', () => {
    const summary = summarizeResults([row('a', 'pass', 100), row('a', 'error', 99_999)]);
    expect(summary.latencyMs).toEqual({ p50: 100, p95: 100 });
  });
});

describe('percentile', () => {
  it('uses the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([], 50)).toBe(0);
  });
});
