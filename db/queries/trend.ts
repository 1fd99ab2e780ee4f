import { and, count, desc, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { type Run, results, runs } from '../schema.ts';

export type TrendPoint = {
  runId: string;
  createdAt: number;
  trigger: Run['trigger'];
  status: Run['status'];
  /** passed / cells of the run (of `model` only, when asked), errors counting as not passed. */
  passRate: number;
  perModel: Record<string, number>;
  /** Mean score of each named metric over the run's cells. */
  metrics: Record<string, number>;
  verdict?: string;
};

export type TrendQuery = { model?: string; limit: number };

/** The card's latest `limit` completed runs (that ran `model`, when given), oldest first. */
export function cardTrend(db: DrizzleDb, cardId: string, query: TrendQuery): TrendPoint[] {
  const picked = trendRuns(db, cardId, query).reverse();
  const ids = picked.map((run) => run.id);
  const counts = passCounts(db, ids, query.model);
  const means = metricMeans(db, ids, query.model);
  return picked.map((run) => {
    const ofRun = counts.filter((row) => row.runId === run.id);
    const total = ofRun.reduce((sum, row) => sum + row.total, 0);
    const passed = ofRun.reduce((sum, row) => sum + row.passed, 0);
    const verdict = (run.verdict as { verdict?: unknown } | null)?.verdict;
    return {
      runId: run.id,
      createdAt: run.createdAt,
      trigger: run.trigger,
      status: run.status,
      passRate: total > 0 ? passed / total : 0,
      perModel: Object.fromEntries(
        ofRun.map((row) => [row.model, row.total > 0 ? row.passed / row.total : 0]),
      ),
      metrics: Object.fromEntries(
        means.filter((row) => row.runId === run.id).map((row) => [row.name, row.mean]),
      ),
      ...(typeof verdict === 'string' ? { verdict } : {}),
    };
  });
}

/** Newest first; a retry of some cells is left out (its pass rate is of the failed cells only). */
function trendRuns(db: DrizzleDb, cardId: string, query: TrendQuery) {
  const conditions: SQL[] = [
    eq(runs.cardId, cardId),
    eq(runs.status, 'completed'),
    sql`json_extract(${runs.options}, '$.cells') IS NULL`,
  ];
  if (query.model !== undefined) {
    conditions.push(
      sql`EXISTS (SELECT 1 FROM json_each(${runs.options}, '$.models') WHERE value = ${query.model})`,
    );
  }
  return db
    .select({
      id: runs.id,
      createdAt: runs.createdAt,
      trigger: runs.trigger,
      status: runs.status,
      verdict: runs.verdict,
    })
    .from(runs)
    .where(and(...conditions))
    .orderBy(desc(runs.createdAt), desc(sql`rowid`))
    .limit(query.limit)
    .all();
}

function passCounts(db: DrizzleDb, runIds: string[], model: string | undefined) {
  if (runIds.length === 0) return [];
  return db
    .select({
      runId: results.runId,
      model: results.model,
      total: count(),
      passed: sql<number>`sum(${results.status} = 'pass')`,
    })
    .from(results)
    .where(and(inArray(results.runId, runIds), model === undefined ? undefined : eq(results.model, model)))
    .groupBy(results.runId, results.model)
    .orderBy(results.model)
    .all();
}

/** Named metrics are stored per cell as `{ name: score }` in results.metrics. */
function metricMeans(db: DrizzleDb, runIds: string[], model: string | undefined) {
  if (runIds.length === 0) return [];
  const ofModel = model === undefined ? sql`` : sql`AND r.model = ${model}`;
  return db.all<{ runId: string; name: string; mean: number }>(sql`
    SELECT r.run_id AS runId, m.key AS name, avg(m.value) AS mean
    FROM ${results} r, json_each(r.metrics) m
    WHERE r.run_id IN (${sql.join(
      runIds.map((id) => sql`${id}`),
      sql`, `,
    )}) ${ofModel} AND m.type IN ('integer', 'real')
    GROUP BY r.run_id, m.key
    ORDER BY m.key
  `);
}
