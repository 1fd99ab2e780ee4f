import { compareRuns, DEFAULT_ALPHA } from '../../../core/run/compare.ts';
import { isJudgedVerdict, type JudgedVerdict, type RunVerdict } from '../../../core/run/run-verdict.ts';
import { baselineFor } from '../../../db/queries/baselines.ts';
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
          'The run against a baseline run of the same card (its own baseline by default): what changed per case and model, and a verdict',
        params: RunParams,
        querystring: CompareQuery,
        response: { 200: RunComparisonReply, ...errorReplies(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const candidate = findRun(deps.db, request.params.id);
      const baseline =
        request.query.baseline === undefined
          ? defaultBaseline(deps, candidate)
          : findBaseline(deps, request.query.baseline);
      assertSameCard(baseline, candidate);
      const alpha = request.query.alpha ?? judgedAlpha(candidate, baseline) ?? DEFAULT_ALPHA;
      const comparison = compareRuns(
        compareRowsForRun(deps.db, baseline.id),
        compareRowsForRun(deps.db, candidate.id),
        { alpha },
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

/** The baseline the run's stored verdict was judged against, else the card's baseline rule for it. */
function defaultBaseline(deps: RunRouteDeps, run: Run): Run {
  const judgedAgainst = storedVerdict(run)?.baselineRunId;
  const baseline = (judgedAgainst ? getRun(deps.db, judgedAgainst) : undefined) ?? baselineFor(deps.db, run);
  if (baseline) return baseline;
  throw new ApiError(
    404,
    `Run "${run.id}" has no baseline: no run is pinned for card "${run.cardId}" and no earlier completed ` +
      'run of the same card version and models exists. Pass ?baseline=<runId>, or pin one with ' +
      `PUT /cards/${run.cardId}/baseline.`,
  );
}

/** The stored verdict's alpha, when comparing with the baseline that verdict was judged against. */
function judgedAlpha(candidate: Run, baseline: Run): number | undefined {
  const verdict = storedVerdict(candidate);
  return verdict?.baselineRunId === baseline.id ? verdict.alpha : undefined;
}

function storedVerdict(run: Run): JudgedVerdict | undefined {
  const verdict = run.verdict as RunVerdict | null;
  return verdict && isJudgedVerdict(verdict) ? verdict : undefined;
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
