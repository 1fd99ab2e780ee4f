import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest, onRequestHookHandler } from 'fastify';
import Type from 'typebox';
import type { DrizzleDb } from '../../../db/client.ts';
import {
  type CreatedApiKey as CreatedKey,
  createApiKey,
  createFirstApiKey,
  getApiKey,
  hasActiveApiKey,
  pageApiKeys,
  revokeApiKey,
} from '../../../db/queries/api-keys.ts';
import type { AppDeps } from '../../app.ts';
import { fromLoopback, hostAllowed } from '../../plugins/allowed-hosts.ts';
import { ApiError } from '../../plugins/error-handler.ts';
import { errorReplies, keyRequired, Page, PageQuery } from '../../schemas/common.ts';
import { ApiKey, CreatedApiKey, CreateKeyBody, KeyParams } from './schemas.ts';

const tags = ['keys'];

/**
 * API keys, so the dashboard can manage them without the `pcs` CLI. Every route needs a live key, except
 * creating the first one: `POST /keys` without credentials is let through while no live key exists.
 */
export default async function keyRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;

  app.post(
    '',
    {
      onRequest: firstKeyOrWriteAccess(fastify, db, deps.http.allowedHosts),
      schema: {
        tags,
        summary: 'Create a key; its secret is shown in this reply only. No key is needed while none is live',
        security: [...keyRequired, {}],
        body: CreateKeyBody,
        response: { 201: CreatedApiKey, ...errorReplies(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const name = request.body.name.trim();
      const created = request.apiKeyId === undefined ? createFirstKey(db, name) : createApiKey(db, name);
      return reply.status(201).send({ ...created, revokedAt: null });
    },
  );

  app.get(
    '',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Every key, live or revoked, oldest first (never the secret or its hash)',
        security: keyRequired,
        querystring: PageQuery,
        response: { 200: Page(ApiKey), ...errorReplies(401, 403) },
      },
    },
    async (request) => {
      const page = { limit: request.query.limit ?? 50, offset: request.query.offset ?? 0 };
      return { ...pageApiKeys(db, page), ...page };
    },
  );

  app.delete(
    '/:id',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Revoke a key (the one making this request too): 403 for it from now on',
        security: keyRequired,
        params: KeyParams,
        response: { 204: Type.Null(), ...errorReplies(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!revokeApiKey(db, id) && !getApiKey(db, id)) throw new ApiError(404, `No API key with id ${id}.`);
      return reply.status(204).send(null);
    },
  );
}

/**
 * `writeAccess`, except that a request with no credentials at all passes while no live key exists (it then
 * has no `apiKeyId`), if it comes from this machine and names an allowed host: the dashboard's server,
 * `curl` on the host, never a web page that rebinds its own name to this address. A request that sends a
 * key always has it checked: a wrong or revoked one still gets 401 or 403.
 */
function firstKeyOrWriteAccess(
  fastify: FastifyInstance,
  db: DrizzleDb,
  allowedHosts: readonly string[],
): onRequestHookHandler {
  return function firstKeyOrKey(request, reply, done) {
    if (!sendsCredentials(request) && !hasActiveApiKey(db)) {
      if (fromLoopback(request) && hostAllowed(request, allowedHosts)) return done();
      return done(new ApiError(403, FIRST_KEY_LOCAL_ONLY));
    }
    return fastify.writeAccess.call(this, request, reply, done);
  };
}

const FIRST_KEY_LOCAL_ONLY =
  'The first API key can be created without a key only on this machine: use the dashboard (Settings) ' +
  'or `npm run pcs -- keys create <name>` there.';

function sendsCredentials(request: FastifyRequest): boolean {
  return request.headers.authorization !== undefined || request.headers['x-api-key'] !== undefined;
}

/** Checked again inside the insert's transaction: a key created since the hook ran closes the way in. */
function createFirstKey(db: DrizzleDb, name: string): CreatedKey {
  const created = createFirstApiKey(db, name);
  if (created) return created;
  throw new ApiError(401, 'An API key is required: send Authorization: Bearer <key>.');
}
