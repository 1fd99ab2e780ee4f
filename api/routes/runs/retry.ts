import type { Card } from '../../../core/card/schema.ts';
import { cellIndex } from '../../../core/run/cells.ts';
import { getCardVersion } from '../../../db/queries/cards.ts';
import { failedCellsOfRun } from '../../../db/queries/results.ts';
import type { Run } from '../../../db/schema.ts';
import { ApiError } from '../../plugins/error-handler.ts';
import { errorReplies } from '../../schemas/common.ts';
import { AcceptedRun, RunParams } from './schemas.ts';
import {
  acceptedReply,
  findRun,
  isActive,
  type RunRouteDeps,
  type RunsApp,
  startRunForApi,
  tags,
} from './shared.ts';

export function retryRunRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.post(
    '/:id/retry',
    {
      onRequest: app.writeAccess,
      schema: {
        tags,
        summary: 'Start a new run of only the cells of this run that failed or errored',
        params: RunParams,
        response: {
          202: AcceptedRun,
          ...errorReplies(401, 403, 404, 409, 503),
        },
      },
    },
    async (request, reply) => {
      const run = findRun(deps.db, request.params.id);
      if (isActive(run))
        throw new ApiError(409, `Run "${run.id}" is still ${run.status}; retry it once it ends.`);
      const cells = failedCellIndices(deps, run);
      if (cells.length === 0) throw new ApiError(409, `Run "${run.id}" has no failed or errored cells.`);
      const version = getCardVersion(deps.db, run.cardVersionId);
      if (!version) throw new Error(`card version ${run.cardVersionId} of run ${run.id} is missing`);
      const { models, repeat, concurrency, noCache } = run.options;
      const started = await startRunForApi(deps, {
        card: version.spec as Card,
        source: version.source,
        trigger: 'retry',
        // The same matrix as the first run, so the failed cells keep their positions in it.
        overrides: { models, repeat, concurrency, noCache: noCache ?? false },
        cellIndices: cells,
        retryOf: run.id,
      });
      const body = acceptedReply(deps, started);
      return reply.status(202).header('location', body.links.self).send(body);
    },
  );
}

function failedCellIndices(deps: RunRouteDeps, run: Run): number[] {
  const dims = { caseCount: 0, models: run.options.models, repeat: run.options.repeat };
  return failedCellsOfRun(deps.db, run.id)
    .map((cell) => cellIndex(dims, cell.caseIndex, cell.model, cell.repeat))
    .filter((index) => index !== undefined);
}
