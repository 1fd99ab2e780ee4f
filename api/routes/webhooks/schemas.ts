import Type, { type Static } from 'typebox';
import { WEBHOOK_FORMATS } from '../../../db/schema.ts';
import { PageQuery } from '../../schemas/common.ts';

/** What a stored webhook can subscribe to: how a run ended, and a judged run's regression verdict. */
export const WEBHOOK_EVENTS = ['run.completed', 'run.failed', 'run.cancelled', 'run.regression'] as const;

export const WebhookEvent = Type.Enum([...WEBHOOK_EVENTS]);

const FORMAT_DESCRIPTION =
  'Body shape: generic JSON, or a Slack or Discord incoming-webhook message; every format is signed';

export const WebhookFormat = Type.Enum([...WEBHOOK_FORMATS], { description: FORMAT_DESCRIPTION });

export const CreateWebhookBody = Type.Object({
  url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }),
  events: Type.Optional(
    Type.Array(WebhookEvent, { minItems: 1, uniqueItems: true, description: 'All events when absent' }),
  ),
  secret: Type.Optional(
    Type.String({
      minLength: 16,
      maxLength: 256,
      description: 'HMAC key; a strong one is generated when absent',
    }),
  ),
  format: Type.Optional(
    Type.Enum([...WEBHOOK_FORMATS], { default: 'json', description: FORMAT_DESCRIPTION }),
  ),
});
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const Webhook = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  format: WebhookFormat,
  enabled: Type.Boolean(),
  createdAt: Type.Integer({ description: 'Epoch milliseconds' }),
});

export const CreatedWebhook = Type.Object({
  ...Webhook.properties,
  secret: Type.Optional(
    Type.String({ description: 'The generated secret. Shown in this reply only: store it now.' }),
  ),
});

export const WebhookParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const DeliveryQuery = Type.Object({
  ...PageQuery.properties,
  runId: Type.Optional(Type.String({ minLength: 1 })),
});

export const Delivery = Type.Object({
  id: Type.Integer(),
  event: Type.String(),
  runId: Type.Union([Type.String(), Type.Null()]),
  attempt: Type.Integer({ minimum: 1 }),
  ok: Type.Boolean(),
  statusCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
  idempotencyKey: Type.String(),
  createdAt: Type.Integer({ description: 'Epoch milliseconds' }),
});

export const PingReply = Type.Object({
  deliveryId: Type.Integer(),
  ok: Type.Boolean(),
  statusCode: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
  durationMs: Type.Integer(),
});
