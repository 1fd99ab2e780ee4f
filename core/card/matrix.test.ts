import { describe, expect, it } from 'vitest';
import { expandMatrix } from './matrix.ts';
import type { Card } from './schema.ts';

function card(caseCount: number, models: string[], repeat?: number): Card {
  const cases = Array.from({ length: caseCount }, (_, i) => ({ name: `case ${i}` }));
  return { name: 'm', prompt: { template: 'x' }, models, cases, ...(repeat ? { repeat } : {}) };
}

describe('expandMatrix', () => {
  it('orders cells case-major, then model, then 0-based repeat', () => {
    const cells = expandMatrix(card(2, ['ollama:a', 'echo'], 2));
    expect(cells.map((c) => c.key)).toEqual([
      '0/ollama:a/0',
      '0/ollama:a/1',
      '0/echo/0',
      '0/echo/1',
      '1/ollama:a/0',
      '1/ollama:a/1',
      '1/echo/0',
      '1/echo/1',
    ]);
    expect(cells[5]).toEqual({
      key: '1/ollama:a/1',
      caseIndex: 1,
      caseName: 'case 1',
      model: 'ollama:a',
      repeat: 1,
    });
  });

  it('uses repeat 1 when the card does not set it', () => {
    expect(expandMatrix(card(3, ['echo'])).map((c) => c.repeat)).toEqual([0, 0, 0]);
  });

  it('applies model and repeat overrides', () => {
    const cells = expandMatrix(card(2, ['ollama:a', 'ollama:b'], 5), { models: ['ollama:c'], repeat: 2 });
    expect(cells.map((c) => c.key)).toEqual(['0/ollama:c/0', '0/ollama:c/1', '1/ollama:c/0', '1/ollama:c/1']);
  });

  it('keeps keys unique for models whose names contain slashes', () => {
    const cells = expandMatrix(card(12, ['ollama:hf.co/a/b:1', 'ollama:hf.co/a', 'echo'], 11));
    expect(new Set(cells.map((c) => c.key)).size).toBe(cells.length);
  });

  it('expands 10,000+ cells with unique keys', () => {
    const cells = expandMatrix(card(500, ['ollama:a', 'ollama:b', 'ollama:c', 'echo'], 10));
    expect(cells).toHaveLength(20_000);
    expect(new Set(cells.map((c) => c.key)).size).toBe(20_000);
    expect(cells.at(-1)?.key).toBe('499/echo/9');
  });

  it('rejects overrides that would make an empty or ambiguous matrix', () => {
    const c = card(1, ['echo']);
    expect(() => expandMatrix(c, { models: [] })).toThrow(RangeError);
    expect(() => expandMatrix(c, { models: ['echo', 'echo'] })).toThrow(RangeError);
    expect(() => expandMatrix(c, { repeat: 0 })).toThrow(RangeError);
    expect(() => expandMatrix(c, { repeat: 1.5 })).toThrow(RangeError);
  });
});
