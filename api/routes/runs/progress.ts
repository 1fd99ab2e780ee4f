import type { Client } from '@temporalio/client';
import { cellsPerModel } from '../../../core/run/cells.ts';
import { type Counts, initialProgress, type RunProgress } from '../../../core/run/progress.ts';
import type { RunSummary } from '../../../core/run/summary.ts';
import type { DrizzleDb } from '../../../db/client.ts';
import { countResultsByModel } from '../../../db/queries/results.ts';
import type { ResultStatus, Run } from '../../../db/schema.ts';
import { progressQuery } from '../../../workflows/shared.ts';

export type ProgressReply = RunProgress & { source: 'workflow' | 'database' };

/** A query waits for a worker; a run whose worker is gone must not hang the request. */
const QUERY_DEADLINE_MS = 2000;

/**
 * Live progress from the workflow while the run is active. A finished workflow can only answer a query
 * through a live worker, so finished runs (and active ones whose query fails) are counted from the results.
 */
export async function runProgress(deps: { db: DrizzleDb; client: Client }, run: Run): Promise<ProgressReply> {
  if (run.status === 'queued' || run.status === 'running') {
    const live = await queryProgress(deps.client, run.workflowId).catch(() => undefined);
    if (live) return { ...live, source: 'workflow' };
  }
  const stored = progressFromSummary(run);
  return { ...(stored ?? progressFromResults(deps.db, run)), source: 'database' };
}

function queryProgress(client: Client, workflowId: string): Promise<RunProgress> {
  return client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
    client.workflow.getHandle(workflowId).query(progressQuery),
  );
}

/** A finished run's summary already holds its final counts: no need to count its results again. */
function progressFromSummary(run: Run): RunProgress | undefined {
  const summary = run.summary as RunSummary | null;
  if (!summary || run.status === 'queued' || run.status === 'running') return undefined;
  const progress = plannedProgress(run);
  for (const [model, stats] of Object.entries(summary.perModel)) {
    addCount(progress, 'pass', stats.passed);
    addCount(progress, 'fail', stats.failed);
    addCount(progress, 'error', stats.errored);
    const forModel = progress.perModel[model];
    if (!forModel) continue;
    addCount(forModel, 'pass', stats.passed);
    addCount(forModel, 'fail', stats.failed);
    addCount(forModel, 'error', stats.errored);
  }
  progress.status = run.status;
  return progress;
}

/** Zero counts over the cells the run planned, per model. */
function plannedProgress(run: Run): RunProgress {
  const { models, repeat, cells } = run.options;
  const perModelTotals = Array.isArray(cells)
    ? cellsPerModel({ caseCount: 0, models, repeat }, cells as number[])
    : run.totalCells / Math.max(1, models.length);
  return initialProgress([...models], perModelTotals);
}

export function progressFromResults(db: DrizzleDb, run: Run): RunProgress {
  const progress = plannedProgress(run);
  for (const { model, status, n } of countResultsByModel(db, run.id)) {
    addCount(progress, status, n);
    const forModel = progress.perModel[model];
    if (forModel) addCount(forModel, status, n);
  }
  progress.status = run.status;
  return progress;
}

function addCount(counts: Counts, status: ResultStatus, n: number): void {
  counts.done += n;
  if (status === 'pass') counts.passed += n;
  else if (status === 'fail') counts.failed += n;
  else counts.errored += n;
}
