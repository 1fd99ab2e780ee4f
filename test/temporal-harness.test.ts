import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthCheck } from '../workflows/health.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

describe('a real Temporal dev server', () => {
  let harness: SuiteHarness;

  beforeAll(async () => {
    harness = await createSuiteHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('runs a workflow that calls an activity on a worker', async () => {
    const { env, taskQueue } = harness;
    const worker = await harness.worker();
    const workflowId = `health-${taskQueue}`;
    const result = await worker.runUntil(env.client.workflow.execute(healthCheck, { taskQueue, workflowId }));
    expect(result.workerPid).toBe(process.pid);

    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const completed = history.events?.filter((e) => e.activityTaskCompletedEventAttributes);
    expect(completed).toHaveLength(1);
  });
});
