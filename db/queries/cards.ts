import { createHash } from 'node:crypto';
import { and, asc, count, desc, eq, isNull, or, type SQL, sql } from 'drizzle-orm';
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

export interface CardPageQuery {
  /** Matched case-insensitively anywhere in the name or the description. */
  search?: string;
  includeArchived?: boolean;
  limit: number;
  offset: number;
}

/** One page of cards, most recently updated first, and how many match in all. */
export function searchCards(db: DrizzleDb, query: CardPageQuery): { items: Card[]; total: number } {
  const conditions: SQL[] = [];
  if (!query.includeArchived) conditions.push(isNull(cards.archivedAt));
  if (query.search) {
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const matches = (column: typeof cards.name | typeof cards.description) =>
      sql`${column} LIKE ${pattern} ESCAPE '\\'`;
    conditions.push(or(matches(cards.name), matches(cards.description)) as SQL);
  }
  const where = and(...conditions);
  const items = db
    .select()
    .from(cards)
    .where(where)
    // rowid: among cards updated in the same millisecond, the one created last comes first.
    .orderBy(desc(cards.updatedAt), desc(sql`rowid`))
    .limit(query.limit)
    .offset(query.offset)
    .all();
  const total = db.select({ n: count() }).from(cards).where(where).get()?.n ?? 0;
  return { items, total };
}

export type CardVersionHeader = Pick<CardVersion, 'id' | 'version' | 'createdAt' | 'contentHash'>;

/** The version history without sources and specs, newest first. */
export function listCardVersionHeaders(db: DrizzleDb, cardId: string): CardVersionHeader[] {
  return db
    .select({
      id: cardVersions.id,
      version: cardVersions.version,
      createdAt: cardVersions.createdAt,
      contentHash: cardVersions.contentHash,
    })
    .from(cardVersions)
    .where(eq(cardVersions.cardId, cardId))
    .orderBy(desc(cardVersions.version))
    .all();
}

/** Version `version` (1, 2, ...) of a card. */
export function getCardVersionByNumber(
  db: DrizzleDb,
  cardId: string,
  version: number,
): CardVersion | undefined {
  return db
    .select()
    .from(cardVersions)
    .where(and(eq(cardVersions.cardId, cardId), eq(cardVersions.version, version)))
    .get();
}

/**
 * Hides a card from lists; its versions stay, so runs keep theirs. Archiving an archived card keeps the
 * first time. Returns the card, or undefined when there is none with this id.
 */
export function archiveCard(db: DrizzleDb, id: string): Card | undefined {
  db.update(cards)
    .set({ archivedAt: Date.now() })
    .where(and(eq(cards.id, id), isNull(cards.archivedAt)))
    .run();
  return getCard(db, id);
}

/** Brings an archived card back into lists (storing a card again does this). */
export function restoreCard(db: DrizzleDb, id: string): void {
  db.update(cards).set({ archivedAt: null }).where(eq(cards.id, id)).run();
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
