import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../core/config.ts';
import type { DrizzleDb } from '../db/client.ts';
import { getRun } from '../db/queries/runs.ts';
import type { ErrorReporter } from '../telemetry/errors.ts';
import auth from './plugins/auth.ts';
import cors from './plugins/cors.ts';
import errorHandler from './plugins/error-handler.ts';
import metrics from './plugins/metrics.ts';
import openapi from './plugins/openapi.ts';
import rateLimit from './plugins/rate-limit.ts';
import tracing from './plugins/tracing.ts';
import cardRoutes from './routes/cards/index.ts';
import healthRoutes from './routes/health/index.ts';
import keyRoutes from './routes/keys/index.ts';
import modelRoutes from './routes/models/index.ts';
import runRoutes from './routes/runs/index.ts';
import scheduleRoutes from './routes/schedules/index.ts';
import webhookRoutes from './routes/webhooks/index.ts';

/** Everything the API needs, built by server.ts (or a test) and passed in: nothing here reads globals. */
export type AppDeps = {
  db: DrizzleDb;
  temporal: {
    client: Client;
    namespace: string;
    address: string;
    taskQueue: string;
    uiUrl: string;
    /** The scale path's queue for model calls (PCS_LLM_TASK_QUEUE). */
    llmTaskQueue?: string;
  };
  ollamaHost: string;
  redisUrl: string | undefined;
  http: Config['http'];
  /** Request spans (api/plugins/tracing.ts), when the process started tracing. */
  tracing?: boolean;
  /** Where 5xx errors are reported (Sentry), when configured. */
  errors?: ErrorReporter;
};

/** The whole API as a plugin: server.ts listens, tests build it and use app.inject. */
export default async function app(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  if (deps.tracing) await fastify.register(tracing);
  await fastify.register(errorHandler, {
    errors: deps.errors,
    cardOfRun: (runId) => getRun(deps.db, runId)?.cardId,
  });
  await fastify.register(openapi);
  await fastify.register(cors, deps);
  await fastify.register(metrics, deps);
  await fastify.register(auth, { db: deps.db, readsRequireKey: deps.http.readsRequireKey });
  await fastify.register(rateLimit, deps);
  await fastify.register(healthRoutes, deps);
  await fastify.register(cardRoutes, { ...deps, prefix: '/cards' });
  await fastify.register(runRoutes, { ...deps, prefix: '/runs' });
  await fastify.register(modelRoutes, { ...deps, prefix: '/models' });
  await fastify.register(webhookRoutes, { ...deps, prefix: '/webhooks' });
  await fastify.register(keyRoutes, { ...deps, prefix: '/keys' });
  await fastify.register(scheduleRoutes, { ...deps, prefix: '/schedules' });
}
