import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

// PLACEHOLDER: being implemented (issue 4).
async function plugin(_fastify: FastifyInstance): Promise<void> {}

export default fp(plugin, { name: 'cors' });
