import type { Config } from '../core/config.ts';
import type { ErrorReporter } from './errors.ts';
import type { Tracing } from './tracing.ts';

/**
 * Tracing and error reporting as configured, each loaded only when it is on: the OpenTelemetry SDK and
 * Sentry add about 30 and 90 MiB to a process that imports them.
 */
export async function startConfiguredTelemetry(
  config: Pick<Config, 'otlpEndpoint' | 'sentry'>,
  serviceName: string,
): Promise<{ tracing: Tracing | undefined; errors: ErrorReporter | undefined }> {
  const { otlpEndpoint, sentry } = config;
  const tracing = otlpEndpoint
    ? (await import('./tracing.ts')).startTracing({ serviceName, otlpEndpoint })
    : undefined;
  const errors = sentry.dsn
    ? (await import('./errors.ts')).startErrorReporting({
        dsn: sentry.dsn,
        serviceName,
        environment: sentry.environment,
      })
    : undefined;
  return { tracing, errors };
}
