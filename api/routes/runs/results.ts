import { countResults, listResults } from '../../../db/queries/results.ts';
import { errorReplies, Page } from '../../schemas/common.ts';
import { Result, ResultListQuery, RunParams } from './schemas.ts';
import { findRun, type RunRouteDeps, type RunsApp, tags } from './shared.ts';

export function listResultsRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.get(
    '/:id/results',
    {
      onRequest: app.readAccess,
      schema: {
        tags,
        summary: "A run's results in the order they were stored, filtered by status, model or case name",
        params: RunParams,
        querystring: ResultListQuery,
        response: { 200: Page(Result), ...errorReplies(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const run = findRun(deps.db, request.params.id);
      const { limit = 50, offset = 0, case: caseName, ...rest } = request.query;
      const filter = { ...rest, caseName };
      const items = listResults(deps.db, run.id, { ...filter, limit, offset });
      return { items, total: countResults(deps.db, run.id, filter), limit, offset };
    },
  );
}
