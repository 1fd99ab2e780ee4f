import { eq } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { results } from '../schema.ts';

/** The columns a run comparison reads (core/run/compare.ts), for every stored cell of the run. */
export function compareRowsForRun(db: DrizzleDb, runId: string) {
  return db
    .select({
      caseIndex: results.caseIndex,
      caseName: results.caseName,
      model: results.model,
      repeat: results.repeat,
      status: results.status,
      score: results.score,
      output: results.output,
    })
    .from(results)
    .where(eq(results.runId, runId))
    .all();
}
