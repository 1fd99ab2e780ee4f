import {
  type ActivityInterceptorsFactory,
  type NativeConnection,
  Worker,
  type WorkerPlugin,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { type ActivityDeps, createActivities } from '../activities/index.ts';
import { createLlmActivities } from '../activities/suite/index.ts';
import { WORKFLOWS_PATH } from './workflow-source.ts';

export type WorkerOptions = {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (tests); otherwise the worker bundles workflows/ at start. */
  workflowBundle?: WorkflowBundleOption;
  /** E.g. tracing (telemetry/tracing.ts); a pre-built bundle must then include its workflow modules. */
  plugins?: WorkerPlugin[];
  /** E.g. error reporting (worker/error-reporting.ts). */
  activityInterceptors?: ActivityInterceptorsFactory[];
};

/**
 * A worker of the LLM task queue (the scale path): model calls only, no workflows and no database, so it
 * can run on a GPU host next to Ollama.
 */
export function createLlmWorker(
  options: Omit<WorkerOptions, 'deps' | 'workflowBundle'> & {
    deps: Parameters<typeof createLlmActivities>[0];
  },
): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createLlmActivities(options.deps),
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
    plugins: options.plugins ?? [],
    interceptors: { activity: options.activityInterceptors ?? [] },
  });
}

export function createWorker(options: WorkerOptions): Promise<Worker> {
  const workflowSource = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: WORKFLOWS_PATH };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    // Heartbeats carry cancellation to activities; without this they are throttled to 80% of the timeout.
    maxHeartbeatThrottleInterval: '1 second',
    defaultHeartbeatThrottleInterval: '1 second',
    plugins: options.plugins ?? [],
    interceptors: { activity: options.activityInterceptors ?? [] },
    ...workflowSource,
  });
}
