/** A contiguous slice [start, end) of a run's cell matrix, processed by one activity. */
export type CellRange = { start: number; end: number };

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

export function planBatches(totalCells: number, batchSize: number): CellRange[] {
  const ranges: CellRange[] = [];
  for (let start = 0; start < totalCells; start += batchSize) {
    ranges.push({ start, end: Math.min(totalCells, start + batchSize) });
  }
  return ranges;
}
