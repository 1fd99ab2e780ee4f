import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { type ApiKey, apiKeys } from '../schema.ts';

/** Keys are shown once at creation; only their SHA-256 is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function createApiKey(
  db: DrizzleDb,
  name: string,
): { id: number; name: string; key: string; prefix: string } {
  const key = `pcs_${randomBytes(24).toString('base64url')}`;
  const prefix = key.slice(0, 10);
  const row = db
    .insert(apiKeys)
    .values({ name, keyHash: hashApiKey(key), prefix, createdAt: Date.now() })
    .returning({ id: apiKeys.id })
    .get();
  return { id: row.id, name, key, prefix };
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

export function listApiKeys(db: DrizzleDb): Omit<ApiKey, 'keyHash'>[] {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(asc(apiKeys.id))
    .all();
}

export function findApiKey(db: DrizzleDb, key: string): ApiKey | undefined {
  return db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, hashApiKey(key)))
    .get();
}
