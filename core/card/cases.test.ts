import { describe, expect, it } from 'vitest';
import { resolveCase } from './cases.ts';
import type { Card } from './schema.ts';

describe('resolveCase', () => {
  const card: Card = {
    name: 'r',
    prompt: { template: '{{ a }}' },
    models: ['echo'],
    defaults: { vars: { a: 1, b: 2 }, assert: [{ type: 'latency', threshold: 100 }], threshold: 0.5 },
    cases: [
      { name: 'own', vars: { b: 3 }, assert: [{ type: 'contains', value: 'x' }], threshold: 0.9 },
      { name: 'bare' },
    ],
  };

  it('overlays case vars on default vars, appends case assertions to default ones, prefers the case threshold', () => {
    expect(resolveCase(card, 0)).toEqual({
      index: 0,
      name: 'own',
      vars: { a: 1, b: 3 },
      assert: [
        { type: 'latency', threshold: 100 },
        { type: 'contains', value: 'x' },
      ],
      threshold: 0.9,
    });
  });

  it('falls back to the defaults', () => {
    expect(resolveCase(card, 1)).toMatchObject({ vars: { a: 1, b: 2 }, threshold: 0.5 });
    expect(resolveCase(card, 1).assert).toHaveLength(1);
  });
});
