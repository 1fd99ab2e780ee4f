/**
 * Durable suite run vs a plain loop of the same HTTP calls, in one script:
 *   npm run bench -- --cells 2000 --delay 50 --concurrency 16 [--batch N] [--llm-queue]
 * Both talk to the same fake Ollama process (50 ms per call by default) at the same concurrency. The
 * durable run goes through a real Temporal dev server and a worker process that stores every result in
 * SQLite. Prints both wall times, their ratio and the worker's peak RSS. With --llm-queue the durable run
 * takes the scale path (PCS_LLM_TASK_QUEUE: prepare, generate on the LLM queue, grade and store), served
 * by the same worker process, which shows what the split itself costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Ollama } from 'ollama';
import { startSuiteRun } from '../client/start-run.ts';
import { parseCard } from '../core/card/parse.ts';
import { openDatabase } from '../db/client.ts';
import { countResultsByStatus } from '../db/queries/results.ts';
import { startTemporal, uniqueTaskQueue } from '../test/helpers/temporal.ts';
import { peakRssMiB, startFakeOllamaProcess, startWorkerProcess } from './processes.ts';

const { values } = parseArgs({
  options: {
    cells: { type: 'string', default: '2000' },
    delay: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '16' },
    batch: { type: 'string' },
    'llm-queue': { type: 'boolean', default: false },
  },
});
const cells = Number(values.cells);
const delayMs = Number(values.delay);
const concurrency = Number(values.concurrency);
const batchSize = values.batch === undefined ? undefined : Number(values.batch);
const MODEL = 'llama3.2:3b';
const splitPath = values['llm-queue'];

function benchCard(): string {
  const cases = Array.from({ length: cells }, (_, i) => `  - { name: c${i}, vars: { n: "${i}" } }`).join(
    '\n',
  );
  return `name: bench\nprompt: { template: "ticket {{ n }} billing" }\nmodels: [ollama:${MODEL}]\ndefaults:\n  assert: [{ type: icontains, value: billing }]\ncases:\n${cases}\n`;
}

async function plainLoop(url: string): Promise<number> {
  const client = new Ollama({ host: url });
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    while (next < cells) {
      const i = next++;
      const response = await client.chat({
        model: MODEL,
        messages: [{ role: 'user', content: `ticket ${i} billing` }],
        stream: false,
      });
      if (!response.message.content.toLowerCase().includes('billing')) throw new Error('unexpected reply');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return performance.now() - started;
}

type DurableFigures = {
  ms: number;
  rss: number;
  stored: number;
  firstResultMs: number;
  lastResultMs: number;
};

async function durableRun(url: string): Promise<DurableFigures> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pcs-bench-'));
  const dbFile = path.join(dir, 'pcs.sqlite');
  const env = await startTemporal();
  const taskQueue = uniqueTaskQueue('bench');
  const llmTaskQueue = splitPath ? `${taskQueue}-llm` : undefined;
  const worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: env.address,
    PCS_TASK_QUEUE: taskQueue,
    ...(llmTaskQueue ? { PCS_LLM_TASK_QUEUE: llmTaskQueue } : {}),
    PCS_DB_FILE: dbFile,
    OLLAMA_HOST: url,
  });
  const database = openDatabase(dbFile);
  try {
    const source = benchCard();
    // Parsing is the same work for any runner (and the plain loop builds its prompts untimed too).
    const card = parseCard(source, 'bench.yaml');
    const startedAt = Date.now();
    const started = performance.now();
    const run = await startSuiteRun(
      { db: database.db, client: env.client, taskQueue, llmTaskQueue },
      {
        card,
        source,
        trigger: 'cli',
        overrides: { concurrency, noCache: true },
        ...(batchSize === undefined ? {} : { tuning: { batchSize } }),
      },
    );
    await run.handle.result();
    const ms = performance.now() - started;
    const rss = peakRssMiB(worker.child.pid as number);
    const [first, last] = database.sqlite
      .prepare('SELECT min(created_at) AS first, max(created_at) AS last FROM results WHERE run_id = ?')
      .all(run.runId)
      .map((row) => row as { first: number; last: number })
      .flatMap((row) => [row.first, row.last]);
    return {
      ms,
      rss,
      stored: countResultsByStatus(database.db, run.runId).total,
      firstResultMs: (first ?? startedAt) - startedAt,
      lastResultMs: (last ?? startedAt) - startedAt,
    };
  } finally {
    database.close();
    await worker.stop();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

const fake = await startFakeOllamaProcess(delayMs);
try {
  console.log(
    `cells=${cells} delay=${delayMs}ms concurrency=${concurrency} batch=${batchSize ?? 'auto'}` +
      ` path=${splitPath ? 'scale (LLM task queue)' : 'embedded (one queue)'}`,
  );
  const ideal = Math.ceil(cells / concurrency) * delayMs;
  const loopMs = await plainLoop(fake.url);
  console.log(`plain loop:   ${(loopMs / 1000).toFixed(2)} s  (ideal ${(ideal / 1000).toFixed(2)} s)`);
  const durable = await durableRun(fake.url);
  console.log(`durable run:  ${(durable.ms / 1000).toFixed(2)} s  (${durable.stored} results stored)`);
  console.log(
    `  first result after ${durable.firstResultMs} ms, last after ${durable.lastResultMs} ms, ` +
      `run finished ${Math.round(durable.ms - durable.lastResultMs)} ms after the last result`,
  );
  console.log(`ratio:        ${(durable.ms / loopMs).toFixed(2)}x  (goal <= 1.3)`);
  console.log(`worker peak RSS: ${durable.rss} MiB  (goal < 300)`);
} finally {
  await fake.stop();
}
