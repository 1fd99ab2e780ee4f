/**
 * How long a stored result takes to reach a client of GET /runs/:id/events:
 *   npm run bench:sse -- --cells 2000 --delay 20 --concurrency 16
 * One Temporal dev server and one fake Ollama process; per mode a worker process and the API (in this
 * process, listening on a random port). The latency of a cell is the arrival time of its SSE event minus
 * the `created_at` the worker wrote into its result row (the same machine's clock). Run twice: events
 * woken by Redis pub/sub, and by polling the results table. Prints figures; the goal is p95 <= 250 ms.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import Fastify from 'fastify';
import app from '../api/app.ts';
import { parseCard } from '../core/card/parse.ts';
import { loadConfig } from '../core/config.ts';
import { percentile } from '../core/run/summary.ts';
import { type Db, openDatabase } from '../db/client.ts';
import { createApiKey } from '../db/queries/api-keys.ts';
import { saveCardVersion } from '../db/queries/cards.ts';
import { listResults } from '../db/queries/results.ts';
import { openSse } from '../test/helpers/sse.ts';
import { startTemporal, uniqueTaskQueue } from '../test/helpers/temporal.ts';
import { startFakeOllamaProcess, startWorkerProcess } from './processes.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '2000' },
    delay: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '16' },
    redis: { type: 'string', default: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
  },
});
const cells = Number(values.cells);
const delayMs = Number(values.delay);
const concurrency = Number(values.concurrency);

type Mode = { id: string; name: string; redisUrl: string | undefined };
type Figures = { events: number; stored: number; latencies: number[]; wallMs: number };

function storeBenchCard(database: Db, modeId: string): string {
  const cases = Array.from({ length: cells }, (_, i) => `  - { name: c${i}, vars: { n: "${i}" } }`);
  const source = [
    `name: sse-bench-${modeId}`,
    `prompt: { template: "ticket {{ n }} billing ${modeId}" }`,
    'models: [ollama:llama3.2:3b]',
    `concurrency: ${concurrency}`,
    'defaults:',
    '  assert: [{ type: icontains, value: billing }]',
    'cases:',
    ...cases,
    '',
  ].join('\n');
  const card = parseCard(source, 'bench.yaml');
  return saveCardVersion(database.db, {
    name: card.name,
    description: '',
    source,
    spec: card as Record<string, unknown>,
    contentHash: createHash('sha256').update(source).digest('hex'),
  }).cardId;
}

async function startApi(database: Db, env: TestWorkflowEnvironment, taskQueue: string, mode: Mode) {
  const config = loadConfig({});
  const fastify = Fastify({ logger: false });
  await fastify.register(app, {
    db: database.db,
    temporal: {
      client: env.client,
      namespace: env.namespace ?? 'default',
      address: env.address,
      taskQueue,
      uiUrl: config.temporal.uiUrl,
    },
    ollamaHost: 'http://127.0.0.1:1',
    redisUrl: mode.redisUrl,
    http: config.http,
  });
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  return { fastify, base: `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}` };
}

async function measure(mode: Mode, env: TestWorkflowEnvironment, dbFile: string, ollamaUrl: string) {
  const database = openDatabase(dbFile);
  const taskQueue = uniqueTaskQueue(`sse-${mode.id}`);
  const worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: env.address,
    PCS_TASK_QUEUE: taskQueue,
    PCS_DB_FILE: dbFile,
    OLLAMA_HOST: ollamaUrl,
    REDIS_URL: mode.redisUrl ?? '',
  });
  const api = await startApi(database, env, taskQueue, mode);
  try {
    const cardId = storeBenchCard(database, mode.id);
    const key = createApiKey(database.db, `bench-${mode.id}`).key;
    const started = performance.now();
    const response = await fetch(`${api.base}/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ cardId, noCache: true }),
    });
    if (response.status !== 202) throw new Error(`POST /runs answered ${response.status}`);
    const { runId } = (await response.json()) as { runId: string };
    const arrivals = await followRun(`${api.base}/runs/${runId}/events`);
    const wallMs = performance.now() - started;
    const rows = listResults(database.db, runId, { limit: Number.MAX_SAFE_INTEGER });
    const latencies = rows.flatMap((row) => {
      const arrived = arrivals.get(row.id);
      return arrived === undefined ? [] : [arrived - row.createdAt];
    });
    return { events: arrivals.size, stored: rows.length, latencies, wallMs } satisfies Figures;
  } finally {
    api.fastify.server.closeAllConnections();
    await api.fastify.close();
    await worker.stop();
    database.close();
  }
}

/** Arrival time (epoch ms) of each cell event, by result id, until the end event. */
async function followRun(url: string): Promise<Map<number, number>> {
  const arrivals = new Map<number, number>();
  const stream = await openSse(url);
  for await (const event of stream.events) {
    if (event.event === 'cell') arrivals.set(Number(event.id), Date.now());
    if (event.event === 'end') break;
  }
  stream.close();
  return arrivals;
}

function report(mode: Mode, figures: Figures): void {
  const { latencies } = figures;
  const p = (n: number) => `${percentile(latencies, n)} ms`;
  console.log(
    `${mode.name.padEnd(14)} events ${figures.events}/${figures.stored}  ` +
      `p50 ${p(50)}  p95 ${p(95)}  p99 ${p(99)}  max ${Math.max(0, ...latencies)} ms  ` +
      `(run ${(figures.wallMs / 1000).toFixed(1)} s; goal p95 <= 250 ms)`,
  );
}

const modes: Mode[] = [
  { id: 'redis', name: 'redis pub/sub', redisUrl: values.redis },
  { id: 'table', name: 'table polling', redisUrl: undefined },
];
const dir = mkdtempSync(path.join(tmpdir(), 'pcs-sse-bench-'));
const fake = await startFakeOllamaProcess(delayMs);
const env = await startTemporal();
try {
  console.log(`cells=${cells} delay=${delayMs}ms concurrency=${concurrency}`);
  for (const mode of modes) {
    report(mode, await measure(mode, env, path.join(dir, 'pcs.sqlite'), fake.url));
  }
} finally {
  await env.teardown();
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
}
