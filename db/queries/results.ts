import { and, asc, count, eq, gt, inArray, max, type SQL, sql } from 'drizzle-orm';
import { cellKey } from '../../core/run/cells.ts';
import type { DrizzleDb } from '../client.ts';
import { type NewResult, type Result, type ResultStatus, results } from '../schema.ts';

export type ResultInput = Omit<NewResult, 'id' | 'cellKey'>;

/**
 * Records one matrix cell. A second write for the same (run, case, model, repeat) — a retried
 * activity — changes nothing and returns the id of the row already stored.
 */
export function recordResult(db: DrizzleDb, result: ResultInput): { id: number; inserted: boolean } {
  const row = preparedInsert(db).get(insertParams(result));
  if (row) return { id: row.id, inserted: true };
  const existing = db
    .select({ id: results.id })
    .from(results)
    .where(
      and(
        eq(results.runId, result.runId),
        eq(results.caseIndex, result.caseIndex),
        eq(results.model, result.model),
        eq(results.repeat, result.repeat),
      ),
    )
    .get();
  if (!existing) throw new Error(`result ${cellKey(result.caseIndex, result.model, result.repeat)} vanished`);
  return { id: existing.id, inserted: false };
}

// Every column of a result row, filled from placeholders: the insert is on the hot path of every cell, so
// it is built and prepared once per connection instead of once per row.
const INSERT_COLUMNS = [
  'runId',
  'cellKey',
  'caseIndex',
  'caseName',
  'model',
  'repeat',
  'status',
  'score',
  'output',
  'renderedPrompt',
  'assertions',
  'metrics',
  'reason',
  'errorType',
  'latencyMs',
  'promptTokens',
  'completionTokens',
  'cacheHit',
  'attempts',
  'createdAt',
] as const satisfies readonly (keyof NewResult)[];

const preparedInserts = new WeakMap<DrizzleDb, ReturnType<typeof prepareInsert>>();

function preparedInsert(db: DrizzleDb) {
  let prepared = preparedInserts.get(db);
  if (!prepared) {
    prepared = prepareInsert(db);
    preparedInserts.set(db, prepared);
  }
  return prepared;
}

function prepareInsert(db: DrizzleDb) {
  const values = Object.fromEntries(INSERT_COLUMNS.map((column) => [column, sql.placeholder(column)]));
  return db
    .insert(results)
    .values(values as unknown as NewResult)
    .onConflictDoNothing({ target: [results.runId, results.caseIndex, results.model, results.repeat] })
    .returning({ id: results.id })
    .prepare();
}

function insertParams(result: ResultInput): Record<(typeof INSERT_COLUMNS)[number], unknown> {
  return {
    runId: result.runId,
    cellKey: cellKey(result.caseIndex, result.model, result.repeat),
    caseIndex: result.caseIndex,
    caseName: result.caseName,
    model: result.model,
    repeat: result.repeat,
    status: result.status,
    score: result.score,
    output: result.output ?? null,
    renderedPrompt: result.renderedPrompt,
    assertions: result.assertions ?? [],
    metrics: result.metrics ?? {},
    reason: result.reason ?? '',
    errorType: result.errorType ?? null,
    latencyMs: result.latencyMs ?? null,
    promptTokens: result.promptTokens ?? null,
    completionTokens: result.completionTokens ?? null,
    cacheHit: result.cacheHit ?? false,
    attempts: result.attempts ?? 1,
    createdAt: result.createdAt ?? Date.now(),
  };
}

export interface ResultFilter {
  status?: ResultStatus;
  model?: string;
  caseName?: string;
}

export interface ListResultsOptions extends ResultFilter {
  /** Only rows with a larger id: resumes a stream from its last event id. */
  afterId?: number;
  limit: number;
  offset?: number;
}

/**
 * In id order, which is the order results were recorded. Pages and event streams call this on every
 * request, so the statement for each combination of filters is prepared once per connection.
 */
export function listResults(db: DrizzleDb, runId: string, opts: ListResultsOptions): Result[] {
  const shape = listShape(opts);
  let byShape = preparedLists.get(db);
  if (!byShape) {
    byShape = new Map();
    preparedLists.set(db, byShape);
  }
  let prepared = byShape.get(shape.key);
  if (!prepared) {
    prepared = prepareList(db, shape);
    byShape.set(shape.key, prepared);
  }
  return prepared.all({
    runId,
    status: opts.status,
    model: opts.model,
    caseName: opts.caseName,
    afterId: opts.afterId,
    limit: opts.limit,
    offset: opts.offset ?? 0,
  });
}

type ListShape = { key: string; status: boolean; model: boolean; caseName: boolean; afterId: boolean };

function listShape(opts: ResultFilter & { afterId?: number }): ListShape {
  const shape = {
    status: opts.status !== undefined,
    model: opts.model !== undefined,
    caseName: opts.caseName !== undefined,
    afterId: opts.afterId !== undefined,
  };
  return { ...shape, key: Object.values(shape).map(Number).join('') };
}

const preparedLists = new WeakMap<DrizzleDb, Map<string, ReturnType<typeof prepareList>>>();

function placeholderFilter(shape: ListShape): SQL[] {
  const where: SQL[] = [eq(results.runId, sql.placeholder('runId'))];
  if (shape.status) where.push(eq(results.status, sql.placeholder('status')));
  if (shape.model) where.push(eq(results.model, sql.placeholder('model')));
  if (shape.caseName) where.push(eq(results.caseName, sql.placeholder('caseName')));
  if (shape.afterId) where.push(gt(results.id, sql.placeholder('afterId')));
  return where;
}

// A deferred join: the page's ids come from the (run_id, id) index alone, then only those rows are read.
// With a plain OFFSET, SQLite reads and discards every full row before the page (page 20 cost 2x page 1).
function prepareList(db: DrizzleDb, shape: ListShape) {
  const pageIds = db
    .select({ id: results.id })
    .from(results)
    .where(and(...placeholderFilter(shape)))
    .orderBy(asc(results.id))
    .limit(sql.placeholder('limit'))
    .offset(sql.placeholder('offset'));
  return db.select().from(results).where(inArray(results.id, pageIds)).orderBy(asc(results.id)).prepare();
}

/** How many of the run's results match the filter, across all pages (prepared once per filter shape). */
export function countResults(db: DrizzleDb, runId: string, filter: ResultFilter = {}): number {
  const shape = listShape(filter);
  let byShape = preparedCounts.get(db);
  if (!byShape) {
    byShape = new Map();
    preparedCounts.set(db, byShape);
  }
  let prepared = byShape.get(shape.key);
  if (!prepared) {
    prepared = prepareCount(db, shape);
    byShape.set(shape.key, prepared);
  }
  return (
    prepared.get({ runId, status: filter.status, model: filter.model, caseName: filter.caseName })?.n ?? 0
  );
}

const preparedCounts = new WeakMap<DrizzleDb, Map<string, ReturnType<typeof prepareCount>>>();

function prepareCount(db: DrizzleDb, shape: ListShape) {
  return db
    .select({ n: count() })
    .from(results)
    .where(and(...placeholderFilter(shape)))
    .prepare();
}

/** The id of the run's newest result row, 0 when none is stored: a cheap "anything new?" check. */
export function latestResultId(db: DrizzleDb, runId: string): number {
  return (
    db
      .select({ id: max(results.id) })
      .from(results)
      .where(eq(results.runId, runId))
      .get()?.id ?? 0
  );
}

/** Stored results per model and status. */
export function countResultsByModel(
  db: DrizzleDb,
  runId: string,
): { model: string; status: ResultStatus; n: number }[] {
  return db
    .select({ model: results.model, status: results.status, n: count() })
    .from(results)
    .where(eq(results.runId, runId))
    .groupBy(results.model, results.status)
    .all();
}

/** The matrix coordinates of the run's cells that failed or errored. */
export function failedCellsOfRun(
  db: DrizzleDb,
  runId: string,
): { caseIndex: number; model: string; repeat: number }[] {
  return db
    .select({ caseIndex: results.caseIndex, model: results.model, repeat: results.repeat })
    .from(results)
    .where(and(eq(results.runId, runId), inArray(results.status, ['fail', 'error'])))
    .orderBy(asc(results.id))
    .all();
}

export function countResultsByStatus(db: DrizzleDb, runId: string): Record<ResultStatus | 'total', number> {
  const rows = db
    .select({ status: results.status, n: count() })
    .from(results)
    .where(eq(results.runId, runId))
    .groupBy(results.status)
    .all();
  const counts = { pass: 0, fail: 0, error: 0, total: 0 };
  for (const { status, n } of rows) {
    counts[status] = n;
    counts.total += n;
  }
  return counts;
}

/** Cell keys already recorded for the run; a resumed workflow skips these cells. */
export function resultKeysForRun(db: DrizzleDb, runId: string): Set<string> {
  const rows = db.select({ cellKey: results.cellKey }).from(results).where(eq(results.runId, runId)).all();
  return new Set(rows.map((r) => r.cellKey));
}

/** The outcome of the given cells that are already stored (a retried batch skips them). */
export function resultOutcomesForCells(
  db: DrizzleDb,
  runId: string,
  cellKeys: string[],
): { key: string; model: string; status: ResultStatus }[] {
  if (cellKeys.length === 0) return [];
  return db
    .select({ key: results.cellKey, model: results.model, status: results.status })
    .from(results)
    .where(and(eq(results.runId, runId), inArray(results.cellKey, cellKeys)))
    .all();
}

/** The columns a run summary is computed from, for every stored cell of the run. */
export function summaryRowsForRun(db: DrizzleDb, runId: string) {
  return db
    .select({
      model: results.model,
      status: results.status,
      score: results.score,
      latencyMs: results.latencyMs,
      promptTokens: results.promptTokens,
      completionTokens: results.completionTokens,
      cacheHit: results.cacheHit,
    })
    .from(results)
    .where(eq(results.runId, runId))
    .all();
}
