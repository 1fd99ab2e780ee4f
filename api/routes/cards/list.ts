import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { searchCards } from '../../../db/queries/cards.ts';
import { CardSummary } from '../../schemas/cards.ts';
import { errorReplies, Page, PageQuery, readSecurity } from '../../schemas/common.ts';
import type { CardRouteDeps } from './index.ts';

const ListCardsQuery = Type.Object({
  ...PageQuery.properties,
  search: Type.Optional(
    Type.String({ maxLength: 200, description: 'Text to find in the name or description (any case)' }),
  ),
  includeArchived: Type.Optional(Type.Boolean({ default: false, description: 'List archived cards too' })),
});

/** GET /cards: one page of cards, most recently updated first. */
export default async function listCardsRoute(fastify: FastifyInstance, deps: CardRouteDeps): Promise<void> {
  fastify.withTypeProvider<TypeBoxTypeProvider>().get(
    '',
    {
      onRequest: fastify.readAccess,
      schema: {
        tags: ['cards'],
        summary: 'List cards, most recently updated first',
        security: readSecurity(deps.http.readsRequireKey),
        querystring: ListCardsQuery,
        response: {
          200: Page(CardSummary, { description: 'A page of cards' }),
          ...errorReplies(400, 401, 403),
        },
      },
    },
    async (request) => {
      const { search, includeArchived = false, limit = 50, offset = 0 } = request.query;
      const page = searchCards(deps.db, { search: search?.trim(), includeArchived, limit, offset });
      return { ...page, limit, offset };
    },
  );
}
