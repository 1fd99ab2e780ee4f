import { CardSchema } from './schema.ts';

export const CARD_SCHEMA_ID = 'urn:prompt-card-system:card:v1';
export const CARD_SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';

/**
 * The published card JSON Schema (schema/card.schema.json): CardSchema as plain JSON with `$schema`, `$id`
 * and a title. Draft-07 because Ajv's default class validates it and every editor understands it.
 */
export function buildCardJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(CardSchema)) as Record<string, unknown>;
  return { $schema: CARD_SCHEMA_DRAFT, $id: CARD_SCHEMA_ID, title: 'Prompt card', ...plain };
}

/** The exact text of schema/card.schema.json. */
export function cardJsonSchemaText(): string {
  return `${JSON.stringify(buildCardJsonSchema(), null, 2)}\n`;
}
