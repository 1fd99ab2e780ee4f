import { createRequire } from 'node:module';

/**
 * The workflow-side tracing interceptors, bundled into the workflow code when tracing is on. A module of
 * its own so the bundler can name it without loading the OpenTelemetry SDK.
 */
export const WORKFLOW_TRACING_MODULE = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry-v2/lib/workflow-interceptors',
);
