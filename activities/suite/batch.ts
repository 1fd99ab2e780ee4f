import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { resolveCase } from '../../core/card/cases.ts';
import type { Card } from '../../core/card/schema.ts';
import { type CellRange, cellsOfBatch } from '../../core/run/batches.ts';
import type { CellRef, MatrixDims } from '../../core/run/cells.ts';
import type { CellOutcome } from '../../core/run/progress.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { recordResult, resultOutcomesForCells } from '../../db/queries/results.ts';
import type { EventPublisher } from '../events/publisher.ts';
import type { CellFailure } from './classify.ts';
import { type CellDeps, type CellResult, errorResult, runCell } from './run-cell.ts';

export type BatchRequest = { runId: string; cardVersionId: number; dims: MatrixDims; range: CellRange };

export type BatchDeps = CellDeps & {
  db: DrizzleDb;
  events: EventPublisher;
  loadCard: (versionId: number) => Card;
};

/**
 * Runs the cells of one range that are not stored yet, storing each as it finishes; cells already
 * stored (by an earlier attempt that died) are skipped. Cells that keep failing transiently make the
 * activity fail retryably once the others are done, so Temporal retries just those with backoff.
 */
export async function runCellBatch(
  deps: BatchDeps,
  request: BatchRequest & { timeoutMs: number; noCache: boolean },
): Promise<CellOutcome[]> {
  const context = Context.current();
  const card = deps.loadCard(request.cardVersionId);
  const { stored, pending } = splitStored(deps.db, request);
  const settings = {
    card,
    timeoutMs: request.timeoutMs,
    useCache: !request.noCache,
    signal: context.cancellationSignal,
  };
  const outcomes = [...stored];
  const failures: CellFailure[] = [];
  const heartbeat = setInterval(() => context.heartbeat(), 1000);
  try {
    for (const cell of pending) {
      const attempt = await runCell(cell, deps, settings).catch(rethrowCancellation(context));
      if ('failure' in attempt) failures.push(attempt.failure);
      else
        outcomes.push(await storeCellResult(deps, request.runId, cell, attempt.result, context.info.attempt));
      context.heartbeat();
    }
  } finally {
    clearInterval(heartbeat);
  }
  if (failures.length > 0) throw transientBatchFailure(failures);
  return outcomes;
}

/** After retries are exhausted: the range's unstored cells become error results with the last reason. */
export async function recordCellErrors(
  deps: BatchDeps,
  request: BatchRequest & { message: string },
): Promise<CellOutcome[]> {
  const card = deps.loadCard(request.cardVersionId);
  const { stored, pending } = splitStored(deps.db, request);
  const outcomes = [...stored];
  const failure = { transient: true, type: 'retries-exhausted', message: request.message };
  for (const cell of pending) {
    const result = errorResult(cell, resolveCase(card, cell.caseIndex).name, '', failure);
    outcomes.push(await storeCellResult(deps, request.runId, cell, result, Context.current().info.attempt));
  }
  return outcomes;
}

/** The batch's cells already stored (by an earlier attempt), as outcomes, and the ones still to run. */
export function splitStored(
  db: DrizzleDb,
  request: BatchRequest,
): { stored: CellOutcome[]; pending: CellRef[] } {
  const cells = cellsOfBatch(request.range, request.dims);
  const stored = resultOutcomesForCells(
    db,
    request.runId,
    cells.map((c) => c.key),
  );
  const storedKeys = new Set(stored.map((o) => o.key));
  return { stored, pending: cells.filter((c) => !storedKeys.has(c.key)) };
}

/** Stores one cell (a second write of the same cell is a no-op) and announces it when it is new. */
export async function storeCellResult(
  deps: BatchDeps,
  runId: string,
  cell: CellRef,
  result: CellResult,
  attempts: number,
): Promise<CellOutcome> {
  const { id, inserted } = recordResult(deps.db, { ...result, runId, attempts });
  if (inserted) {
    await deps.events.publish({
      type: 'cell',
      id,
      runId,
      key: cell.key,
      caseName: result.caseName,
      model: result.model,
      repeat: result.repeat,
      status: result.status,
      score: result.score,
      latencyMs: result.latencyMs ?? null,
      cacheHit: result.cacheHit ?? false,
    });
  }
  return { key: cell.key, model: cell.model, status: result.status };
}

function rethrowCancellation(context: Context) {
  return (error: unknown): never => {
    if (context.cancellationSignal.aborted) throw new CancelledFailure('Run cancelled');
    throw error;
  };
}

function transientBatchFailure(failures: CellFailure[]): ApplicationFailure {
  const [first] = failures;
  return ApplicationFailure.retryable(
    `${failures.length} cell(s) failed transiently; first: ${first?.type}: ${first?.message}`,
    'TransientCellFailure',
  );
}
