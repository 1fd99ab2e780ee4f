import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import Type from 'typebox';
import { checkOllama, checkRedis, checkSqlite, checkTemporal } from '../../../client/health.ts';
import type { AppDeps } from '../../app.ts';

const Check = Type.Object({
  ok: Type.Boolean(),
  latencyMs: Type.Number(),
  error: Type.Optional(Type.String()),
});

const ReadyParts = {
  temporal: Type.Object({ ...Check.properties, namespace: Type.String(), address: Type.String() }),
  sqlite: Check,
  redis: Type.Union([
    Type.Object({ configured: Type.Literal(false) }),
    Type.Object({ configured: Type.Literal(true), ...Check.properties }),
  ]),
  ollama: Type.Object({ ...Check.properties, host: Type.String() }),
};

const ReadyReply = Type.Object(
  { status: Type.Enum(['ok', 'degraded']), ...ReadyParts },
  { description: 'Temporal and SQLite answer; `degraded` when Ollama or Redis does not' },
);
const NotReadyReply = Type.Object(
  { status: Type.Literal('unavailable'), ...ReadyParts },
  { description: 'Temporal or SQLite does not answer' },
);

const LiveReply = Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Number() });

/** `/health/live` for restarts, `/health/ready` for routing traffic: each dependency checked in parallel. */
export default async function readinessRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const redis = deps.redisUrl ? createProbeClient(deps.redisUrl) : undefined;
  if (redis) fastify.addHook('onClose', async () => redis.disconnect());

  fastify.get(
    '/health/live',
    {
      schema: {
        tags: ['health'],
        summary: 'The API process is up (no dependency is checked)',
        response: { 200: LiveReply },
      },
    },
    async () => ({ status: 'ok' as const, uptimeSeconds: Math.round(process.uptime()) }),
  );

  fastify.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Temporal, SQLite, Redis (when configured) and Ollama, each with its latency',
        response: { 200: ReadyReply, 503: NotReadyReply },
      },
    },
    async (_request, reply) => {
      const [temporal, sqlite, redisCheck, ollama] = await Promise.all([
        checkTemporal(deps.temporal.client, deps.temporal.namespace, 2000),
        checkSqlite(deps.db),
        redis ? checkRedis(redis) : undefined,
        checkOllama(deps.ollamaHost, 2000),
      ]);
      const parts = {
        temporal: { ...temporal, namespace: deps.temporal.namespace, address: deps.temporal.address },
        sqlite,
        redis: redisCheck ? { configured: true as const, ...redisCheck } : { configured: false as const },
        ollama: { ...ollama, host: deps.ollamaHost },
      };
      if (!temporal.ok || !sqlite.ok) return reply.status(503).send({ status: 'unavailable', ...parts });
      const allOk = ollama.ok && (redisCheck?.ok ?? true);
      return reply.status(200).send({ status: allOk ? 'ok' : 'degraded', ...parts });
    },
  );
}

/** A probe must answer within its own timeout, not wait out ioredis' reconnect queue. */
function createProbeClient(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    commandTimeout: 1000,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  client.on('error', () => {});
  return client;
}
