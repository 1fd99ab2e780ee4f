import * as Sentry from '@sentry/node';

/** Where unexpected failures go: Sentry when SENTRY_DSN is set. Code reports through this, not Sentry. */
export type ErrorReporter = {
  capture(error: unknown, tags: Record<string, string | undefined>): void;
  /** Waits until queued events are sent (before a process exits, or in a test). */
  flush(timeoutMs?: number): Promise<boolean>;
};

/**
 * Starts Sentry for this process. It leaves OpenTelemetry to telemetry/tracing.ts (no tracer provider
 * of its own) and takes no performance data: only errors, tagged with what they were about.
 */
export function startErrorReporting(options: {
  dsn: string;
  serviceName: string;
  environment?: string;
}): ErrorReporter {
  Sentry.init({
    dsn: options.dsn,
    serverName: options.serviceName,
    environment: options.environment,
    enableRuntimeChannelInjection: false,
    // The API's error handler reports 5xx itself, with tags; Sentry's own Fastify hook would report every
    // thrown error first (4xx included), and its deduplication would then drop the tagged report.
    integrations: (defaults) => defaults.filter((integration) => integration.name !== 'Fastify'),
    initialScope: { tags: { service: options.serviceName } },
  });
  return {
    capture(error, tags) {
      const defined = Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined));
      Sentry.captureException(error, { tags: defined as Record<string, string> });
    },
    flush: (timeoutMs = 2000) => Sentry.flush(timeoutMs),
  };
}
