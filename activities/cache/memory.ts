import {
  assertValidTtl,
  type CachedResponse,
  DEFAULT_RESPONSE_TTL_SECONDS,
  type ResponseCache,
} from './types.ts';

export interface MemoryResponseCacheOptions {
  maxEntries?: number;
  ttlSeconds?: number;
  /** Epoch-milliseconds clock; injectable so tests can expire entries without waiting. */
  now?: () => number;
}

interface Entry {
  value: CachedResponse;
  expiresAt: number;
}

/**
 * In-process LRU with a TTL. A Map iterates in insertion order, so re-inserting on every hit keeps the
 * least recently used entry first, which is the one evicted when the cache is full.
 */
export class MemoryResponseCache implements ResponseCache {
  readonly errors = 0;
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor({
    maxEntries = 10_000,
    ttlSeconds = DEFAULT_RESPONSE_TTL_SECONDS,
    now = Date.now,
  }: MemoryResponseCacheOptions = {}) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`cache maxEntries must be a positive integer, got ${maxEntries}`);
    }
    assertValidTtl(ttlSeconds);
    this.#maxEntries = maxEntries;
    this.#ttlSeconds = ttlSeconds;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(key, entry);
    return { ...entry.value };
  }

  async set(key: string, value: CachedResponse, ttlSeconds = this.#ttlSeconds): Promise<void> {
    assertValidTtl(ttlSeconds);
    this.#entries.delete(key);
    this.#entries.set(key, { value: { ...value }, expiresAt: this.#now() + ttlSeconds * 1000 });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
