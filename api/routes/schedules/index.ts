import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ServiceError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { CardUnavailableError } from '../../../client/runnable-card.ts';
import {
  createSchedule,
  deleteSchedule,
  describeSchedule,
  InvalidScheduleError,
  listSchedules,
  type ScheduleDeps,
  type ScheduleView,
  setSchedulePaused,
  triggerSchedule,
  UnknownScheduleError,
} from '../../../client/schedules.ts';
import type { AppDeps } from '../../app.ts';
import { ApiError, fieldPath, issuesMessage } from '../../plugins/error-handler.ts';
import { errorReplies, keyRequired, Page, readSecurity } from '../../schemas/common.ts';
import {
  CreateScheduleBody,
  NoteBody,
  Schedule,
  ScheduleListQuery,
  ScheduleParams,
  TriggerReply,
} from './schemas.ts';

const tags = ['schedules'];

/**
 * Temporal Schedules that run a card's latest version on a timetable: create, list, inspect, pause,
 * unpause, fire now, delete. Each firing is a `scheduledRun` workflow whose child SuiteRun is the run.
 */
export default async function scheduleRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const schedules: ScheduleDeps = {
    db: deps.db,
    client: deps.temporal.client,
    taskQueue: deps.temporal.taskQueue,
  };
  const reply = (view: ScheduleView) => ({ ...view, links: scheduleLinks(deps, view.id) });
  const readSchema = { tags, security: readSecurity(deps.http.readsRequireKey) };
  const writeSchema = { tags, security: keyRequired };

  app.post(
    '/',
    {
      onRequest: fastify.writeAccess,
      schema: {
        ...writeSchema,
        summary: "Schedule runs of a card's latest version: cron or interval, timezone, overlap, run options",
        body: CreateScheduleBody,
        response: { 201: Schedule, ...errorReplies(400, 401, 403, 404, 409, 503) },
      },
    },
    async (request, res) => {
      const { cardId, cron, every, timezone, overlap, alertOnFailure, note, paused, ...overrides } =
        request.body;
      const created = await asApiError(
        createSchedule(schedules, {
          cardId,
          cron,
          every,
          timezone,
          overlap,
          overrides,
          alertOnFailure,
          note,
          paused,
        }),
      );
      const body = reply(created);
      return res.status(201).header('location', body.links.self).send(body);
    },
  );

  app.get(
    '/',
    {
      onRequest: fastify.readAccess,
      schema: {
        ...readSchema,
        summary: 'Live schedules, newest first, each with its state in Temporal and its last runs',
        querystring: ScheduleListQuery,
        response: { 200: Page(Schedule), ...errorReplies(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { limit = 50, offset = 0, cardId } = request.query;
      const page = await asApiError(listSchedules(schedules, { cardId, limit, offset }));
      return { items: page.items.map(reply), total: page.total, limit, offset };
    },
  );

  app.get(
    '/:id',
    {
      onRequest: fastify.readAccess,
      schema: {
        ...readSchema,
        summary: 'A schedule: its settings, paused state and note, next firings, recent firings, last runs',
        params: ScheduleParams,
        response: { 200: Schedule, ...errorReplies(401, 403, 404, 503) },
      },
    },
    async (request) => reply(await asApiError(describeSchedule(schedules, request.params.id))),
  );

  const pausing = [
    {
      paused: true,
      path: '/:id/pause',
      summary: 'Pause: no firing until unpaused (a run in progress goes on)',
    },
    { paused: false, path: '/:id/unpause', summary: 'Unpause: firings resume at the next scheduled time' },
  ];
  for (const { paused, path, summary } of pausing) {
    app.post(
      path,
      {
        onRequest: fastify.writeAccess,
        schema: {
          ...writeSchema,
          summary,
          params: ScheduleParams,
          body: NoteBody,
          response: { 200: Schedule, ...errorReplies(400, 401, 403, 404, 503) },
        },
      },
      async (request) => {
        const note = request.body?.note || `${paused ? 'Paused' : 'Unpaused'} via the API`;
        return reply(await asApiError(setSchedulePaused(schedules, request.params.id, paused, note)));
      },
    );
  }

  app.post(
    '/:id/trigger',
    {
      onRequest: fastify.writeAccess,
      schema: {
        ...writeSchema,
        summary: 'Fire now, even while paused, under the overlap policy (skip: not while a run is going)',
        params: ScheduleParams,
        response: { 202: TriggerReply, ...errorReplies(401, 403, 404, 503) },
      },
    },
    async (request, res) => {
      const { id } = request.params;
      const { overlap } = await asApiError(triggerSchedule(schedules, id));
      const waits = overlap === 'skip' || overlap.startsWith('buffer');
      return res.status(202).send({
        id,
        overlap,
        message: waits
          ? `Triggered: a run starts now unless one of this schedule is still going (overlap ${overlap}).`
          : `Triggered: a run starts now (overlap ${overlap}).`,
      });
    },
  );

  app.delete(
    '/:id',
    {
      onRequest: fastify.writeAccess,
      schema: {
        ...writeSchema,
        summary: 'Delete the schedule; a run in progress finishes, and runs keep the schedule id',
        params: ScheduleParams,
        response: { 204: Type.Null(), ...errorReplies(401, 403, 404, 503) },
      },
    },
    async (request, res) => {
      await asApiError(deleteSchedule(schedules, request.params.id));
      return res.status(204).send(null);
    },
  );
}

function scheduleLinks(deps: Pick<AppDeps, 'http' | 'temporal'>, id: string) {
  const { uiUrl, namespace } = deps.temporal;
  const encoded = encodeURIComponent(id);
  return {
    self: `${deps.http.publicUrl}/schedules/${encoded}`,
    temporal: `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/schedules/${encoded}`,
  };
}

/** The client's errors as API answers: 404 unknown, 409 archived card, 400 per field, 503 Temporal down. */
async function asApiError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof UnknownScheduleError) throw new ApiError(404, error.message);
    if (error instanceof CardUnavailableError)
      throw new ApiError(error.reason === 'missing' ? 404 : 409, error.message);
    if (error instanceof InvalidScheduleError) {
      const issues = error.issues.map((issue) => ({
        path: fieldPath('body', issue.path),
        message: issue.message,
      }));
      throw new ApiError(400, `Invalid schedule: ${issuesMessage(issues)}`, issues);
    }
    if (error instanceof ServiceError)
      throw new ApiError(503, `Temporal did not answer: ${causeMessage(error)}`, undefined, true);
    throw error;
  }
}

function causeMessage(error: Error): string {
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
