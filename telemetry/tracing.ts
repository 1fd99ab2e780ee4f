import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry-v2';

export type Tracing = {
  /** Temporal's client, workflow and activity interceptors: give it to the Client and the Worker. */
  plugin: OpenTelemetryPlugin;
  /** Flushes what is buffered and stops the SDK. */
  shutdown(): Promise<void>;
};

/**
 * Starts the OpenTelemetry SDK for this process (global tracer provider, async context, W3C trace
 * context propagation) and exports spans over OTLP/HTTP to `otlpEndpoint`; tests pass their own span
 * processor instead. Without a call to this, every span in the code is a no-op.
 */
export function startTracing(options: {
  serviceName: string;
  otlpEndpoint?: string;
  spanProcessor?: SpanProcessor;
}): Tracing {
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName });
  const spanProcessor =
    options.spanProcessor ??
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.otlpEndpoint}/v1/traces` }));
  const sdk = new NodeSDK({ resource, spanProcessors: [spanProcessor], instrumentations: [] });
  sdk.start();
  return { plugin: new OpenTelemetryPlugin({ resource, spanProcessor }), shutdown: () => sdk.shutdown() };
}
