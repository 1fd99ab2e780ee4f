/**
 * API read latency under a fixed request rate:
 *   npm run bench:api -- --rate 500 --duration 10 [--results 2000] [--redis] [--path /runs/:id ...]
 * Builds the real app on a SQLite file holding one completed run with N results (Temporal is never
 * called for a finished run, so the app gets a client that never connects), listens on 127.0.0.1:0 and
 * loads it from a second process: an open-loop client that sends at a fixed rate over keep-alive
 * connections and measures each latency from the moment the request was due (so a stalled server
 * cannot hide its queue). Then `wrk`, when installed, finds the closed-loop maximum. /health/live is the
baseline: Fastify, CORS and the metrics hook without any database work. Prints figures only.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import app from '../api/app.ts';
import { loadConfig } from '../core/config.ts';
import { summarizeResults } from '../core/run/summary.ts';
import { openDatabase } from '../db/client.ts';
import { saveCardVersion } from '../db/queries/cards.ts';
import { type ResultInput, recordResult, summaryRowsForRun } from '../db/queries/results.ts';
import { createRun, finishRun } from '../db/queries/runs.ts';
import type { ResultStatus } from '../db/schema.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '500' },
    duration: { type: 'string', default: '10' },
    results: { type: 'string', default: '2000' },
    redis: { type: 'boolean', default: false },
    /** Paths to load, in turn (`:id` is the seeded run); the run, a page of its results and /health/live. */
    path: { type: 'string', multiple: true },
    // Internal: this file is also the load process.
    client: { type: 'boolean', default: false },
    url: { type: 'string' },
    warmup: { type: 'string', default: '2' },
  },
});

type LoadReport = {
  url: string;
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  /** Milliseconds, measured from when each request was due. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
};

const RUN_ID = 'bench-api-run';
const MODELS = ['llama3.2:3b', 'qwen2.5:7b'];

if (values.client) {
  const report = await loadAtFixedRate(String(values.url), Number(values.rate), Number(values.duration));
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  await main();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pcs-bench-api-'));
  const database = openDatabase(path.join(dir, 'pcs.sqlite'));
  seedCompletedRun(database, Number(values.results));
  // Never connects: a completed run is answered from SQLite alone.
  const connection = Connection.lazy({ address: '127.0.0.1:1' });
  const config = loadConfig({
    REDIS_URL: values.redis ? (process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') : '',
  });
  const fastify = Fastify({ logger: process.env.BENCH_LOG === '1' ? { level: 'error' } : false });
  await fastify.register(app, {
    db: database.db,
    temporal: {
      client: new Client({ connection }),
      namespace: 'default',
      address: '-',
      taskQueue: '-',
      uiUrl: '',
    },
    ollamaHost: config.ollamaHost,
    redisUrl: config.redisUrl,
    // The limiter stays in the path (its cost is part of every request) but never refuses.
    http: { ...config.http, rateLimit: { max: 1_000_000_000, windowMs: 60_000 } },
  });
  const base = await fastify.listen({ host: '127.0.0.1', port: 0 });
  try {
    console.log(
      `API on ${base}: one completed run with ${values.results} results, ${values.redis ? 'Redis' : 'in-memory'} rate limiter`,
    );
    const targets = values.path ?? [
      `/runs/${RUN_ID}`,
      `/runs/${RUN_ID}/results?limit=50&offset=1000`,
      '/health/live',
    ];
    for (const target of targets.map((t) => t.replaceAll(':id', RUN_ID))) {
      await assertAnswers(fastify, target);
      await runClient(`${base}${target}`, Number(values.rate), Number(values.warmup));
      printReport(await runClient(`${base}${target}`, Number(values.rate), Number(values.duration)));
      await printWrk(`${base}${target}`);
    }
  } finally {
    await fastify.close();
    await connection.close().catch(() => undefined);
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A benchmark of error replies would measure nothing useful: stop with what the route said. */
async function assertAnswers(fastify: FastifyInstance, url: string): Promise<void> {
  const res = await fastify.inject({ method: 'GET', url });
  if (res.statusCode !== 200)
    throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body.slice(0, 500)}`);
}

function seedCompletedRun(database: ReturnType<typeof openDatabase>, count: number): void {
  const { db, sqlite } = database;
  const { cardId, versionId } = saveCardVersion(db, {
    name: 'bench-api',
    description: 'API load benchmark',
    source: 'name: bench-api',
    spec: { name: 'bench-api' },
    contentHash: 'bench-api',
  });
  const repeat = Math.ceil(count / MODELS.length / 10);
  createRun(db, {
    id: RUN_ID,
    cardId,
    cardVersionId: versionId,
    trigger: 'api',
    workflowId: RUN_ID,
    options: { models: MODELS, repeat, concurrency: 8 },
    totalCells: count,
  });
  sqlite.transaction(() => {
    for (let i = 0; i < count; i++) recordResult(db, benchResult(i, repeat));
  })();
  const summary = summarizeResults(summaryRowsForRun(db, RUN_ID));
  finishRun(db, RUN_ID, { status: 'completed', summary });
}

function benchResult(i: number, repeat: number): ResultInput {
  const status: ResultStatus = i % 10 === 9 ? 'error' : i % 5 === 4 ? 'fail' : 'pass';
  return {
    runId: RUN_ID,
    caseIndex: Math.floor(i / (MODELS.length * repeat)),
    caseName: `case ${Math.floor(i / (MODELS.length * repeat))}`,
    model: MODELS[i % MODELS.length] ?? 'echo',
    repeat: Math.floor(i / MODELS.length) % repeat,
    status,
    score: status === 'pass' ? 1 : 0,
    output: status === 'error' ? null : `Queue: billing. Ticket ${i} is about a double charge.`,
    renderedPrompt: `Ticket: I was charged twice (${i})\nQueue (billing, bug, account, other):`,
    assertions: [
      { type: 'icontains', pass: status === 'pass', score: status === 'pass' ? 1 : 0, reason: 'ok' },
    ],
    reason: status === 'pass' ? 'All assertions passed' : 'Expected output to contain "billing"',
    errorType: status === 'error' ? 'timeout' : null,
    latencyMs: status === 'error' ? null : 200 + (i % 97),
    promptTokens: 24,
    completionTokens: 12,
  };
}

/** The load runs in its own process, so the server's event loop is not shared with the client's. */
async function runClient(url: string, rate: number, seconds: number): Promise<LoadReport> {
  const self = fileURLToPath(import.meta.url);
  const args = [
    '--import',
    'tsx',
    self,
    '--client',
    '--url',
    url,
    '--rate',
    String(rate),
    '--duration',
    String(seconds),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`load process exited with ${code}`);
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as LoadReport;
}

async function loadAtFixedRate(url: string, rate: number, seconds: number): Promise<LoadReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    // A request sent up to 1 ms early (no sleep that short) is timed from when it was sent.
    const from = Math.max(due, performance.now());
    pending.push(
      get(url, agent).then(
        (status) => {
          if (status === 200) latencies.push(performance.now() - from);
          else failed++;
        },
        () => {
          failed++;
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    url,
    sent: total,
    ok: latencies.length,
    failed,
    seconds: elapsed,
    p50: percentile(latencies, 0.5),
    p90: percentile(latencies, 0.9),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? 0,
  };
}

function get(url: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

function printReport(report: LoadReport): void {
  const rps = report.ok / report.seconds;
  console.log(`\nGET ${new URL(report.url).pathname}${new URL(report.url).search}`);
  console.log(
    `  fixed rate: ${report.sent} requests in ${report.seconds.toFixed(1)} s = ${rps.toFixed(0)} req/s, ${report.failed} failed`,
  );
  console.log(
    `  latency ms: p50 ${report.p50.toFixed(2)}  p90 ${report.p90.toFixed(2)}  p99 ${report.p99.toFixed(2)}  max ${report.max.toFixed(2)}`,
  );
}

/** Closed loop: as fast as 2 threads and 32 connections go. Skipped when wrk is not installed. */
async function printWrk(url: string): Promise<void> {
  try {
    const { stdout } = await promisify(execFile)('wrk', ['-t2', '-c32', '-d5s', '--latency', url]);
    const rps = /Requests\/sec:\s+(\S+)/.exec(stdout)?.[1];
    const p50 = /\s50%\s+(\S+)/.exec(stdout)?.[1];
    const p99 = /\s99%\s+(\S+)/.exec(stdout)?.[1];
    console.log(`  wrk max (32 connections): ${rps} req/s, p50 ${p50}, p99 ${p99}`);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    console.log(missing ? '  wrk not installed: no closed-loop figure' : `  wrk failed: ${String(error)}`);
  }
}
