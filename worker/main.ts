import { DefaultLogger, NativeConnection, Runtime, type TelemetryOptions } from '@temporalio/worker';
import { type Config, loadConfig } from '../core/config.ts';
import { getRun } from '../db/queries/runs.ts';
import { startErrorReporting } from '../telemetry/errors.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { createWorker } from './create-worker.ts';
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
  const tracing = config.otlpEndpoint
    ? startTracing({ serviceName: 'pcs-worker', otlpEndpoint: config.otlpEndpoint })
    : undefined;
  const errors = config.sentry.dsn
    ? startErrorReporting({
        dsn: config.sentry.dsn,
        serviceName: 'pcs-worker',
        environment: config.sentry.environment,
      })
    : undefined;
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const { deps, close } = createWorkerDeps(config);
  try {
    const worker = await createWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps,
      workflowBundle: await bundleWorkflowsToFile(config.dataDir, { tracing: tracing !== undefined }),
      plugins: tracing ? [tracing.plugin] : [],
      activityInterceptors: errors
        ? [reportActivityFailures(errors, (runId) => getRun(deps.db, runId)?.cardId)]
        : [],
    });
    console.log(`worker serving task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
    if (config.workerMetricsAddress)
      console.log(`worker metrics on http://${config.workerMetricsAddress}/metrics`);
    await worker.run(); // the Runtime shuts the worker down on SIGINT/SIGTERM
  } finally {
    await close();
    await connection.close();
    await tracing?.shutdown();
    await errors?.flush();
  }
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
