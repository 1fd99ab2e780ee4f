import { createHash } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { getCard, getCardVersion, restoreCard, saveCardVersion } from '../../../db/queries/cards.ts';
import { ApiError, issuesMessage } from '../../plugins/error-handler.ts';
import { CardBody, CardCreatedReply, CardUnchangedReply } from '../../schemas/cards.ts';
import { errorReplies, keyRequired } from '../../schemas/common.ts';
import { readCardBody } from './body.ts';
import type { CardRouteDeps } from './index.ts';

/** POST /cards: store a card; every change of content is a new immutable version. */
export default async function createCardRoute(fastify: FastifyInstance, deps: CardRouteDeps): Promise<void> {
  fastify.withTypeProvider<TypeBoxTypeProvider>().post(
    '',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags: ['cards'],
        summary: 'Create a card or store a new version of it',
        description:
          'The body is a card as JSON or YAML. Content already stored for the card answers 200 with ' +
          '`created: false`; new content is stored as the next version (201). Storing an archived card ' +
          'brings it back.',
        security: keyRequired,
        body: CardBody,
        response: {
          200: CardUnchangedReply,
          201: CardCreatedReply,
          ...errorReplies(400, 401, 403, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const read = readCardBody(request.body);
      if (!read.ok) throw new ApiError(400, `Invalid card: ${issuesMessage(read.issues)}`, read.issues);
      const saved = saveCardVersion(deps.db, {
        name: read.card.name,
        description: read.card.description ?? '',
        source: read.source,
        spec: read.card as Record<string, unknown>,
        contentHash: createHash('sha256').update(read.source).digest('hex'),
      });
      restoreCard(deps.db, saved.cardId);
      const card = getCard(deps.db, saved.cardId);
      const version = getCardVersion(deps.db, saved.versionId);
      if (!card || !version) throw new Error(`card ${saved.cardId} vanished after it was saved`);
      return reply.status(saved.created ? 201 : 200).send({
        card,
        version: {
          id: version.id,
          version: version.version,
          createdAt: version.createdAt,
          contentHash: version.contentHash,
        },
        created: saved.created,
      });
    },
  );
}
