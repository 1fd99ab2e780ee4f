import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import {
  latestComparableRun,
  pinBaseline,
  pinnedBaseline,
  unpinBaseline,
} from '../../../db/queries/baselines.ts';
import { getCardVersionByNumber } from '../../../db/queries/cards.ts';
import { getRun } from '../../../db/queries/runs.ts';
import type { Card, Run as RunRow } from '../../../db/schema.ts';
import { ApiError } from '../../plugins/error-handler.ts';
import { CardParams } from '../../schemas/cards.ts';
import { errorReplies, keyRequired, readSecurity } from '../../schemas/common.ts';
import { Run } from '../runs/schemas.ts';
import { runReply } from '../runs/shared.ts';
import type { CardRouteDeps } from './index.ts';
import { findCardOr404 } from './lookup.ts';

const tags = ['cards'];

const BaselineReply = Type.Object(
  {
    pinned: Type.Boolean({ description: 'Pinned with PUT, rather than found by the default rule' }),
    run: Run,
  },
  { description: "The card's baseline run" },
);

const BaselineQuery = Type.Object({
  models: Type.Optional(
    Type.String({
      minLength: 1,
      description: "Comma-separated models for the default rule; the latest version's models when absent",
    }),
  ),
});

const PinBody = Type.Object(
  { runId: Type.String({ minLength: 1, maxLength: 200, description: 'A completed run of this card' }) },
  { additionalProperties: false },
);

/** /cards/:id/baseline: the run a card's judged runs are compared with, pinned or found by rule. */
export default async function baselineRoutes(fastify: FastifyInstance, deps: CardRouteDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/:id/baseline',
    {
      onRequest: fastify.readAccess,
      schema: {
        tags,
        summary:
          "The card's baseline run: the pinned one, else the latest completed run of its latest version",
        description:
          'Without a pin, the latest completed run of the latest card version on the same set of models ' +
          "(the version's own models, or `models`). Retries of some cells are never baselines.",
        security: readSecurity(deps.http.readsRequireKey),
        params: CardParams,
        querystring: BaselineQuery,
        response: { 200: BaselineReply, ...errorReplies(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const card = findCardOr404(deps.db, request.params.id);
      const pinned = pinnedBaseline(deps.db, card.id);
      if (pinned) return { pinned: true, run: runReply(pinned) };
      const models = request.query.models
        ?.split(',')
        .map((m) => m.trim())
        .filter(Boolean);
      return { pinned: false, run: runReply(defaultBaseline(deps, card, models)) };
    },
  );

  app.put(
    '/:id/baseline',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Pin a completed run of this card as its baseline (replaces any earlier pin)',
        security: keyRequired,
        params: CardParams,
        body: PinBody,
        response: { 200: BaselineReply, ...errorReplies(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const card = findCardOr404(deps.db, request.params.id);
      const run = pinnableRun(deps, card, request.body.runId);
      pinBaseline(deps.db, card.id, run.id);
      return { pinned: true, run: runReply(run) };
    },
  );

  app.delete(
    '/:id/baseline',
    {
      onRequest: fastify.writeAccess,
      schema: {
        tags,
        summary: 'Unpin the baseline: the latest completed run of the same version and models is used again',
        security: keyRequired,
        params: CardParams,
        response: {
          204: Type.Null({ description: 'Unpinned (also when nothing was pinned)' }),
          ...errorReplies(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const card = findCardOr404(deps.db, request.params.id);
      unpinBaseline(deps.db, card.id);
      return reply.status(204).send(null);
    },
  );
}

function defaultBaseline(deps: CardRouteDeps, card: Card, models: string[] | undefined): RunRow {
  const latest = getCardVersionByNumber(deps.db, card.id, card.latestVersion);
  if (!latest) throw new Error(`card ${card.id} has no version ${card.latestVersion}`);
  const runModels = models ?? modelsOf(latest.spec);
  const run = latestComparableRun(deps.db, { cardVersionId: latest.id, models: runModels });
  if (run) return run;
  throw new ApiError(
    404,
    `Card "${card.id}" has no baseline: nothing is pinned and no run of version ${latest.version} on ` +
      `${runModels.join(', ')} has completed. Run it, or pin a run with PUT /cards/${card.id}/baseline.`,
  );
}

function modelsOf(spec: Record<string, unknown>): string[] {
  return Array.isArray(spec.models) ? spec.models.filter((m): m is string => typeof m === 'string') : [];
}

/** A run may be pinned when it is a completed run of this card; anything else is a 400 on `body.runId`. */
function pinnableRun(deps: CardRouteDeps, card: Card, runId: string): RunRow {
  const run = getRun(deps.db, runId);
  const problem = pinProblem(card, runId, run);
  if (run && problem === undefined) return run;
  throw new ApiError(400, `Cannot pin this baseline: ${problem}.`, [
    { path: 'body.runId', message: problem ?? '' },
  ]);
}

function pinProblem(card: Card, runId: string, run: RunRow | undefined): string | undefined {
  if (!run) return `no run has id "${runId}"`;
  if (run.cardId !== card.id) return `run "${runId}" is a run of card "${run.cardId}", not "${card.id}"`;
  if (run.status !== 'completed')
    return `run "${runId}" is ${run.status}: only a completed run can be a baseline`;
  if (run.options.cells !== undefined)
    return `run "${runId}" repeats only some cells of run "${run.options.retryOf ?? '?'}": pin a full run`;
  return undefined;
}
