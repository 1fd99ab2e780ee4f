import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { cardTrend } from '../../../db/queries/trend.ts';
import { CardParams } from '../../schemas/cards.ts';
import { errorReplies, readSecurity } from '../../schemas/common.ts';
import { RunStatus, RunTrigger } from '../runs/schemas.ts';
import type { CardRouteDeps } from './index.ts';
import { findCardOr404 } from './lookup.ts';

const TrendQuery = Type.Object({
  model: Type.Optional(
    Type.String({ minLength: 1, description: 'Only this model: runs that ran it, its cells' }),
  ),
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'The latest runs' }),
  ),
});

const TrendPoint = Type.Object({
  runId: Type.String(),
  createdAt: Type.Integer({ description: 'Epoch milliseconds' }),
  trigger: RunTrigger,
  status: RunStatus,
  passRate: Type.Number({ description: 'passed / cells; errors count as not passed' }),
  perModel: Type.Record(Type.String(), Type.Number(), { description: 'Pass rate per model' }),
  metrics: Type.Record(Type.String(), Type.Number(), { description: 'Mean score of each named metric' }),
  verdict: Type.Optional(Type.String({ description: 'The stored verdict of a judged run' })),
});

const TrendReply = Type.Object(
  { points: Type.Array(TrendPoint, { description: 'Completed runs, oldest first' }) },
  { description: 'Pass rate and named metrics per completed run' },
);

/** GET /cards/:id/trend: pass rate and named metrics over the card's latest completed runs. */
export default async function trendRoute(fastify: FastifyInstance, deps: CardRouteDeps): Promise<void> {
  fastify.withTypeProvider<TypeBoxTypeProvider>().get(
    '/:id/trend',
    {
      onRequest: fastify.readAccess,
      schema: {
        tags: ['cards'],
        summary:
          'Pass rate (overall and per model) and named metrics of the latest completed runs, oldest first',
        security: readSecurity(deps.http.readsRequireKey),
        params: CardParams,
        querystring: TrendQuery,
        response: { 200: TrendReply, ...errorReplies(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const card = findCardOr404(deps.db, request.params.id);
      const { model, limit = 50 } = request.query;
      return { points: cardTrend(deps.db, card.id, { model, limit }) };
    },
  );
}
