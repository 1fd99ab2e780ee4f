import { type ExportFormat, exportRun } from '../../../core/export/index.ts';
import { getCard } from '../../../db/queries/cards.ts';
import { listResults } from '../../../db/queries/results.ts';
import { errorReplies } from '../../schemas/common.ts';
import { ExportQuery, RunParams, textBody } from './schemas.ts';
import { findRun, type RunRouteDeps, type RunsApp, tags } from './shared.ts';

const FILES: Record<ExportFormat, { contentType: string; extension: string }> = {
  json: { contentType: 'application/json; charset=utf-8', extension: 'json' },
  csv: { contentType: 'text/csv; charset=utf-8', extension: 'csv' },
  junit: { contentType: 'application/xml; charset=utf-8', extension: 'xml' },
};

export function exportRunRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.get(
    '/:id/export',
    {
      onRequest: app.readAccess,
      schema: {
        tags,
        summary: "Download a run's results as JSON, CSV or JUnit XML",
        params: RunParams,
        querystring: ExportQuery,
        response: {
          200: textBody('The export file', ['application/json', 'text/csv', 'application/xml']),
          ...errorReplies(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const run = findRun(deps.db, request.params.id);
      const format = request.query.format ?? 'json';
      const results = listResults(deps.db, run.id, { limit: Number.MAX_SAFE_INTEGER });
      const cardName = getCard(deps.db, run.cardId)?.name ?? run.cardId;
      const file = FILES[format];
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${run.id}.${file.extension}"`)
        .send(exportRun(format, { run, cardName, results }));
    },
  );
}
