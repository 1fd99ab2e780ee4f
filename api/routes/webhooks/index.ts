import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.ts';

// PLACEHOLDER: being implemented (issue 4).
export default async function routes(_fastify: FastifyInstance, _deps: AppDeps): Promise<void> {}
