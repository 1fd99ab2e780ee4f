import { Client, Connection } from '@temporalio/client';
import Fastify from 'fastify';
import { loadConfig } from '../core/config.ts';
import { loggerOptions } from '../core/logging.ts';
import { openDatabase } from '../db/client.ts';
import { startConfiguredTelemetry } from '../telemetry/start.ts';
import app from './app.ts';
import dashboard from './plugins/dashboard.ts';

/** The only file that listens. Everything the API needs is built here and passed into the app plugin. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const fastify = Fastify({
    logger: loggerOptions(config.log),
    bodyLimit: 1 << 20,
    // Keep-alive and aborted SSE connections must not hold up a shutdown for a minute.
    forceCloseConnections: true,
  });
  const { tracing, errors } = await startConfiguredTelemetry(config, 'pcs-api');
  const database = openDatabase(config.dbFile);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    plugins: tracing ? [tracing.plugin] : [],
  });
  fastify.addHook('onClose', async () => {
    await connection.close();
    database.close();
    await tracing?.shutdown();
    await errors?.flush();
  });

  await fastify.register(app, {
    db: database.db,
    temporal: {
      client,
      namespace: config.temporal.namespace,
      address: config.temporal.address,
      taskQueue: config.temporal.taskQueue,
      llmTaskQueue: config.temporal.llmTaskQueue,
      uiUrl: config.temporal.uiUrl,
    },
    ollamaHost: config.ollamaHost,
    redisUrl: config.redisUrl,
    http: config.http,
    tracing: tracing !== undefined,
    errors,
  });
  await fastify.register(dashboard, {
    buildDir: config.ui.buildDir,
    apiUrl: `http://${loopbackFor(config.api.host)}:${config.api.port}`,
    allowedHosts: config.http.allowedHosts,
  });
  closeOnSignals(() => fastify.close());
  await fastify.listen({ host: config.api.host, port: config.api.port });
}

/** The dashboard calls the API in this same process; a wildcard listen address is reached on loopback. */
function loopbackFor(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
}

function closeOnSignals(close: () => Promise<void>): void {
  const stop = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`API failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
