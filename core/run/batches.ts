import { type CellRef, cellAt, cellsInRange, type MatrixDims } from './cells.ts';

/**
 * A batch of a run's cells, processed by one activity: the slice [start, end) of the matrix or, when the
 * run covers selected cells only (a retry of failed cells), positions [start, end) of that selection,
 * whose matrix indices are listed in `cells`.
 */
export type CellRange = { start: number; end: number; cells?: number[] };

/**
 * Cells are processed in batches: one activity per cell would put three history events and a workflow
 * task per cell into Temporal, which on small machines costs more than the model calls. Each batch
 * records every cell as it finishes, so a retried batch skips what is already stored.
 * Small suites get one cell per batch; large ones at most `maxBatch` cells, with enough batches to keep
 * every concurrency lane busy until near the end.
 */
export function batchSizeFor(totalCells: number, concurrency: number, maxBatch = 25): number {
  const lanesTimesDepth = Math.max(1, concurrency) * 8;
  return Math.min(maxBatch, Math.max(1, Math.ceil(totalCells / lanesTimesDepth)));
}

/** Batches over the whole matrix (0..totalCells) or, given `cells`, over those matrix indices only. */
export function planBatches(totalCells: number, batchSize: number, cells?: readonly number[]): CellRange[] {
  const ranges: CellRange[] = [];
  const size = cells ? cells.length : totalCells;
  for (let start = 0; start < size; start += batchSize) {
    const end = Math.min(size, start + batchSize);
    ranges.push(cells ? { start, end, cells: cells.slice(start, end) } : { start, end });
  }
  return ranges;
}

/** The matrix cells a batch covers. */
export function cellsOfBatch(range: CellRange, dims: MatrixDims): CellRef[] {
  if (range.cells) return range.cells.map((index) => cellAt(index, dims));
  return cellsInRange(range.start, range.end, dims);
}
