import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../worker/create-worker.ts';
import { bundleWorkflows } from '../worker/workflow-source.ts';
import { healthCheck } from '../workflows/health.ts';
import { startTemporal, uniqueTaskQueue } from './helpers/temporal.ts';

describe('a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    [env, bundle] = await Promise.all([startTemporal(), bundleWorkflows()]);
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow that calls an activity on a worker', async () => {
    const taskQueue = uniqueTaskQueue();
    const worker = await createWorker({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      deps: {},
      workflowBundle: bundle,
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(healthCheck, { taskQueue, workflowId: `health-${taskQueue}` }),
    );
    expect(result.workerPid).toBe(process.pid);

    const history = await env.client.workflow.getHandle(`health-${taskQueue}`).fetchHistory();
    const kinds = history.events?.map((e) => e.activityTaskCompletedEventAttributes).filter(Boolean);
    expect(kinds).toHaveLength(1);
  });
});
