import fastifyCors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export type CorsOptions = { http: { corsOrigins: string[] } };

/** Headers a browser client may read: rate-limit state and where a created resource lives. */
const EXPOSED_HEADERS = [
  'location',
  'retry-after',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];

/**
 * CORS only for the origins in CORS_ORIGINS (`*` allows any). With none configured the plugin adds
 * nothing, so a browser on another origin cannot read any answer.
 */
async function cors(fastify: FastifyInstance, options: CorsOptions): Promise<void> {
  const origins = options.http.corsOrigins;
  if (origins.length === 0) return;
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  await fastify.register(fastifyCors, {
    // A function rather than the array form: for an origin not listed it adds no CORS header at all.
    origin: (origin, callback) => {
      const ok = origin !== undefined && (anyOrigin || allowed.has(origin));
      callback(null, ok ? origin : false);
    },
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'last-event-id'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}

export default fp(cors, { name: 'cors' });
