import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { archiveCard } from '../../../db/queries/cards.ts';
import { ApiError } from '../../plugins/error-handler.ts';
import { CardParams } from '../../schemas/cards.ts';
import { errorReplies, keyRequired } from '../../schemas/common.ts';
import type { CardRouteDeps } from './index.ts';

/** DELETE /cards/:id: archive, never delete: runs keep the version they ran. */
export default async function archiveCardRoute(fastify: FastifyInstance, deps: CardRouteDeps): Promise<void> {
  fastify.withTypeProvider<TypeBoxTypeProvider>().delete(
    '/:id',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags: ['cards'],
        summary: 'Archive a card (hidden from the list; versions and runs are kept)',
        description: 'Archiving an archived card is a no-op. Storing the card again brings it back.',
        security: keyRequired,
        params: CardParams,
        response: {
          204: Type.Null({ description: 'Archived' }),
          ...errorReplies(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      if (!archiveCard(deps.db, request.params.id)) {
        throw new ApiError(404, `No card with id "${request.params.id}".`);
      }
      return reply.status(204).send(null);
    },
  );
}
