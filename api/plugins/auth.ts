import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { DrizzleDb } from '../../db/client.ts';
import { findApiKey } from '../../db/queries/api-keys.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for routes that change state: a live API key is required. */
    writeAccess: onRequestHookHandler;
    /** onRequest hook for reads: a key is required only when PCS_READS_REQUIRE_KEY is set. */
    readAccess: onRequestHookHandler;
  }
  interface FastifyRequest {
    apiKeyId?: number;
  }
}

export type AuthOptions = { db: DrizzleDb; readsRequireKey: boolean };

/** The key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

async function auth(fastify: FastifyInstance, options: AuthOptions): Promise<void> {
  const requireKey = async (request: FastifyRequest, reply: FastifyReply) => {
    const key = presentedKey(request);
    if (!key) {
      return reply.status(401).send({
        error: 'Unauthorized',
        message: 'An API key is required: send Authorization: Bearer <key>.',
      });
    }
    const stored = findApiKey(options.db, key);
    if (!stored) return reply.status(401).send({ error: 'Unauthorized', message: 'Unknown API key.' });
    if (stored.revokedAt !== null) {
      return reply.status(403).send({ error: 'Forbidden', message: 'This API key has been revoked.' });
    }
    request.apiKeyId = stored.id;
  };
  fastify.decorate('writeAccess', requireKey);
  fastify.decorate('readAccess', options.readsRequireKey ? requireKey : async () => undefined);
}

export default fp(auth, { name: 'auth' });
