import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import app, { type AppDeps } from '../../api/app.ts';
import dashboard, { type DashboardOptions } from '../../api/plugins/dashboard.ts';
import { loadConfig } from '../../core/config.ts';
import { type Db, openDatabase } from '../../db/client.ts';
import { closedPort } from './ports.ts';
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

export type DatabaseApi = { api: FastifyInstance; database: Db; close(): Promise<void> };

/**
 * The API on a fresh SQLite file, with a Temporal client that never connects (it points at a closed
 * port): for routes that only read and write the database, with no Temporal server to start.
 */
export async function buildDatabaseApi(name: string): Promise<DatabaseApi> {
  const dir = mkdtempSync(path.join(tmpdir(), `pcs-${name}-`));
  const database = openDatabase(path.join(dir, 'pcs.sqlite'));
  const connection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
  const api = Fastify({ logger: false });
  await api.register(app, {
    db: database.db,
    temporal: {
      client: new Client({ connection }),
      namespace: 'default',
      address: '',
      taskQueue: 'q',
      uiUrl: '',
    },
    ollamaHost: `http://127.0.0.1:${await closedPort()}`,
    redisUrl: undefined,
    http: loadConfig({}).http,
  });
  await api.ready();
  return {
    api,
    database,
    close: async () => {
      await api.close();
      await connection.close();
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
