import { describe, expect, it } from 'vitest';
import { cellsOfBatch, planBatches } from './batches.ts';
import { cellAt, cellCount, cellIndex, cellsPerModel, type MatrixDims } from './cells.ts';

const dims: MatrixDims = { caseCount: 4, models: ['ollama:a', 'echo'], repeat: 2 };

describe('batches of a run', () => {
  it('split the whole matrix into contiguous ranges', () => {
    expect(planBatches(5, 2)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 4 },
      { start: 4, end: 5 },
    ]);
  });

  it('split a selection of cells by position and keep their matrix indices', () => {
    const batches = planBatches(4, 3, [1, 6, 9, 15]);
    expect(batches).toEqual([
      { start: 0, end: 3, cells: [1, 6, 9] },
      { start: 3, end: 4, cells: [15] },
    ]);
    expect(batches.flatMap((b) => cellsOfBatch(b, dims)).map((c) => c.key)).toEqual([
      '0/ollama:a/1',
      '1/echo/0',
      '2/ollama:a/1',
      '3/echo/1',
    ]);
  });
});

describe('cell positions', () => {
  it('cellIndex inverts cellAt for every cell, and knows no foreign model', () => {
    for (let index = 0; index < cellCount(dims); index++) {
      const cell = cellAt(index, dims);
      expect(cellIndex(dims, cell.caseIndex, cell.model, cell.repeat)).toBe(index);
    }
    expect(cellIndex(dims, 0, 'ollama:other', 0)).toBeUndefined();
  });

  it('counts selected cells per model, zero for a model with none', () => {
    expect(cellsPerModel(dims, [0, 1, 4])).toEqual({ 'ollama:a': 3, echo: 0 });
  });
});
