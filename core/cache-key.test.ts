import { describe, expect, it } from 'vitest';
import { canonicalJson, RESPONSE_CACHE_KEY_PREFIX, responseCacheKey } from './cache-key.ts';

const base = {
  provider: 'ollama',
  model: 'llama3.2:3b',
  messages: [
    { role: 'system', content: 'Answer with one word.' },
    { role: 'user', content: 'Ticket: charged twice' },
  ],
  options: { temperature: 0, seed: 7 },
};

describe('responseCacheKey', () => {
  it('is a prefixed sha256 hex digest', () => {
    expect(responseCacheKey(base)).toMatch(new RegExp(`^${RESPONSE_CACHE_KEY_PREFIX}[0-9a-f]{64}$`));
  });

  it('ignores object key order, at every depth', () => {
    const reordered = {
      options: { seed: 7, temperature: 0 },
      messages: base.messages.map(({ role, content }) => ({ content, role })),
      model: base.model,
      provider: base.provider,
    };
    expect(responseCacheKey(reordered)).toBe(responseCacheKey(base));
    expect(canonicalJson({ a: 1, b: { d: [1, 2], c: 2 } })).toBe(
      canonicalJson({ b: { c: 2, d: [1, 2] }, a: 1 }),
    );
  });

  it('treats missing options and format like empty ones', () => {
    const { options: _options, ...noOptions } = base;
    expect(responseCacheKey(noOptions)).toBe(responseCacheKey({ ...noOptions, options: {} }));
    expect(responseCacheKey({ ...base, format: undefined })).toBe(responseCacheKey(base));
  });

  it('changes with every input that changes the answer', () => {
    const key = responseCacheKey(base);
    const variants = [
      { ...base, provider: 'openai' },
      { ...base, model: 'qwen2.5:7b' },
      { ...base, messages: [...base.messages].reverse() },
      { ...base, messages: [{ role: 'user', content: 'Ticket: charged twice' }] },
      { ...base, options: { temperature: 0.7, seed: 7 } },
      { ...base, format: 'json' },
      { ...base, format: { type: 'object' } },
    ];
    const keys = variants.map(responseCacheKey);
    expect(keys).not.toContain(key);
    expect(new Set(keys).size).toBe(variants.length);
  });

  it('keeps message content boundaries distinct', () => {
    const a = {
      ...base,
      messages: [
        { role: 'user', content: 'ab' },
        { role: 'user', content: 'c' },
      ],
    };
    const b = {
      ...base,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'bc' },
      ],
    };
    expect(responseCacheKey(a)).not.toBe(responseCacheKey(b));
  });
});
