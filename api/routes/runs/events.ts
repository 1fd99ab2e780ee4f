import { openRunEventStream } from '../../events/stream.ts';
import { errorReplies } from '../../schemas/common.ts';
import { runProgress } from './progress.ts';
import { EventsHeaders, EventsQuery, RunParams, streamBody } from './schemas.ts';
import { findRun, type RunRouteDeps, type RunsApp, tags } from './shared.ts';

const DESCRIPTION = `Server-Sent Events. First \`snapshot\` (status and progress), then one \`cell\` event per stored
result in the order stored (its SSE id is the result id, its data a CellEvent), then \`end\` (final status,
summary, error) and the stream closes: an EventSource should close itself on \`end\`, or it reconnects.
Reconnecting with \`Last-Event-ID\` (or \`?lastEventId=\`) resends every cell after that id. \`: ping\` comments
every 15 s keep idle connections open.`;

export function runEventsRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.get(
    '/:id/events',
    {
      onRequest: app.readAccess,
      schema: {
        tags,
        summary: "Follow a run live: one event per stored cell, then the run's end",
        description: DESCRIPTION,
        params: RunParams,
        headers: EventsHeaders,
        querystring: EventsQuery,
        response: {
          200: streamBody('An event stream', 'text/event-stream'),
          ...errorReplies(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const run = findRun(deps.db, request.params.id);
      const header = request.headers['last-event-id'];
      const afterId = header === undefined ? (request.query.lastEventId ?? 0) : Number(header);
      const stream = openRunEventStream(
        {
          db: deps.db,
          relay: deps.relay,
          snapshot: async (current) => ({
            runId: current.id,
            status: current.status,
            totalCells: current.totalCells,
            progress: await runProgress({ db: deps.db, client: deps.temporal.client }, current),
          }),
          onError: (error) => request.log.error({ err: error }, 'run event stream failed'),
        },
        run.id,
        afterId,
      );
      deps.streams.add(reply.raw);
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(stream);
    },
  );
}
