import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import errorHandler from './plugins/error-handler.ts';
import healthRoutes from './routes/health/index.ts';

export type AppDeps = {
  temporal: { client: Client; namespace: string; address: string; taskQueue: string };
};

/** The whole API as a plugin: server.ts listens, tests build it and use app.inject. */
export default async function app(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  await fastify.register(errorHandler);
  await fastify.register(healthRoutes, deps);
}
