import { and, desc, eq, inArray, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { type NewRun, type Run, type RunStatus, runs } from '../schema.ts';

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

export interface ListRunsOptions {
  cardId?: string;
  status?: RunStatus;
  limit: number;
  offset?: number;
}

/** Newest first. */
export function listRuns(db: DrizzleDb, opts: ListRunsOptions): Run[] {
  const where: SQL[] = [];
  if (opts.cardId) where.push(eq(runs.cardId, opts.cardId));
  if (opts.status) where.push(eq(runs.status, opts.status));
  return db
    .select()
    .from(runs)
    .where(and(...where))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(opts.limit)
    .offset(opts.offset ?? 0)
    .all();
}
