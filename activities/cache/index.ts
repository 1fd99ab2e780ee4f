import { MemoryResponseCache } from './memory.ts';
import { RedisResponseCache } from './redis.ts';
import type { ResponseCache } from './types.ts';

export type { CachedResponse, ResponseCache } from './types.ts';

export interface ResponseCacheConfig {
  /** When set, the cache is shared through Redis; otherwise it lives in this process. */
  redisUrl?: string;
  /** Memory cache only. */
  maxEntries?: number;
  ttlSeconds?: number;
}

export function createResponseCache({
  redisUrl,
  maxEntries,
  ttlSeconds,
}: ResponseCacheConfig = {}): ResponseCache {
  if (redisUrl) return new RedisResponseCache(redisUrl, { ttlSeconds });
  return new MemoryResponseCache({ maxEntries, ttlSeconds });
}
