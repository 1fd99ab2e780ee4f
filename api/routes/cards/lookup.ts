import type { DrizzleDb } from '../../../db/client.ts';
import { getCard } from '../../../db/queries/cards.ts';
import type { Card } from '../../../db/schema.ts';
import { ApiError } from '../../plugins/error-handler.ts';

export function findCardOr404(db: DrizzleDb, id: string): Card {
  const card = getCard(db, id);
  if (!card) throw new ApiError(404, `No card with id "${id}".`);
  return card;
}
