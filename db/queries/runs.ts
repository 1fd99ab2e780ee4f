import { and, count, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { type NewRun, type Run, type RunStatus, type RunTrigger, runs } from '../schema.ts';

const ACTIVE: RunStatus[] = ['queued', 'running'];

/** Inserts the run unless one with the same id exists; either way returns the stored row. */
export function createRun(db: DrizzleDb, run: NewRun): { run: Run; inserted: boolean } {
  const inserted = db.insert(runs).values(run).onConflictDoNothing({ target: runs.id }).returning().get();
  if (inserted) return { run: inserted, inserted: true };
  const existing = getRun(db, run.id);
  if (!existing) throw new Error(`run ${run.id} was neither inserted nor found`);
  return { run: existing, inserted: false };
}

/** queued → running. Returns false if the run had already started or finished. */
export function markRunStarted(db: DrizzleDb, id: string, at: number = Date.now()): boolean {
  const res = db
    .update(runs)
    .set({ status: 'running', startedAt: at })
    .where(and(eq(runs.id, id), eq(runs.status, 'queued')))
    .run();
  return res.changes > 0;
}

export interface RunOutcome {
  status: Extract<RunStatus, 'completed' | 'failed' | 'cancelled'>;
  summary?: Record<string, unknown> | null;
  error?: string | null;
}

/**
 * Moves an active run to its final state. A run that has already finished is left as it is
 * (returns false), so a replayed activity cannot overwrite the first outcome.
 */
export function finishRun(db: DrizzleDb, id: string, outcome: RunOutcome, at: number = Date.now()): boolean {
  const res = db
    .update(runs)
    .set({
      status: outcome.status,
      summary: outcome.summary ?? null,
      error: outcome.error ?? null,
      finishedAt: at,
    })
    .where(and(eq(runs.id, id), inArray(runs.status, ACTIVE)))
    .run();
  return res.changes > 0;
}

export function getRun(db: DrizzleDb, id: string): Run | undefined {
  return db.select().from(runs).where(eq(runs.id, id)).get();
}

export interface RunFilter {
  cardId?: string;
  status?: RunStatus;
  trigger?: RunTrigger;
}

export interface ListRunsOptions extends RunFilter {
  limit: number;
  offset?: number;
}

/** Newest first. */
export function listRuns(db: DrizzleDb, opts: ListRunsOptions): Run[] {
  return db
    .select()
    .from(runs)
    .where(runFilter(opts))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(opts.limit)
    .offset(opts.offset ?? 0)
    .all();
}

/** How many runs match the filter, across all pages. */
export function countRuns(db: DrizzleDb, filter: RunFilter): number {
  return db.select({ n: count() }).from(runs).where(runFilter(filter)).get()?.n ?? 0;
}

function runFilter(filter: RunFilter): SQL | undefined {
  const where: SQL[] = [];
  if (filter.cardId) where.push(eq(runs.cardId, filter.cardId));
  if (filter.status) where.push(eq(runs.status, filter.status));
  if (filter.trigger) where.push(eq(runs.trigger, filter.trigger));
  return and(...where);
}
