import { and, count, desc, eq, gt, isNotNull, lte, max } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { VERDICTS } from '../../core/run/compare.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { countVerdicts } from '../../db/queries/verdicts.ts';
import { RESULT_STATUSES, RUN_STATUSES, results, runs } from '../../db/schema.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's Prometheus registry: other plugins may add their own metrics to it. */
    metricsRegistry: Registry;
  }
}

export type MetricsOptions = { db: DrizzleDb };

/** How many recent results the latency quantiles are computed from. */
export const LATENCY_WINDOW = 1000;
const QUANTILES = [0.5, 0.9, 0.95, 0.99];
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Prometheus metrics on `GET /metrics`, in a registry of this app's own (never prom-client's global one,
 * so several apps can live in one process). HTTP timings are observed per request; the run and result
 * figures are read from SQLite when scraped, with aggregate queries that stay cheap as the tables grow.
 */
async function metrics(fastify: FastifyInstance, options: MetricsOptions): Promise<void> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pcs_api_' });
  const httpDuration = new Histogram({
    name: 'pcs_http_request_duration_seconds',
    help: 'API request duration in seconds, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  registerDatabaseMetrics(registry, options.db);
  fastify.decorate('metricsRegistry', registry);

  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    httpDuration.observe(
      { method: request.method, route: routeLabel(request), status_code: reply.statusCode },
      reply.elapsedTime / 1000,
    );
  });

  fastify.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics (text exposition format)',
        response: { 200: { type: 'string' } },
      },
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );
  fastify.addHook('onClose', async () => registry.clear());
}

/** The route pattern (`/runs/:id`), never the raw URL, so the label set stays small. */
function routeLabel(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}

function registerDatabaseMetrics(registry: Registry, db: DrizzleDb): void {
  new Gauge({
    name: 'pcs_runs_total',
    help: 'Stored suite runs by status',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      const counts = new Map(runCounts(db).map((row) => [row.status, row.n]));
      for (const status of RUN_STATUSES) this.set({ status }, counts.get(status) ?? 0);
    },
  });

  const cells = new Counter({
    name: 'pcs_cells_total',
    help: 'Stored cell results by outcome (pass, fail, error)',
    labelNames: ['outcome'],
    registers: [registry],
    collect: () => tally(),
  });
  const errors = new Counter({
    name: 'pcs_ollama_errors_total',
    help: 'Cells stored as errors, by classified error type (connection, timeout, model-not-found, ...)',
    labelNames: ['type'],
    registers: [registry],
    collect: () => tally(),
  });
  for (const outcome of RESULT_STATUSES) cells.inc({ outcome }, 0);
  const tally = resultTally(db, (row) => {
    cells.inc({ outcome: row.status }, row.n);
    if (row.errorType !== null) errors.inc({ type: row.errorType }, row.n);
  });

  new Gauge({
    name: 'pcs_run_verdicts_total',
    help: 'Judged (scheduled) runs by their verdict against the baseline: regression, within-noise, ...',
    labelNames: ['verdict'],
    registers: [registry],
    collect() {
      const counts = new Map(countVerdicts(db).map((row) => [row.verdict, row.n]));
      for (const verdict of [...VERDICTS, 'no-baseline']) this.set({ verdict }, counts.get(verdict) ?? 0);
    },
  });

  new Gauge({
    name: 'pcs_cell_latency_seconds',
    help: `Model latency quantiles over the last ${LATENCY_WINDOW} generated (not cached) cells`,
    labelNames: ['quantile'],
    registers: [registry],
    collect() {
      this.reset();
      const latencies = recentLatencies(db);
      for (const q of QUANTILES) {
        const value = quantile(latencies, q);
        if (value !== undefined) this.set({ quantile: String(q) }, value / 1000);
      }
    },
  });
}

function runCounts(db: DrizzleDb) {
  return db.select({ status: runs.status, n: count() }).from(runs).groupBy(runs.status).all();
}

type TallyRow = { status: string; errorType: string | null; n: number };

/**
 * Results are insert-only and their ids only grow, so each scrape counts just the rows added since the
 * previous one (a primary-key range) instead of scanning the whole table again.
 */
function resultTally(db: DrizzleDb, add: (row: TallyRow) => void): () => void {
  let counted = 0;
  return () => {
    const newest =
      db
        .select({ id: max(results.id) })
        .from(results)
        .get()?.id ?? 0;
    if (newest <= counted) return;
    const rows = db
      .select({ status: results.status, errorType: results.errorType, n: count() })
      .from(results)
      .where(and(gt(results.id, counted), lte(results.id, newest)))
      .groupBy(results.status, results.errorType)
      .all();
    for (const row of rows) add(row);
    counted = newest;
  };
}

/** Newest first through the primary key; cache hits repeat an old latency, so they are left out. */
function recentLatencies(db: DrizzleDb): number[] {
  return db
    .select({ latencyMs: results.latencyMs })
    .from(results)
    .where(and(isNotNull(results.latencyMs), eq(results.cacheHit, false)))
    .orderBy(desc(results.id))
    .limit(LATENCY_WINDOW)
    .all()
    .map((row) => row.latencyMs ?? 0)
    .sort((a, b) => a - b);
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export default fp(metrics, { name: 'metrics' });
