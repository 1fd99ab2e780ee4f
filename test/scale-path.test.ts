import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSuiteRun } from '../client/start-run.ts';
import { parseCard } from '../core/card/parse.ts';
import { countResultsByStatus } from '../db/queries/results.ts';
import { createSuiteHarness, harnessWorkerEnv, type SuiteHarness } from './helpers/suite.ts';
import { killHard, spawnWorker, type WorkerProcess } from './helpers/worker-process.ts';

// The scale path: model calls on their own task queue, served here by a worker process that has no
// database at all (its PCS_DB_FILE cannot even be created), while the run's own worker renders, grades
// and stores.

const CARD = `
name: scale-path
prompt: { template: "Route {{ ticket }}" }
models: [ollama:llama3.2:3b, ollama:qwen2.5:7b]
repeat: 2
concurrency: 3
cases:
  - { name: billing, vars: { ticket: billing }, assert: [{ type: contains, value: billing }] }
  - { name: bug, vars: { ticket: bug }, assert: [{ type: contains, value: bug }] }
  - { name: never, vars: { ticket: other }, assert: [{ type: contains, value: never-said }] }
`;

describe('scale path (PCS_LLM_TASK_QUEUE, PCS_WORKER_ROLE=llm)', () => {
  let h: SuiteHarness;
  let worker: Worker;
  let running: Promise<void>;
  let llmWorker: WorkerProcess;
  const llmQueue = `llm-${Date.now()}`;

  beforeAll(async () => {
    h = await createSuiteHarness();
    worker = await h.worker();
    running = worker.run();
    llmWorker = spawnWorker({
      ...harnessWorkerEnv(h),
      PCS_LLM_TASK_QUEUE: llmQueue,
      PCS_WORKER_ROLE: 'llm',
      PCS_DATA_DIR: '/proc/no-data-here',
      PCS_DB_FILE: '/proc/no-data-here/pcs.sqlite',
    });
    await llmWorker.ready;
  });

  afterAll(async () => {
    await killHard(llmWorker);
    worker?.shutdown();
    await running;
    await h?.close();
  });

  it('generates on the LLM queue and grades and stores on the run queue', async () => {
    const run = await startSuiteRun(
      { db: h.database.db, client: h.env.client, taskQueue: h.taskQueue, llmTaskQueue: llmQueue },
      { card: parseCard(CARD, 'scale.yaml'), source: CARD, trigger: 'api' },
    );
    expect((await run.handle.result()).status).toBe('completed');
    expect(countResultsByStatus(h.database.db, run.runId)).toEqual({ pass: 8, fail: 4, error: 0, total: 12 });
    expect(h.fake.stats.byPath['/api/chat']).toBe(12);

    const queues = new Map<string, Set<string>>();
    for (const event of (await run.handle.fetchHistory()).events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (!scheduled) continue;
      const type = scheduled.activityType?.name ?? '';
      queues.set(type, (queues.get(type) ?? new Set()).add(scheduled.taskQueue?.name ?? ''));
    }
    expect(queues.get('generateCells')).toEqual(new Set([llmQueue]));
    expect(queues.get('prepareCellPrompts')).toEqual(new Set([h.taskQueue]));
    expect(queues.get('gradeAndStoreCells')).toEqual(new Set([h.taskQueue]));
    expect(queues.has('runCellBatch')).toBe(false);
  });

  it('keeps the cells that generated when one fails transiently, and tries only that one again', async () => {
    h.fake.resetStats();
    // One batch of all 12 cells, one at a time: the fifth cell's three quick tries all fail.
    h.fake.setReply((request) => {
      if (request.requestIndex === 3) h.fake.failNext(3, { status: 503 });
      return `echo: ${request.messages?.at(-1)?.content ?? ''}`;
    });
    const run = await startSuiteRun(
      { db: h.database.db, client: h.env.client, taskQueue: h.taskQueue, llmTaskQueue: llmQueue },
      {
        card: parseCard(CARD, 'scale.yaml'),
        source: CARD,
        trigger: 'api',
        overrides: { concurrency: 1, noCache: true },
        tuning: { batchSize: 12 },
      },
    );
    expect((await run.handle.result()).status).toBe('completed');
    h.fake.setReply();
    expect(countResultsByStatus(h.database.db, run.runId)).toEqual({ pass: 8, fail: 4, error: 0, total: 12 });
    // 12 answered calls plus the 3 failed ones: the four cells before the failing one were not generated
    // again (throwing the whole batch away would have made it 19).
    expect(h.fake.stats.byPath['/api/chat']).toBe(15);
  });

  it('refuses PCS_WORKER_ROLE=llm without an LLM queue, naming the variables', async () => {
    const misconfigured = spawnWorker({ TEMPORAL_ADDRESS: h.env.address, PCS_WORKER_ROLE: 'llm' });
    await expect(misconfigured.ready).rejects.toThrow(/PCS_WORKER_ROLE=llm needs PCS_LLM_TASK_QUEUE/);
  });
});
