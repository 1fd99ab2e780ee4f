import { and, count, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { runs } from '../schema.ts';

/**
 * Stores a run's verdict unless it already has one, and returns the stored verdict: the first judgement
 * wins, so an activity that runs twice cannot change what alerts were sent about.
 */
export function storeRunVerdict(
  db: DrizzleDb,
  runId: string,
  verdict: Record<string, unknown>,
): Record<string, unknown> | undefined {
  db.update(runs)
    .set({ verdict })
    .where(and(eq(runs.id, runId), isNull(runs.verdict)))
    .run();
  return (
    db.select({ verdict: runs.verdict }).from(runs).where(eq(runs.id, runId)).get()?.verdict ?? undefined
  );
}

/** Stored verdicts by name (`regression`, `within-noise`, ...): what the metrics endpoint reports. */
export function countVerdicts(db: DrizzleDb): { verdict: string; n: number }[] {
  const name = sql<string>`json_extract(${runs.verdict}, '$.verdict')`;
  return db
    .select({ verdict: name, n: count() })
    .from(runs)
    .where(isNotNull(runs.verdict))
    .groupBy(name)
    .all();
}
