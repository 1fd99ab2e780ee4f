import { compareRuns } from '../../../core/run/compare.ts';
import { compareRowsForRun } from '../../../db/queries/compare.ts';
import { getRun } from '../../../db/queries/runs.ts';
import type { Run } from '../../../db/schema.ts';
import { ApiError } from '../../plugins/error-handler.ts';
import { errorReplies } from '../../schemas/common.ts';
import { CompareQuery, RunComparisonReply } from './compare-schemas.ts';
import { RunParams } from './schemas.ts';
import { findRun, type RunRouteDeps, type RunsApp, tags } from './shared.ts';

export function compareRunsRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.get(
    '/:id/compare',
    {
      onRequest: app.readAccess,
      schema: {
        tags,
        summary:
          'The run against a baseline run of the same card: what changed per case and model, and a verdict',
        params: RunParams,
        querystring: CompareQuery,
        response: { 200: RunComparisonReply, ...errorReplies(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const candidate = findRun(deps.db, request.params.id);
      const baseline = findBaseline(deps, request.query.baseline);
      assertSameCard(baseline, candidate);
      const comparison = compareRuns(
        compareRowsForRun(deps.db, baseline.id),
        compareRowsForRun(deps.db, candidate.id),
        { alpha: request.query.alpha },
      );
      return { baseline: runRef(baseline), candidate: runRef(candidate), ...comparison };
    },
  );
}

function findBaseline(deps: RunRouteDeps, id: string): Run {
  const run = getRun(deps.db, id);
  if (!run) throw new ApiError(404, `No baseline run with id "${id}".`);
  return run;
}

function assertSameCard(baseline: Run, candidate: Run): void {
  if (baseline.cardId === candidate.cardId) return;
  const message = `is a run of card "${baseline.cardId}", but run "${candidate.id}" is of card "${candidate.cardId}"`;
  throw new ApiError(
    400,
    `Baseline "${baseline.id}" ${message}: only runs of the same card can be compared.`,
    [{ path: 'query.baseline', message }],
  );
}

function runRef(run: Run) {
  return { id: run.id, cardId: run.cardId, cardVersionId: run.cardVersionId, status: run.status };
}
