import { randomUUID } from 'node:crypto';
import { type DeliveryAttempt, deliverWebhook } from '../../../activities/notify/deliver.ts';
import { pingBody } from '../../../core/alerts/index.ts';
import type { DrizzleDb } from '../../../db/client.ts';
import { recordDelivery } from '../../../db/queries/webhooks.ts';
import type { Webhook } from '../../../db/schema.ts';

/** A user waits on this answer: give up sooner than a run's delivery does. */
const PING_TIMEOUT_MS = 5000;

/**
 * Sends one signed `ping` now, in the webhook's format, with no retry, and logs the attempt with the
 * webhook's deliveries.
 */
export async function pingWebhook(
  db: DrizzleDb,
  webhook: Webhook,
): Promise<DeliveryAttempt & { deliveryId: number }> {
  const idempotencyKey = `ping-${randomUUID()}`;
  const payload = pingBody(webhook.format, { webhookId: webhook.id, sentAt: new Date().toISOString() });
  const attempt = await deliverWebhook({
    url: webhook.url,
    secret: webhook.secret,
    event: 'ping',
    payload,
    idempotencyKey,
    timeoutMs: PING_TIMEOUT_MS,
  }).catch((error: unknown): DeliveryAttempt => ({ ok: false, error: messageOf(error), durationMs: 0 }));
  const { id } = recordDelivery(db, {
    webhookId: webhook.id,
    url: webhook.url,
    runId: null,
    event: 'ping',
    idempotencyKey,
    attempt: 1,
    statusCode: attempt.statusCode ?? null,
    ok: attempt.ok,
    error: attempt.error ?? null,
    durationMs: attempt.durationMs,
  });
  return { ...attempt, deliveryId: id };
}

/** deliverWebhook throws only for a URL that can never work. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
