import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const tracer = trace.getTracer('pcs-api');
const spans = new WeakMap<FastifyRequest, Span>();

/**
 * One server span per request (`GET /runs/:id`), active while the route runs, so what the handler starts
 * — a workflow, through Temporal's client interceptor — joins the request's trace. Registered only when
 * tracing is on (telemetry/tracing.ts); /health and /metrics are not traced.
 */
async function tracing(fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics' || route.startsWith('/health')) return done();
    const span = tracer.startSpan(`${request.method} ${route}`, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'http.route': route, 'url.path': request.url },
    });
    spans.set(request, span);
    // The rest of the request's lifecycle continues from done(), so it runs inside the span's context.
    context.with(trace.setSpan(context.active(), span), done);
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const span = spans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

export default fp(tracing, { name: 'pcs-tracing' });
