import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { CardBody, ValidateCardReply } from '../../schemas/cards.ts';
import { errorReplies, readSecurity } from '../../schemas/common.ts';
import { readCardBody } from './body.ts';
import type { CardRouteDeps } from './index.ts';

/** POST /cards/validate: check a card without storing it; a bad card is an answer here, not an error. */
export default async function validateCardRoute(
  fastify: FastifyInstance,
  deps: CardRouteDeps,
): Promise<void> {
  fastify.withTypeProvider<TypeBoxTypeProvider>().post(
    '/validate',
    {
      onRequest: fastify.readAccess,
      schema: {
        tags: ['cards'],
        summary: 'Validate a card without storing it',
        description:
          'Same parsing and checks as POST /cards. Answers 200 either way, so an editor can call it as ' +
          'you type: `{ valid: true }` or `{ valid: false, issues }` (YAML issues carry line and column).',
        security: readSecurity(deps.http.readsRequireKey),
        body: CardBody,
        response: { 200: ValidateCardReply, ...errorReplies(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const read = readCardBody(request.body);
      return read.ok ? { valid: true } : { valid: false, issues: read.issues };
    },
  );
}
