import { describe, expect, it } from 'vitest';
import { exportJson } from './json.ts';
import { cellOrder, fixtureData, MATRIX_ORDER, TRICKY_OUTPUT } from './test-fixture.ts';

describe('exportJson', () => {
  const text = exportJson(fixtureData());
  const document = JSON.parse(text);

  it('is pretty-printed and ends with a newline', () => {
    expect(text.startsWith('{\n  "run": {\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('describes the run with ISO timestamps and the card name', () => {
    expect(document.run).toEqual({
      id: 'run_1',
      card: 'support-bot',
      status: 'completed',
      trigger: 'cli',
      createdAt: '2025-01-02T03:04:05.000Z',
      startedAt: '2025-01-02T03:04:06.000Z',
      finishedAt: null,
      options: { models: ['qwen2.5:7b', 'llama3.2:3b'], repeat: 2, concurrency: 2 },
      totalCells: 8,
      summary: { total: 8, passed: 5, failed: 2, errored: 1 },
      error: null,
    });
  });

  it('lists results in case, model (as the run ordered them), repeat order', () => {
    const results = document.results.map(
      (r: { caseIndex: number; case: string; model: string; repeat: number }) => r,
    );
    expect(cellOrder(results)).toEqual(MATRIX_ORDER);
  });

  it('keeps every result field, output untouched', () => {
    const failed = document.results[4];
    expect(Object.keys(failed)).toEqual([
      'caseIndex',
      'case',
      'model',
      'repeat',
      'status',
      'score',
      'output',
      'reason',
      'errorType',
      'latencyMs',
      'promptTokens',
      'completionTokens',
      'cacheHit',
      'assertions',
      'metrics',
      'renderedPrompt',
    ]);
    expect(failed).toMatchObject({ case: 'quotes the user', status: 'fail', score: 0.5, cacheHit: true });
    expect(failed.output).toBe(TRICKY_OUTPUT);
    expect(failed.assertions).toHaveLength(2);
    expect(document.results[6]).toMatchObject({
      status: 'error',
      output: null,
      errorType: 'timeout',
      latencyMs: null,
    });
  });
});
