import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Redis } from 'ioredis';
import type { DrizzleDb } from '../../db/client.ts';
import { findApiKey } from '../../db/queries/api-keys.ts';
import { CLIENT_ADDRESS_HEADER, fromLoopback } from './allowed-hosts.ts';

export type RateLimitOptions = {
  db: DrizzleDb;
  redisUrl: string | undefined;
  http: { rateLimit: { max: number; windowMs: number } };
};

/**
 * Probes and scrapes must keep answering while a client is being throttled. Dashboard pages and assets
 * are exempt too: the API calls a page makes are limited on their own routes.
 */
export function isRateLimitExempt(route: string | undefined): boolean {
  if (route === undefined) return false;
  return (
    ['/metrics', '/health', '/ui'].includes(route) || route.startsWith('/health/') || route.startsWith('/ui/')
  );
}

/**
 * `RATE_LIMIT_MAX` requests per `RATE_LIMIT_WINDOW_MS` per client: an API key (by id) or else an IP.
 * Counters live in Redis when REDIS_URL is set, so every API process shares them; in memory otherwise.
 */
async function rateLimit(fastify: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const redis = options.redisUrl ? createLimiterClient(options.redisUrl) : undefined;
  if (redis) fastify.addHook('onClose', () => closeClient(redis));
  await fastify.register(fastifyRateLimit, {
    // Applied by the hook below instead of per route: see there.
    global: false,
    max: options.http.rateLimit.max,
    timeWindow: options.http.rateLimit.windowMs,
    keyGenerator: (request) => clientKey(options.db, request),
    ...(redis ? { redis, nameSpace: 'pcs:rate-limit:' } : {}),
    // A Redis outage lets requests through rather than failing the whole API.
    skipOnError: true,
  });
  // Without options it uses the store above as is (keys `pcs:rate-limit:key:7`, `pcs:rate-limit:ip:…`).
  const check = fastify.createRateLimit();

  // An app-wide onRequest hook runs before the routes' own auth hooks, so requests with a missing or
  // wrong key are limited too (per IP) and cannot be used to guess keys at full speed.
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (isRateLimitExempt(request.routeOptions.url)) return;
    const limit = await check(request);
    if (limit.isAllowed) return;
    reply.header('x-ratelimit-limit', limit.max);
    reply.header('x-ratelimit-remaining', limit.remaining);
    reply.header('x-ratelimit-reset', limit.ttlInSeconds);
    if (!limit.isExceeded) return;
    return reply
      .status(429)
      .header('retry-after', limit.ttlInSeconds)
      .send({
        error: 'Too Many Requests',
        message: `Rate limit of ${limit.max} requests per ${limit.timeWindow / 1000} s exceeded; retry in ${limit.ttlInSeconds} s.`,
      });
  });
}

/** A live API key counts as one client wherever it comes from; anything else is counted per IP. */
function clientKey(db: DrizzleDb, request: FastifyRequest): string {
  const key = presentedKey(request);
  const stored = key ? findApiKey(db, key) : undefined;
  if (stored && stored.revokedAt === null) return `key:${stored.id}`;
  return `ip:${clientAddress(request)}`;
}

/**
 * The dashboard's server calls the API over loopback for every visitor, so it names the visitor's address
 * in a header; that header counts only from loopback, where nothing outside this machine can set it.
 */
function clientAddress(request: FastifyRequest): string {
  const forwarded = request.headers[CLIENT_ADDRESS_HEADER];
  if (typeof forwarded === 'string' && forwarded !== '' && fromLoopback(request)) return forwarded;
  return request.ip;
}

function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}

/** While Redis is down a request waits at most 500 ms for its counter, then skipOnError lets it through. */
function createLimiterClient(url: string): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 0,
    commandTimeout: 500,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  });
  client.on('error', () => {});
  return client;
}

async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}

export default fp(rateLimit, { name: 'rate-limit' });
