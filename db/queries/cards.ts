import { createHash } from 'node:crypto';
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import type { DrizzleDb } from '../client.ts';
import { type Card, type CardVersion, cards, cardVersions } from '../schema.ts';

export interface CardVersionInput {
  name: string;
  description: string;
  source: string;
  spec: Record<string, unknown>;
  contentHash: string;
}

export interface SavedCardVersion {
  cardId: string;
  versionId: number;
  version: number;
  created: boolean;
}

/**
 * Stores a card version. Saving content whose hash the card already has returns that version
 * (created: false); otherwise the card is created if new and gets version latest+1.
 */
export function saveCardVersion(db: DrizzleDb, input: CardVersionInput): SavedCardVersion {
  // IMMEDIATE takes the write lock up front: a deferred read-then-write can fail with SQLITE_BUSY
  // without waiting when another process writes in between.
  return db.transaction(
    (tx) => {
      const now = Date.now();
      let card = tx.select().from(cards).where(eq(cards.name, input.name)).get();
      if (card) {
        const existing = tx
          .select()
          .from(cardVersions)
          .where(and(eq(cardVersions.cardId, card.id), eq(cardVersions.contentHash, input.contentHash)))
          .get();
        if (existing) {
          return { cardId: card.id, versionId: existing.id, version: existing.version, created: false };
        }
      } else {
        const taken = (id: string) => tx.select({ id: cards.id }).from(cards).where(eq(cards.id, id)).get();
        card = tx
          .insert(cards)
          .values({ id: cardIdFor(input.name, taken), name: input.name, createdAt: now })
          .returning()
          .get();
      }
      const version = card.latestVersion + 1;
      const row = tx
        .insert(cardVersions)
        .values({
          cardId: card.id,
          version,
          contentHash: input.contentHash,
          source: input.source,
          spec: input.spec,
          createdAt: now,
        })
        .returning({ id: cardVersions.id })
        .get();
      tx.update(cards)
        .set({ latestVersion: version, description: input.description, updatedAt: now })
        .where(eq(cards.id, card.id))
        .run();
      return { cardId: card.id, versionId: row.id, version, created: true };
    },
    { behavior: 'immediate' },
  );
}

export function getCard(db: DrizzleDb, id: string): Card | undefined {
  return db.select().from(cards).where(eq(cards.id, id)).get();
}

export function getCardByName(db: DrizzleDb, name: string): Card | undefined {
  return db.select().from(cards).where(eq(cards.name, name)).get();
}

export function listCards(db: DrizzleDb, opts: { includeArchived?: boolean } = {}): Card[] {
  return db
    .select()
    .from(cards)
    .where(opts.includeArchived ? undefined : isNull(cards.archivedAt))
    .orderBy(asc(cards.name))
    .all();
}

/** Newest first. */
export function listCardVersions(db: DrizzleDb, cardId: string): CardVersion[] {
  return db
    .select()
    .from(cardVersions)
    .where(eq(cardVersions.cardId, cardId))
    .orderBy(desc(cardVersions.version))
    .all();
}

export function getCardVersion(db: DrizzleDb, versionId: number): CardVersion | undefined {
  return db.select().from(cardVersions).where(eq(cardVersions.id, versionId)).get();
}

/** A URL-safe slug of the name; a short hash suffix when another card's name maps to the same slug. */
function cardIdFor(name: string, taken: (id: string) => unknown): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'card';
  if (!taken(slug)) return slug;
  return `${slug}-${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
}
