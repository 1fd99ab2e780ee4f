import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.ts';
import { createOpenStreams } from '../../events/open-streams.ts';
import { createRunEventRelay } from '../../events/relay.ts';
import { cancelRunRoute } from './cancel.ts';
import { compareRunsRoute } from './compare.ts';
import { createRunRoute } from './create.ts';
import { runEventsRoute } from './events.ts';
import { exportRunRoute } from './export.ts';
import { getRunRoute } from './get.ts';
import { listRunsRoute } from './list.ts';
import { listResultsRoute } from './results.ts';
import { retryRunRoute } from './retry.ts';

/** Suite runs: start, list, inspect, cancel, retry the failures, export, compare, and follow live over SSE. */
export default async function runRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const relay = createRunEventRelay({
    db: deps.db,
    redisUrl: deps.redisUrl,
    onError: (error) => fastify.log.warn({ err: error }, 'run event relay'),
  });
  const streams = createOpenStreams();
  // preClose, not onClose: the server waits for open connections before onClose hooks run, so event
  // streams must end (and their connections fall idle) first.
  fastify.addHook('preClose', async () => {
    await relay.close();
    await streams.ended(2000);
  });
  fastify.addHook('onClose', () => relay.close());
  const routeDeps = { ...deps, relay, streams };
  createRunRoute(app, routeDeps);
  listRunsRoute(app, routeDeps);
  getRunRoute(app, routeDeps);
  listResultsRoute(app, routeDeps);
  cancelRunRoute(app, routeDeps);
  retryRunRoute(app, routeDeps);
  exportRunRoute(app, routeDeps);
  compareRunsRoute(app, routeDeps);
  runEventsRoute(app, routeDeps);
}
