import { randomBytes } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhookDeliveries,
  listWebhooks,
  type PublicWebhook,
} from '../../../db/queries/webhooks.ts';
import type { AppDeps } from '../../app.ts';
import { errorReplies, Page, PageQuery } from '../../schemas/common.ts';
import { pingWebhook } from './ping.ts';
import {
  CreatedWebhook,
  CreateWebhookBody,
  Delivery,
  DeliveryQuery,
  PingReply,
  WEBHOOK_EVENTS,
  Webhook,
  WebhookParams,
} from './schemas.ts';

const tags = ['webhooks'];

/**
 * Stored webhooks: where run outcomes are posted. Every route needs an API key, reads included: URLs and
 * delivery logs are configuration, not results.
 */
export default async function webhookRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = deps;
  const notFound = (id: number) => ({ error: 'Not Found', message: `No webhook with id ${id}.` });

  app.post(
    '/',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Subscribe a URL to run events; a generated secret is shown in this reply only',
        body: CreateWebhookBody,
        response: { 201: CreatedWebhook, ...errorReplies(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const generated = request.body.secret === undefined ? generateSecret() : undefined;
      const webhook = createWebhook(db, {
        url: request.body.url,
        secret: request.body.secret ?? generated ?? '',
        events: request.body.events ?? [...WEBHOOK_EVENTS],
        format: request.body.format ?? 'json',
      });
      const body = generated === undefined ? webhook : { ...webhook, secret: generated };
      return reply.status(201).header('location', `/webhooks/${webhook.id}`).send(body);
    },
  );

  app.get(
    '/',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Stored webhooks, oldest first (secrets are never shown)',
        querystring: PageQuery,
        response: { 200: Page(Webhook), ...errorReplies(401, 403) },
      },
    },
    async (request) => {
      const page = pageOf(request.query);
      return { ...listWebhooks(db, page), ...page };
    },
  );

  app.get(
    '/:id',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'One webhook (its secret is never shown)',
        params: WebhookParams,
        response: { 200: Webhook, ...errorReplies(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const webhook = getWebhook(db, request.params.id);
      if (!webhook) return reply.status(404).send(notFound(request.params.id));
      return withoutSecret(webhook);
    },
  );

  app.delete(
    '/:id',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Stop posting to this webhook (its delivery log is kept)',
        params: WebhookParams,
        response: { 204: Type.Null(), ...errorReplies(401, 403, 404) },
      },
    },
    async (request, reply) => {
      if (!deleteWebhook(db, request.params.id)) return reply.status(404).send(notFound(request.params.id));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/:id/test',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Send a signed `ping` event now and report how the receiver answered',
        params: WebhookParams,
        response: { 200: PingReply, ...errorReplies(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const webhook = getWebhook(db, request.params.id);
      if (!webhook) return reply.status(404).send(notFound(request.params.id));
      return pingWebhook(db, webhook);
    },
  );

  app.get(
    '/:id/deliveries',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Delivery attempts to this webhook, newest first; `runId` narrows to one run',
        params: WebhookParams,
        querystring: DeliveryQuery,
        response: { 200: Page(Delivery), ...errorReplies(401, 403, 404) },
      },
    },
    async (request, reply) => {
      if (!getWebhook(db, request.params.id)) return reply.status(404).send(notFound(request.params.id));
      const page = pageOf(request.query);
      return {
        ...listWebhookDeliveries(db, request.params.id, { ...page, runId: request.query.runId }),
        ...page,
      };
    },
  );
}

/** The schema's defaults are applied when validating; the inferred type still calls them optional. */
function pageOf(query: { limit?: number; offset?: number }): { limit: number; offset: number } {
  return { limit: query.limit ?? 50, offset: query.offset ?? 0 };
}

/** 32 random bytes: as strong as the HMAC-SHA256 key it becomes. */
function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function withoutSecret({ secret: _secret, ...webhook }: PublicWebhook & { secret: string }): PublicWebhook {
  return webhook;
}
