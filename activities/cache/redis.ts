import { Redis } from 'ioredis';
import {
  assertValidTtl,
  type CachedResponse,
  DEFAULT_RESPONSE_TTL_SECONDS,
  type ResponseCache,
} from './types.ts';

export interface RedisResponseCacheOptions {
  ttlSeconds?: number;
}

/**
 * Response cache in Redis (`SET key json EX ttl`). A cache must never fail a generation: when Redis is
 * down, get answers a miss and set does nothing, and each such failure is counted in `errors`.
 * Given a URL it owns its client (and closes it); given a client, the caller keeps ownership.
 */
export class RedisResponseCache implements ResponseCache {
  readonly #client: Redis;
  readonly #ownsClient: boolean;
  readonly #ttlSeconds: number;
  #errors = 0;

  constructor(
    clientOrUrl: Redis | string,
    { ttlSeconds = DEFAULT_RESPONSE_TTL_SECONDS }: RedisResponseCacheOptions = {},
  ) {
    assertValidTtl(ttlSeconds);
    this.#ttlSeconds = ttlSeconds;
    this.#ownsClient = typeof clientOrUrl === 'string';
    this.#client = typeof clientOrUrl === 'string' ? createCacheClient(clientOrUrl) : clientOrUrl;
  }

  get errors(): number {
    return this.#errors;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    let raw: string | null;
    try {
      raw = await this.#client.get(key);
    } catch {
      this.#errors++;
      return undefined;
    }
    if (raw === null) return undefined;
    const value = parseCachedResponse(raw);
    if (!value) await this.#client.del(key).catch(() => this.#errors++);
    return value;
  }

  async set(key: string, value: CachedResponse, ttlSeconds = this.#ttlSeconds): Promise<void> {
    assertValidTtl(ttlSeconds);
    try {
      await this.#client.set(key, JSON.stringify(value), 'EX', Math.ceil(ttlSeconds));
    } catch {
      this.#errors++;
    }
  }

  async close(): Promise<void> {
    if (!this.#ownsClient) return;
    if (this.#client.status === 'ready') {
      await this.#client.quit().catch(() => this.#client.disconnect());
    } else {
      this.#client.disconnect();
    }
  }
}

/**
 * Options chosen so an outage costs a lookup at most ~1 s instead of ioredis' default of queueing the
 * command through 20 reconnect attempts.
 */
function createCacheClient(url: string): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    commandTimeout: 1000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  // Without a listener ioredis prints every connection error; failures are counted per operation instead.
  client.on('error', () => {});
  return client;
}

function parseCachedResponse(raw: string): CachedResponse | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { output, model, promptTokens, completionTokens, latencyMs, createdAt } = parsed as Record<
    string,
    unknown
  >;
  if (typeof output !== 'string' || typeof model !== 'string') return undefined;
  if (!isFiniteNumber(promptTokens) || !isFiniteNumber(completionTokens)) return undefined;
  if (!isFiniteNumber(latencyMs) || !isFiniteNumber(createdAt)) return undefined;
  return { output, promptTokens, completionTokens, latencyMs, model, createdAt };
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
