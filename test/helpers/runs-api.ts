import { createHash, randomBytes } from 'node:crypto';
import { parseCard } from '../../core/card/parse.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { createApiKey } from '../../db/queries/api-keys.ts';
import { saveCardVersion } from '../../db/queries/cards.ts';
import { type ResultInput, recordResult } from '../../db/queries/results.ts';
import { createRun } from '../../db/queries/runs.ts';
import type { NewRun, Run } from '../../db/schema.ts';

/** Stores a card file as the cards API would: parsed, as a new immutable version. */
export function storeCard(db: DrizzleDb, yaml: string) {
  const card = parseCard(yaml, 'card.yaml');
  return saveCardVersion(db, {
    name: card.name,
    description: card.description ?? '',
    source: yaml,
    spec: card as Record<string, unknown>,
    contentHash: createHash('sha256').update(yaml).digest('hex'),
  });
}

/** A fresh live API key, as request headers. */
export function keyHeaders(db: DrizzleDb): { authorization: string } {
  return { authorization: `Bearer ${createApiKey(db, `test-${randomBytes(3).toString('hex')}`).key}` };
}

/** A run row with no workflow behind it: for reads that only look at the database. */
export function insertRun(
  db: DrizzleDb,
  card: { cardId: string; versionId: number },
  fields: Partial<NewRun> = {},
): Run {
  const id = fields.id ?? `${card.cardId}-stored-${randomBytes(4).toString('hex')}`;
  return createRun(db, {
    id,
    cardId: card.cardId,
    cardVersionId: card.versionId,
    trigger: 'api',
    workflowId: id,
    options: { models: ['echo'], repeat: 1, concurrency: 1 },
    totalCells: 0,
    ...fields,
  }).run;
}

export function insertResult(db: DrizzleDb, runId: string, fields: Partial<ResultInput> = {}): number {
  return recordResult(db, {
    runId,
    caseIndex: 0,
    caseName: 'case 0',
    model: 'echo',
    repeat: 0,
    status: 'pass',
    score: 1,
    renderedPrompt: 'prompt',
    ...fields,
  }).id;
}
