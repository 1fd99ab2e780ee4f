import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResponseCache } from '../activities/cache/index.ts';
import { MemoryResponseCache } from '../activities/cache/memory.ts';
import { RedisResponseCache } from '../activities/cache/redis.ts';
import type { CachedResponse } from '../activities/cache/types.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function response(output: string): CachedResponse {
  return {
    output,
    promptTokens: 12,
    completionTokens: 3,
    latencyMs: 420,
    model: 'llama3.2:3b',
    createdAt: 1,
  };
}

describe('MemoryResponseCache', () => {
  it('returns what was stored, unaffected by later mutation of either copy', async () => {
    const cache = new MemoryResponseCache();
    const value = response('billing');
    await cache.set('k', value);
    value.output = 'changed';
    const hit = await cache.get('k');
    expect(hit).toEqual(response('billing'));
    if (hit) hit.output = 'changed again';
    expect(await cache.get('k')).toEqual(response('billing'));
    expect(await cache.get('missing')).toBeUndefined();
  });

  it('evicts the least recently used entry when full', async () => {
    const cache = new MemoryResponseCache({ maxEntries: 2 });
    await cache.set('a', response('a'));
    await cache.set('b', response('b'));
    await cache.get('a');
    await cache.set('c', response('c'));
    expect(cache.size).toBe(2);
    expect(await cache.get('b')).toBeUndefined();
    expect((await cache.get('a'))?.output).toBe('a');
    expect((await cache.get('c'))?.output).toBe('c');
  });

  it('overwriting a key does not evict another entry', async () => {
    const cache = new MemoryResponseCache({ maxEntries: 2 });
    await cache.set('a', response('a'));
    await cache.set('b', response('b'));
    await cache.set('a', response('a2'));
    expect((await cache.get('a'))?.output).toBe('a2');
    expect((await cache.get('b'))?.output).toBe('b');
  });

  it('expires entries after the default or per-entry TTL', async () => {
    let clock = 1_000_000;
    const cache = new MemoryResponseCache({ ttlSeconds: 10, now: () => clock });
    await cache.set('default', response('default'));
    await cache.set('short', response('short'), 2);
    clock += 1_999;
    expect(await cache.get('short')).toBeDefined();
    clock += 1;
    expect(await cache.get('short')).toBeUndefined();
    clock += 7_999;
    expect(await cache.get('default')).toBeDefined();
    clock += 1;
    expect(await cache.get('default')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('rejects a non-positive TTL or size', () => {
    expect(() => new MemoryResponseCache({ ttlSeconds: 0 })).toThrow(RangeError);
    expect(() => new MemoryResponseCache({ maxEntries: 0 })).toThrow(RangeError);
  });

  it('is what the factory builds without a Redis URL', () => {
    expect(createResponseCache({})).toBeInstanceOf(MemoryResponseCache);
  });
});

describe('RedisResponseCache (real Redis)', () => {
  const prefix = `pcs:test:${randomUUID()}:`;
  let admin: Redis;

  beforeAll(async () => {
    admin = new Redis(REDIS_URL);
    await admin.ping();
  });

  afterAll(async () => {
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('round-trips a response and sets the TTL on the key', async () => {
    const cache = createResponseCache({ redisUrl: REDIS_URL, ttlSeconds: 3600 });
    expect(cache).toBeInstanceOf(RedisResponseCache);
    try {
      const key = `${prefix}round-trip`;
      expect(await cache.get(key)).toBeUndefined();
      await cache.set(key, response('billing'));
      expect(await cache.get(key)).toEqual(response('billing'));
      const ttl = await admin.ttl(key);
      expect(ttl).toBeGreaterThan(3590);
      expect(ttl).toBeLessThanOrEqual(3600);

      await cache.set(`${prefix}short`, response('bug'), 30);
      expect(await admin.ttl(`${prefix}short`)).toBeLessThanOrEqual(30);
      expect(cache.errors).toBe(0);
    } finally {
      await cache.close();
    }
  });

  it('treats a corrupt entry as a miss and deletes it', async () => {
    const cache = new RedisResponseCache(admin);
    const notJson = `${prefix}not-json`;
    const wrongShape = `${prefix}wrong-shape`;
    await admin.set(notJson, '{"output": "bill');
    await admin.set(wrongShape, JSON.stringify({ output: 'billing', promptTokens: 'twelve' }));
    expect(await cache.get(notJson)).toBeUndefined();
    expect(await cache.get(wrongShape)).toBeUndefined();
    expect(await admin.exists(notJson, wrongShape)).toBe(0);
    await cache.close();
  });

  it('leaves a client it was given open on close', async () => {
    const cache = new RedisResponseCache(admin);
    await cache.close();
    expect(await admin.ping()).toBe('PONG');
  });

  it('answers a miss and counts errors when Redis is unreachable, without throwing', {
    timeout: 10_000,
  }, async () => {
    const cache = new RedisResponseCache('redis://127.0.0.1:1');
    try {
      await expect(cache.set(`${prefix}down`, response('billing'))).resolves.toBeUndefined();
      await expect(cache.get(`${prefix}down`)).resolves.toBeUndefined();
      expect(cache.errors).toBe(2);
    } finally {
      await cache.close();
    }
  });
});
