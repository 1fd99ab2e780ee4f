/** How a finished cell ended: graded pass/fail, or an error (it could not be generated or graded). */
export type CellStatus = 'pass' | 'fail' | 'error';

/** What a batch activity reports back per cell; small on purpose, it lands in workflow history. */
export type CellOutcome = { key: string; model: string; status: CellStatus };

export type Counts = {
  total: number;
  done: number;
  passed: number;
  failed: number;
  errored: number;
  running: number;
};

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export type RunProgress = Counts & { status: RunStatus; perModel: Record<string, Counts> };

export function emptyCounts(total = 0): Counts {
  return { total, done: 0, passed: 0, failed: 0, errored: 0, running: 0 };
}

/** `cellsPerModel` is one number for a full matrix, or a count per model for a run of selected cells. */
export function initialProgress(
  models: string[],
  cellsPerModel: number | Readonly<Record<string, number>>,
): RunProgress {
  const perModel: Record<string, Counts> = {};
  let total = 0;
  for (const model of models) {
    const cells = typeof cellsPerModel === 'number' ? cellsPerModel : (cellsPerModel[model] ?? 0);
    perModel[model] = emptyCounts(cells);
    total += cells;
  }
  return { ...emptyCounts(total), status: 'queued', perModel };
}

/** Adds finished cells to the totals and to their model's counts. Mutates `progress`. */
export function addOutcomes(progress: RunProgress, outcomes: readonly CellOutcome[]): void {
  for (const outcome of outcomes) {
    countOutcome(progress, outcome.status);
    const model = progress.perModel[outcome.model];
    if (model) countOutcome(model, outcome.status);
  }
}

/** Cells being worked on right now, per model: used while batches are in flight. */
export function setRunning(progress: RunProgress, runningByModel: Record<string, number>): void {
  progress.running = 0;
  for (const [model, counts] of Object.entries(progress.perModel)) {
    counts.running = runningByModel[model] ?? 0;
    progress.running += counts.running;
  }
}

function countOutcome(counts: Counts, status: CellStatus): void {
  counts.done += 1;
  if (status === 'pass') counts.passed += 1;
  else if (status === 'fail') counts.failed += 1;
  else counts.errored += 1;
}
