import { countRuns, listRuns } from '../../../db/queries/runs.ts';
import { errorReplies, Page } from '../../schemas/common.ts';
import { Run, RunListQuery } from './schemas.ts';
import { type RunRouteDeps, type RunsApp, runReply, tags } from './shared.ts';

export function listRunsRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.get(
    '/',
    {
      onRequest: app.readAccess,
      schema: {
        tags,
        summary: 'Runs, newest first, filtered by card, status or trigger',
        querystring: RunListQuery,
        response: { 200: Page(Run), ...errorReplies(400, 401, 403) },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0, ...filter } = request.query;
      const items = listRuns(deps.db, { ...filter, limit, offset }).map(runReply);
      return { items, total: countRuns(deps.db, filter), limit, offset };
    },
  );
}
