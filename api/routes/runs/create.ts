import type { Card } from '../../../core/card/schema.ts';
import { getCard, getCardVersionByNumber } from '../../../db/queries/cards.ts';
import { ApiError } from '../../plugins/error-handler.ts';
import { errorReplies } from '../../schemas/common.ts';
import { AcceptedRun, StartRunBody } from './schemas.ts';
import { acceptedReply, type RunRouteDeps, type RunsApp, startRunForApi, tags } from './shared.ts';

export function createRunRoute(app: RunsApp, deps: RunRouteDeps): void {
  app.post(
    '/',
    {
      onRequest: app.writeAccess,
      schema: {
        tags,
        summary: "Start a suite run of a stored card version, optionally overriding the card's run options",
        body: StartRunBody,
        response: {
          202: AcceptedRun,
          ...errorReplies(400, 401, 403, 404, 409, 503),
        },
      },
    },
    async (request, reply) => {
      const { cardId, version, ...overrides } = request.body;
      const stored = cardVersionToRun(deps, cardId, version);
      const started = await startRunForApi(deps, {
        card: stored.spec as Card,
        source: stored.source,
        trigger: 'api',
        overrides,
      });
      const body = acceptedReply(deps, started);
      return reply.status(202).header('location', body.links.self).send(body);
    },
  );
}

function cardVersionToRun(deps: RunRouteDeps, cardId: string, version: number | undefined) {
  const card = getCard(deps.db, cardId);
  if (!card) throw new ApiError(404, `No card with id "${cardId}".`);
  if (card.archivedAt !== null)
    throw new ApiError(409, `Card "${cardId}" is archived; restore it to run it.`);
  const wanted = version ?? card.latestVersion;
  const stored = getCardVersionByNumber(deps.db, cardId, wanted);
  if (!stored) {
    throw new ApiError(
      404,
      `Card "${cardId}" has no version ${wanted} (the latest is ${card.latestVersion}).`,
    );
  }
  return stored;
}
