import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort } from './helpers/ports.ts';
import { createSuiteHarness, harnessWorkerEnv, type SuiteHarness } from './helpers/suite.ts';
import { killHard, spawnWorker, type WorkerProcess } from './helpers/worker-process.ts';

const CARD = `
name: metrics-card
prompt: { template: "Say {{ word }}" }
models: [ollama:llama3.2:3b]
cases:
  - { name: one, vars: { word: a }, assert: [{ type: contains, value: a }] }
  - { name: two, vars: { word: b }, assert: [{ type: contains, value: b }] }
`;

/** One sample's value from Prometheus text, matched by metric name and a label it must carry. */
function sample(text: string, metric: string, label: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(label));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('worker metrics endpoint (PCS_WORKER_METRICS_ADDRESS)', () => {
  let h: SuiteHarness;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    h = await createSuiteHarness();
  });
  afterAll(async () => {
    if (worker) await killHard(worker);
    await h?.close();
  });

  it("serves the Temporal SDK's metrics in Prometheus format, counting the run's workflow and activities", async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    worker = spawnWorker({
      ...harnessWorkerEnv(h),
      PCS_WORKER_METRICS_ADDRESS: address,
    });
    await worker.ready;
    const run = await h.startRun(CARD);
    expect((await run.handle.result()).status).toBe('completed');

    const response = await fetch(`http://${address}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const queue = `task_queue="${h.taskQueue}"`;
    expect(sample(text, 'temporal_workflow_completed', queue)).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'temporal_activity_execution_latency_count', 'activity_type="runCellBatch"'),
    ).toBeGreaterThanOrEqual(1);
  });
});
