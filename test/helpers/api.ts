import Fastify, { type FastifyInstance } from 'fastify';
import app, { type AppDeps } from '../../api/app.ts';
import dashboard, { type DashboardOptions } from '../../api/plugins/dashboard.ts';
import { loadConfig } from '../../core/config.ts';
import type { SuiteHarness } from './suite.ts';

/**
 * The API plugin on a Fastify instance (not listening: use app.inject, or listen), wired to a suite
 * harness; with `dashboard`, it also serves the built dashboard under /ui as server.ts does.
 */
export async function buildApi(
  h: SuiteHarness,
  overrides: Partial<AppDeps> = {},
  options: { dashboard?: DashboardOptions } = {},
): Promise<FastifyInstance> {
  const config = loadConfig({});
  const fastify = Fastify({ logger: false, bodyLimit: 1 << 20 });
  await fastify.register(app, {
    db: h.database.db,
    temporal: {
      client: h.env.client,
      namespace: h.env.namespace ?? 'default',
      address: h.env.address,
      taskQueue: h.taskQueue,
      uiUrl: config.temporal.uiUrl,
    },
    ollamaHost: h.fake.url,
    redisUrl: undefined,
    http: config.http,
    ...overrides,
  });
  if (options.dashboard) await fastify.register(dashboard, options.dashboard);
  await fastify.ready();
  return fastify;
}
