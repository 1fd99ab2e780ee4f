import { errorReplies } from '../../schemas/common.ts';
import { runLinks } from './links.ts';
import { runProgress } from './progress.ts';
import { RunDetail, RunParams } from './schemas.ts';
import { findRun, type RunRouteDeps, type RunsApp, runReply, tags } from './shared.ts';

export function getRunRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.get(
    '/:id',
    {
      onRequest: app.readAccess,
      schema: {
        tags,
        summary: 'A run: its options, timestamps, summary and progress',
        params: RunParams,
        response: { 200: RunDetail, ...errorReplies(401, 403, 404) },
      },
    },
    async (request) => {
      const run = findRun(deps.db, request.params.id);
      const progress = await runProgress({ db: deps.db, client: deps.temporal.client }, run);
      return { ...runReply(run), progress, links: runLinks(deps, run.id) };
    },
  );
}
