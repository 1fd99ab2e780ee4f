import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  description: string;
};

/**
 * The OpenAPI 3 document, built from the routes' schemas (tags, summary, a response schema per status),
 * served at /docs/json and /docs/yaml, with Swagger UI at /docs. Registered before the routes, so its
 * onRoute hook sees every one of them.
 */
async function openapi(fastify: FastifyInstance): Promise<void> {
  await fastify.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Prompt Card System API',
        description: `${packageJson.description} Errors always answer { error, message, issues? }.`,
        version: packageJson.version,
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key from `pcs keys create <name>`, sent as `Authorization: Bearer <key>`.',
          },
        },
      },
      tags: [
        { name: 'cards', description: 'Prompt cards and their immutable versions' },
        { name: 'runs', description: 'Suite runs: start, follow, cancel, export' },
        { name: 'schedules', description: 'Temporal Schedules that run a card on a timetable' },
        { name: 'models', description: 'Models available from Ollama' },
        { name: 'webhooks', description: 'Webhook targets and deliveries' },
        { name: 'keys', description: 'API keys: create (the first one without a key), list, revoke' },
        { name: 'health', description: 'Liveness of the API, Temporal and the worker' },
        { name: 'ops', description: 'Operations: Prometheus metrics' },
      ],
    },
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs' });
}

export default fp(openapi, { name: 'openapi' });
