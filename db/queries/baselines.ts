import { and, desc, eq, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { cards, type Run, runs } from '../schema.ts';
import { getRun } from './runs.ts';

/**
 * The run `run` is compared with: the card's pinned baseline when set (and not `run` itself), else the
 * latest completed run of the same card version with the same models, created before `run`.
 */
export function baselineFor(db: DrizzleDb, run: Run): Run | undefined {
  const pinned = pinnedBaseline(db, run.cardId);
  if (pinned && pinned.id !== run.id) return pinned;
  return latestComparableRun(db, {
    cardVersionId: run.cardVersionId,
    models: run.options.models,
    before: run,
  });
}

/** The run pinned as the card's baseline, if one is pinned and still stored. */
export function pinnedBaseline(db: DrizzleDb, cardId: string): Run | undefined {
  const card = db
    .select({ baselineRunId: cards.baselineRunId })
    .from(cards)
    .where(eq(cards.id, cardId))
    .get();
  return card?.baselineRunId ? getRun(db, card.baselineRunId) : undefined;
}

/** Pins `runId` as the card's baseline; the caller checks that it is a completed run of the card. */
export function pinBaseline(db: DrizzleDb, cardId: string, runId: string): void {
  db.update(cards).set({ baselineRunId: runId }).where(eq(cards.id, cardId)).run();
}

/** Back to the default rule (latest completed run of the same version and models). */
export function unpinBaseline(db: DrizzleDb, cardId: string): void {
  db.update(cards).set({ baselineRunId: null }).where(eq(cards.id, cardId)).run();
}

export type ComparableRunQuery = {
  cardVersionId: number;
  /** Compared as a set: order and duplicates do not matter. */
  models: readonly string[];
  /** Only runs created before this one (ties on the millisecond broken by insertion order). */
  before?: Pick<Run, 'id' | 'createdAt'>;
};

/**
 * The latest completed run of a card version on exactly these models. A retry of some cells is never a
 * baseline: it holds only the cells that had failed.
 */
export function latestComparableRun(db: DrizzleDb, query: ComparableRunQuery): Run | undefined {
  const conditions: (SQL | undefined)[] = [
    eq(runs.cardVersionId, query.cardVersionId),
    eq(runs.status, 'completed'),
    sql`json_extract(${runs.options}, '$.cells') IS NULL`,
    sameModels(query.models),
  ];
  if (query.before) conditions.push(ne(runs.id, query.before.id), createdBefore(query.before));
  return db
    .select()
    .from(runs)
    .where(and(...conditions))
    .orderBy(desc(runs.createdAt), desc(sql`rowid`))
    .limit(1)
    .get();
}

/** The run's `options.models` holds exactly these models, in any order. */
function sameModels(models: readonly string[]): SQL {
  const distinct = [...new Set(models)];
  const listed = sql.join(
    distinct.map((model) => sql`${model}`),
    sql`, `,
  );
  return sql`(
    (SELECT count(DISTINCT value) FROM json_each(${runs.options}, '$.models')) = ${distinct.length}
    AND NOT EXISTS (SELECT 1 FROM json_each(${runs.options}, '$.models') WHERE value NOT IN (${listed}))
  )`;
}

function createdBefore(run: Pick<Run, 'id' | 'createdAt'>): SQL | undefined {
  const rowidOf = sql`(SELECT rowid FROM ${runs} WHERE ${runs.id} = ${run.id})`;
  return or(
    lt(runs.createdAt, run.createdAt),
    and(eq(runs.createdAt, run.createdAt), sql`${runs}.rowid < ${rowidOf}`),
  );
}
