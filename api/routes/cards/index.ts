import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../../app.ts';
import archiveCardRoute from './archive.ts';
import baselineRoutes from './baseline.ts';
import { YAML_MEDIA_TYPES } from './body.ts';
import createCardRoute from './create.ts';
import getCardRoute from './get.ts';
import listCardsRoute from './list.ts';
import trendRoute from './trend.ts';
import validateCardRoute from './validate.ts';
import getCardVersionRoute from './version.ts';

export type CardRouteDeps = Pick<AppDeps, 'db' | 'http'>;

/** /cards: store, validate, list, read and archive prompt cards; their baselines and trends. */
export default async function cardRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  // YAML bodies stay text so parseCard can report problems by line; the instance body limit still applies.
  // Plain text is not a card format: without this, Fastify's built-in text parser would let it through.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser(YAML_MEDIA_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });
  // Not `deps` itself: it carries app.ts's `prefix`, which would apply a second time.
  const routeDeps: CardRouteDeps = { db: deps.db, http: deps.http };
  await fastify.register(createCardRoute, routeDeps);
  await fastify.register(validateCardRoute, routeDeps);
  await fastify.register(listCardsRoute, routeDeps);
  await fastify.register(getCardRoute, routeDeps);
  await fastify.register(getCardVersionRoute, routeDeps);
  await fastify.register(archiveCardRoute, routeDeps);
  await fastify.register(baselineRoutes, routeDeps);
  await fastify.register(trendRoute, routeDeps);
}
