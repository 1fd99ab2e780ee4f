import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import {
  type NewWebhookDelivery,
  type Webhook,
  type WebhookDelivery,
  webhookDeliveries,
  webhooks,
} from '../schema.ts';

export type DeliveryInput = Omit<NewWebhookDelivery, 'id'>;

/**
 * Logs one delivery attempt. The same (idempotencyKey, attempt) recorded again — a re-run activity —
 * keeps the first row and returns its id.
 */
export function recordDelivery(db: DrizzleDb, attempt: DeliveryInput): { id: number; inserted: boolean } {
  const row = db
    .insert(webhookDeliveries)
    .values(attempt)
    .onConflictDoNothing({ target: [webhookDeliveries.idempotencyKey, webhookDeliveries.attempt] })
    .returning({ id: webhookDeliveries.id })
    .get();
  if (row) return { id: row.id, inserted: true };
  const existing = listDeliveries(db, { idempotencyKey: attempt.idempotencyKey }).find(
    (d) => d.attempt === attempt.attempt,
  );
  if (!existing) throw new Error(`delivery ${attempt.idempotencyKey}#${attempt.attempt} vanished`);
  return { id: existing.id, inserted: false };
}

/** Oldest first. */
export function listDeliveries(
  db: DrizzleDb,
  opts: { runId?: string; idempotencyKey?: string } = {},
): WebhookDelivery[] {
  const where: SQL[] = [];
  if (opts.runId) where.push(eq(webhookDeliveries.runId, opts.runId));
  if (opts.idempotencyKey) where.push(eq(webhookDeliveries.idempotencyKey, opts.idempotencyKey));
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(...where))
    .orderBy(asc(webhookDeliveries.id))
    .all();
}

export function listEnabledWebhooks(db: DrizzleDb): Webhook[] {
  return db.select().from(webhooks).where(eq(webhooks.enabled, true)).orderBy(asc(webhooks.id)).all();
}
