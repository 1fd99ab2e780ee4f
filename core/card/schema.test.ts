import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { cardJsonSchemaText } from './json-schema.ts';
import { type Card, normalizeCard } from './schema.ts';

const committedPath = new URL('../../schema/card.schema.json', import.meta.url);

describe('schema/card.schema.json', () => {
  it('is what scripts/gen-card-schema.ts generates (run it after changing the card schema)', () => {
    expect(readFileSync(committedPath, 'utf8')).toBe(cardJsonSchemaText());
  });

  it('validates cards on its own, as an editor would', () => {
    const ajv = new Ajv({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(committedPath, 'utf8')));
    const card = { name: 'ok', prompt: { template: 'hi' }, models: ['echo'], cases: [{ name: 'a' }] };
    expect(validate(card)).toBe(true);
    expect(validate({ ...card, models: ['gpt-4o'] })).toBe(false);
    expect(validate({ ...card, extra: 1 })).toBe(false);
  });
});

describe('normalizeCard', () => {
  const card: Card = { name: 'n', prompt: { template: 'x' }, models: ['echo'], cases: [{ name: 'a' }] };

  it('fills repeat, concurrency and timeoutMs', () => {
    expect(normalizeCard(card)).toEqual({ ...card, repeat: 1, concurrency: 4, timeoutMs: 60_000 });
  });

  it('keeps values the card sets', () => {
    const set = normalizeCard({ ...card, repeat: 3, concurrency: 1, timeoutMs: 500 });
    expect([set.repeat, set.concurrency, set.timeoutMs]).toEqual([3, 1, 500]);
  });
});
