import type { Card } from '../core/card/schema.ts';
import type { DrizzleDb } from '../db/client.ts';
import { getCard, getCardVersionByNumber } from '../db/queries/cards.ts';
import type { CardVersion } from '../db/schema.ts';

/** The card cannot be run: there is no card with this id, or it has been archived. */
export class CardUnavailableError extends Error {
  override name = 'CardUnavailableError';
  constructor(
    readonly cardId: string,
    readonly reason: 'missing' | 'archived',
  ) {
    super(
      reason === 'missing'
        ? `No card with id "${cardId}".`
        : `Card "${cardId}" is archived; store it again (pcs run, POST /cards) to run it.`,
    );
  }
}

/** The latest stored version of a card that may be run: what a schedule runs each time it fires. */
export function latestRunnableVersion(
  db: DrizzleDb,
  cardId: string,
): { card: Card; version: CardVersion; cardName: string } {
  const card = getCard(db, cardId);
  if (!card) throw new CardUnavailableError(cardId, 'missing');
  if (card.archivedAt !== null) throw new CardUnavailableError(cardId, 'archived');
  const version = getCardVersionByNumber(db, cardId, card.latestVersion);
  if (!version) throw new CardUnavailableError(cardId, 'missing');
  return { card: version.spec as Card, version, cardName: card.name };
}
