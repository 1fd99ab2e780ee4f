import { describe, expect, it } from 'vitest';
import { cellAt, cellCount, cellsInRange, type MatrixDims } from './cells.ts';

const dims = (caseCount: number, models: string[], repeat: number): MatrixDims => ({
  caseCount,
  models,
  repeat,
});

describe('the run matrix', () => {
  it('orders cells case-major, then model, then 0-based repeat', () => {
    const d = dims(2, ['ollama:a', 'echo'], 2);
    expect(cellsInRange(0, cellCount(d), d).map((c) => c.key)).toEqual([
      '0/ollama:a/0',
      '0/ollama:a/1',
      '0/echo/0',
      '0/echo/1',
      '1/ollama:a/0',
      '1/ollama:a/1',
      '1/echo/0',
      '1/echo/1',
    ]);
    expect(cellAt(5, d)).toEqual({
      index: 5,
      key: '1/ollama:a/1',
      caseIndex: 1,
      model: 'ollama:a',
      repeat: 1,
    });
  });

  it('gives unique keys for 20,000 cells, also for models whose names contain slashes', () => {
    const d = dims(500, ['ollama:hf.co/a/b:1', 'ollama:hf.co/a', 'ollama:c', 'echo'], 10);
    const cells = cellsInRange(0, cellCount(d), d);
    expect(cells).toHaveLength(20_000);
    expect(new Set(cells.map((c) => c.key)).size).toBe(20_000);
    expect(cells.at(-1)?.key).toBe('499/echo/9');
  });

  it('reads any slice without building the rest', () => {
    const d = dims(1000, ['a', 'b'], 3);
    expect(cellsInRange(3000, 3003, d).map((c) => c.key)).toEqual(['500/a/0', '500/a/1', '500/a/2']);
  });
});
