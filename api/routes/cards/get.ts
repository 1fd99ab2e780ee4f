import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { getCardVersionByNumber, listCardVersionHeaders } from '../../../db/queries/cards.ts';
import { CardDetailReply, CardParams } from '../../schemas/cards.ts';
import { errorReplies, readSecurity } from '../../schemas/common.ts';
import type { CardRouteDeps } from './index.ts';
import { findCardOr404 } from './lookup.ts';

/** GET /cards/:id: the card, its latest version in full and the history of versions. */
export default async function getCardRoute(fastify: FastifyInstance, deps: CardRouteDeps): Promise<void> {
  fastify.withTypeProvider<TypeBoxTypeProvider>().get(
    '/:id',
    {
      onRequest: fastify.readAccess,
      schema: {
        tags: ['cards'],
        summary: 'A card with its latest source and spec and its version history',
        security: readSecurity(deps.http.readsRequireKey),
        params: CardParams,
        response: { 200: CardDetailReply, ...errorReplies(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const card = findCardOr404(deps.db, request.params.id);
      const latest = getCardVersionByNumber(deps.db, card.id, card.latestVersion);
      if (!latest) throw new Error(`card ${card.id} has no version ${card.latestVersion}`);
      return { card, latest, versions: listCardVersionHeaders(deps.db, card.id) };
    },
  );
}
