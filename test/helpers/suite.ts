import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { MemoryResponseCache } from '../../activities/cache/memory.ts';
import { tableOnlyPublisher } from '../../activities/events/publisher.ts';
import type { ActivityDeps } from '../../activities/index.ts';
import { type RunOverrides, startSuiteRun } from '../../client/start-run.ts';
import { parseCard } from '../../core/card/parse.ts';
import { type Db, openDatabase } from '../../db/client.ts';
import { createWorker } from '../../worker/create-worker.ts';
import { bundleWorkflows } from '../../worker/workflow-source.ts';
import type { SuiteRunInput } from '../../workflows/shared.ts';
import { type FakeOllama, startFakeOllama } from '../fakes/ollama.ts';
import { startTemporal, uniqueTaskQueue } from './temporal.ts';

/**
 * Everything a suite-run integration test needs, per test file: a real Temporal dev server, a real SQLite
 * file, the fake Ollama, and a worker on a fresh task queue per test.
 */
export type SuiteHarness = {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundleWithSourceMap;
  database: Db;
  dbFile: string;
  fake: FakeOllama;
  taskQueue: string;
  deps(overrides?: Partial<ActivityDeps>): ActivityDeps;
  worker(overrides?: Partial<ActivityDeps>): Promise<Worker>;
  startRun(
    yaml: string,
    options?: { overrides?: RunOverrides; tuning?: Pick<SuiteRunInput, 'batchSize' | 'maxHistoryEvents'> },
  ): ReturnType<typeof startSuiteRun>;
  close(): Promise<void>;
};

export async function createSuiteHarness(): Promise<SuiteHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pcs-suite-'));
  const dbFile = path.join(dir, 'pcs.sqlite');
  const [env, bundle, fake] = await Promise.all([startTemporal(), bundleWorkflows(), startFakeOllama()]);
  const database = openDatabase(dbFile);
  const harness: SuiteHarness = {
    env,
    bundle,
    database,
    dbFile,
    fake,
    taskQueue: uniqueTaskQueue(),
    deps: (overrides = {}) => ({
      db: database.db,
      cache: new MemoryResponseCache(),
      events: tableOnlyPublisher,
      ollamaHost: fake.url,
      modelDefaults: {},
      webhooks: { urls: [], secret: undefined },
      publicUrl: 'http://pcs.test',
      regressionAlpha: 0.05,
      ...overrides,
    }),
    worker: (overrides) =>
      createWorker({
        connection: env.nativeConnection,
        namespace: env.namespace ?? 'default',
        taskQueue: harness.taskQueue,
        deps: harness.deps(overrides),
        workflowBundle: bundle,
      }),
    startRun: (yaml, options = {}) =>
      startSuiteRun(
        { db: database.db, client: env.client, taskQueue: harness.taskQueue },
        { card: parseCard(yaml, 'test-card.yaml'), source: yaml, trigger: 'api', ...options },
      ),
    close: async () => {
      await Promise.allSettled([env.teardown(), fake.close()]);
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** The environment of a worker process (test/helpers/worker-process.ts) serving the harness's task queue. */
export function harnessWorkerEnv(h: SuiteHarness): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: h.env.address,
    TEMPORAL_NAMESPACE: h.env.namespace ?? 'default',
    PCS_TASK_QUEUE: h.taskQueue,
    PCS_DB_FILE: h.dbFile,
    OLLAMA_HOST: h.fake.url,
  };
}

/** A fresh task queue for the next test, so a worker of an earlier test cannot take its tasks. */
export function nextTaskQueue(harness: SuiteHarness): void {
  harness.taskQueue = uniqueTaskQueue();
}
