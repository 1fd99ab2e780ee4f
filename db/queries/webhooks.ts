import { and, asc, count, desc, eq, type SQL } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import {
  type NewWebhookDelivery,
  type Webhook,
  type WebhookDelivery,
  type WebhookFormat,
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

export type WebhookInput = { url: string; secret: string; events: string[]; format?: WebhookFormat };

/** A stored webhook as the API shows it: the secret stays in the database. */
export type PublicWebhook = Omit<Webhook, 'secret'>;

const publicColumns = {
  id: webhooks.id,
  url: webhooks.url,
  events: webhooks.events,
  format: webhooks.format,
  enabled: webhooks.enabled,
  createdAt: webhooks.createdAt,
};

export function createWebhook(db: DrizzleDb, input: WebhookInput): PublicWebhook {
  return db
    .insert(webhooks)
    .values({ ...input, createdAt: Date.now() })
    .returning(publicColumns)
    .get();
}

/** With its secret: for signing, never for a reply. */
export function getWebhook(db: DrizzleDb, id: number): Webhook | undefined {
  return db.select().from(webhooks).where(eq(webhooks.id, id)).get();
}

/** Oldest first. */
export function listWebhooks(db: DrizzleDb, page: { limit: number; offset: number }): Paged<PublicWebhook> {
  const items = db
    .select(publicColumns)
    .from(webhooks)
    .orderBy(asc(webhooks.id))
    .limit(page.limit)
    .offset(page.offset)
    .all();
  const total = db.select({ n: count() }).from(webhooks).get()?.n ?? 0;
  return { items, total };
}

/** Its delivery log stays (webhook_id set to null): it records what was sent. */
export function deleteWebhook(db: DrizzleDb, id: number): boolean {
  return db.delete(webhooks).where(eq(webhooks.id, id)).run().changes > 0;
}

export type Paged<T> = { items: T[]; total: number };

/** Newest first: the log a user reads when a receiver reports trouble. */
export function listWebhookDeliveries(
  db: DrizzleDb,
  webhookId: number,
  opts: { runId?: string; limit: number; offset: number },
): Paged<WebhookDelivery> {
  const where = and(
    eq(webhookDeliveries.webhookId, webhookId),
    opts.runId === undefined ? undefined : eq(webhookDeliveries.runId, opts.runId),
  );
  const items = db
    .select()
    .from(webhookDeliveries)
    .where(where)
    .orderBy(desc(webhookDeliveries.id))
    .limit(opts.limit)
    .offset(opts.offset)
    .all();
  const total = db.select({ n: count() }).from(webhookDeliveries).where(where).get()?.n ?? 0;
  return { items, total };
}
