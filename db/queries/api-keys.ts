import { createHash, randomBytes } from 'node:crypto';
import { and, asc, count, eq, isNull } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { type ApiKey, apiKeys } from '../schema.ts';

/** The longest name a key may have, for the CLI and the API alike. */
export const API_KEY_NAME_MAX_LENGTH = 100;

/** A key as it may be shown: never its hash, and the secret only once, in CreatedApiKey. */
export type PublicApiKey = Omit<ApiKey, 'keyHash'>;

export type CreatedApiKey = { id: number; name: string; key: string; prefix: string; createdAt: number };

const publicColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  revokedAt: apiKeys.revokedAt,
};

/** Keys are shown once at creation; only their SHA-256 is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Works inside a transaction too: it needs only `insert`. */
export function createApiKey(db: Pick<DrizzleDb, 'insert'>, name: string): CreatedApiKey {
  const key = `pcs_${randomBytes(24).toString('base64url')}`;
  const prefix = key.slice(0, 10);
  const createdAt = Date.now();
  const row = db
    .insert(apiKeys)
    .values({ name, keyHash: hashApiKey(key), prefix, createdAt })
    .returning({ id: apiKeys.id })
    .get();
  return { id: row.id, name, key, prefix, createdAt };
}

/** True while at least one key has not been revoked. */
export function hasActiveApiKey(db: Pick<DrizzleDb, 'select'>): boolean {
  return (
    db.select({ id: apiKeys.id }).from(apiKeys).where(isNull(apiKeys.revokedAt)).limit(1).get() !== undefined
  );
}

/**
 * Creates a key only while no live key exists (a fresh install's first key); undefined otherwise. The check
 * and the insert share one IMMEDIATE transaction, so two callers racing (in one process or two) cannot both
 * get a key this way.
 */
export function createFirstApiKey(db: DrizzleDb, name: string): CreatedApiKey | undefined {
  return db.transaction((tx) => (hasActiveApiKey(tx) ? undefined : createApiKey(tx, name)), {
    behavior: 'immediate',
  });
}

/** True when a live key was revoked now; false when it does not exist or was already revoked. */
export function revokeApiKey(db: DrizzleDb, id: number): boolean {
  const result = db
    .update(apiKeys)
    .set({ revokedAt: Date.now() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .run();
  return result.changes > 0;
}

/** Every key, live or revoked, oldest first. */
export function listApiKeys(db: DrizzleDb): PublicApiKey[] {
  return db.select(publicColumns).from(apiKeys).orderBy(asc(apiKeys.id)).all();
}

/** One page of keys, oldest first, and how many there are in all. */
export function pageApiKeys(
  db: DrizzleDb,
  page: { limit: number; offset: number },
): { items: PublicApiKey[]; total: number } {
  const items = db
    .select(publicColumns)
    .from(apiKeys)
    .orderBy(asc(apiKeys.id))
    .limit(page.limit)
    .offset(page.offset)
    .all();
  const total = db.select({ n: count() }).from(apiKeys).get()?.n ?? 0;
  return { items, total };
}

export function getApiKey(db: DrizzleDb, id: number): PublicApiKey | undefined {
  return db.select(publicColumns).from(apiKeys).where(eq(apiKeys.id, id)).get();
}

/** The stored key a secret belongs to, by its hash. */
export function findApiKey(db: DrizzleDb, key: string): ApiKey | undefined {
  return db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hashApiKey(key)))
    .get();
}
