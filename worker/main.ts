import { DefaultLogger, NativeConnection, Runtime, type TelemetryOptions } from '@temporalio/worker';
import { createResponseCache } from '../activities/cache/index.ts';
import { type Config, loadConfig } from '../core/config.ts';
import { getRun } from '../db/queries/runs.ts';
import type { ErrorReporter } from '../telemetry/errors.ts';
import { startConfiguredTelemetry } from '../telemetry/start.ts';
import { createLlmWorker, createWorker } from './create-worker.ts';
import { createWorkerDeps } from './deps.ts';
import { reportActivityFailures } from './error-reporting.ts';
import { bundleWorkflowsToFile } from './workflow-source.ts';

/** The worker process: connects to Temporal and serves the suite task queue until signalled. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  Runtime.install({
    logger: new DefaultLogger(temporalLogLevel(config.log.level)),
    telemetryOptions: telemetryOptions(config),
  });
  const { tracing, errors } = await startConfiguredTelemetry(config, 'pcs-worker');
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const base = {
    connection,
    namespace: config.temporal.namespace,
    plugins: tracing ? [tracing.plugin] : [],
  };
  try {
    if (config.workerRole === 'llm') await serveLlmQueue(config, base, errors);
    else await serveAll(config, base, { errors, tracing: tracing !== undefined });
  } finally {
    await connection.close();
    await tracing?.shutdown();
    await errors?.flush();
  }
}

type WorkerBase = Pick<Parameters<typeof createWorker>[0], 'connection' | 'namespace' | 'plugins'>;

/**
 * The run's own task queue (workflows, database activities) and, when PCS_LLM_TASK_QUEUE is set, that
 * queue too, so one host still serves everything. Runs until the Runtime shuts the workers down on
 * SIGINT/SIGTERM.
 */
async function serveAll(
  config: Config,
  base: WorkerBase,
  options: { errors: ErrorReporter | undefined; tracing: boolean },
): Promise<void> {
  const { deps, close } = createWorkerDeps(config);
  const cardOfRun = (runId: string) => getRun(deps.db, runId)?.cardId;
  const activityInterceptors = options.errors ? [reportActivityFailures(options.errors, cardOfRun)] : [];
  try {
    const workers = [
      await createWorker({
        ...base,
        taskQueue: config.temporal.taskQueue,
        deps,
        workflowBundle: await bundleWorkflowsToFile(config.dataDir, { tracing: options.tracing }),
        activityInterceptors,
      }),
    ];
    const { llmTaskQueue } = config.temporal;
    if (llmTaskQueue)
      workers.push(await createLlmWorker({ ...base, taskQueue: llmTaskQueue, deps, activityInterceptors }));
    announce(config, [config.temporal.taskQueue, ...(llmTaskQueue ? [llmTaskQueue] : [])]);
    await Promise.all(workers.map((worker) => worker.run()));
  } finally {
    await close();
  }
}

/** A worker of the LLM queue only: model calls with the response cache; it never opens the database. */
async function serveLlmQueue(
  config: Config,
  base: WorkerBase,
  errors: ErrorReporter | undefined,
): Promise<void> {
  const cache = createResponseCache({ redisUrl: config.redisUrl });
  const taskQueue = config.temporal.llmTaskQueue as string;
  try {
    const worker = await createLlmWorker({
      ...base,
      taskQueue,
      deps: { ollamaHost: config.ollamaHost, cache },
      activityInterceptors: errors ? [reportActivityFailures(errors, () => undefined)] : [],
    });
    announce(config, [taskQueue]);
    await worker.run();
  } finally {
    await cache.close();
  }
}

function announce(config: Config, queues: string[]): void {
  const names = queues.map((q) => `"${q}"`).join(' and ');
  console.log(`worker serving task queue ${names} on ${config.temporal.address}`);
  if (config.workerMetricsAddress)
    console.log(`worker metrics on http://${config.workerMetricsAddress}/metrics`);
}

/**
 * The Temporal SDK's worker metrics (task slots, poll and schedule-to-start latencies, activity and
 * workflow outcomes) on a Prometheus endpoint (`temporal_*`, durations in seconds).
 */
function telemetryOptions(config: Config): TelemetryOptions | undefined {
  if (!config.workerMetricsAddress) return undefined;
  return {
    metrics: {
      prometheus: {
        bindAddress: config.workerMetricsAddress,
        countersTotalSuffix: true,
        useSecondsForDurations: true,
      },
    },
  };
}

function temporalLogLevel(level: string): 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' {
  if (level === 'trace' || level === 'debug') return level.toUpperCase() as 'TRACE' | 'DEBUG';
  if (level === 'info') return 'INFO';
  return level === 'warn' ? 'WARN' : 'ERROR';
}

main().catch((error: unknown) => {
  console.error(`worker failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
