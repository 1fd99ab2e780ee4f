import type { Card } from '../../core/card/schema.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { getCardVersion } from '../../db/queries/cards.ts';

/** Card versions are immutable, so a worker can keep the parsed ones it has loaded. */
export function createCardLoader(db: DrizzleDb): (versionId: number) => Card {
  const loaded = new Map<number, Card>();
  return (versionId) => {
    const cached = loaded.get(versionId);
    if (cached) return cached;
    const version = getCardVersion(db, versionId);
    if (!version) throw new Error(`card version ${versionId} does not exist`);
    const card = version.spec as Card;
    loaded.set(versionId, card);
    return card;
  };
}
