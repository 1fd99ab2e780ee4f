import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { getCardVersionByNumber } from '../../../db/queries/cards.ts';
import { ApiError } from '../../plugins/error-handler.ts';
import { CardVersionParams, CardVersionReply } from '../../schemas/cards.ts';
import { errorReplies, readSecurity } from '../../schemas/common.ts';
import type { CardRouteDeps } from './index.ts';
import { findCardOr404 } from './lookup.ts';

/** GET /cards/:id/versions/:version: one stored version, exactly as it was sent. */
export default async function getCardVersionRoute(
  fastify: FastifyInstance,
  deps: CardRouteDeps,
): Promise<void> {
  fastify.withTypeProvider<TypeBoxTypeProvider>().get(
    '/:id/versions/:version',
    {
      onRequest: fastify.readAccess,
      schema: {
        tags: ['cards'],
        summary: 'One version of a card: its source and spec',
        security: readSecurity(deps.http.readsRequireKey),
        params: CardVersionParams,
        response: { 200: CardVersionReply, ...errorReplies(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const card = findCardOr404(deps.db, request.params.id);
      const version = getCardVersionByNumber(deps.db, card.id, request.params.version);
      if (!version) {
        throw new ApiError(
          404,
          `Card "${card.id}" has no version ${request.params.version} (latest: ${card.latestVersion}).`,
        );
      }
      return version;
    },
  );
}
