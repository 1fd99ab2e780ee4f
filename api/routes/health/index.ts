import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { checkTemporal, checkWorker } from '../../../client/health.ts';
import type { AppDeps } from '../../app.ts';
import readinessRoutes from './ready.ts';

const Check = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String()),
});

const HealthReply = Type.Object({
  status: Type.Enum(['ok', 'degraded']),
  temporal: Type.Object({ ...Check.properties, namespace: Type.String(), address: Type.String() }),
  worker: Type.Object({ ...Check.properties, taskQueue: Type.String() }),
});

export default async function healthRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const { temporal } = deps;
  await fastify.register(readinessRoutes, deps);
  fastify.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Temporal reachable and a worker answering on the task queue',
        response: { 200: HealthReply, 503: HealthReply },
      },
    },
    async (_request, reply) => {
      const server = await checkTemporal(temporal.client, temporal.namespace);
      const worker = server.ok
        ? await checkWorker(temporal.client, temporal.taskQueue)
        : { ok: false, latencyMs: 0, error: 'Temporal is not reachable' };
      const ok = server.ok && worker.ok;
      return reply.status(ok ? 200 : 503).send({
        status: ok ? 'ok' : 'degraded',
        temporal: { ...server, namespace: temporal.namespace, address: temporal.address },
        worker: { ...worker, taskQueue: temporal.taskQueue },
      });
    },
  );
}
