import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Static } from 'typebox';
import {
  InvalidOverridesError,
  type StartedRun,
  startSuiteRun,
  WorkflowStartError,
} from '../../../client/start-run.ts';
import type { RunSummary } from '../../../core/run/summary.ts';
import type { DrizzleDb } from '../../../db/client.ts';
import { getRun } from '../../../db/queries/runs.ts';
import type { Run } from '../../../db/schema.ts';
import type { AppDeps } from '../../app.ts';
import type { OpenStreams } from '../../events/open-streams.ts';
import type { RunEventRelay } from '../../events/relay.ts';
import { ApiError, issuesMessage } from '../../plugins/error-handler.ts';
import { runLinks } from './links.ts';
import type { AcceptedRun, Run as RunSchema } from './schemas.ts';

export type RunsApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export type RunRouteDeps = AppDeps & { relay: RunEventRelay; streams: OpenStreams };

export const tags = ['runs'];

export function findRun(db: DrizzleDb, id: string): Run {
  const run = getRun(db, id);
  if (!run) throw new ApiError(404, `No run with id "${id}".`);
  return run;
}

export function isActive(run: Run): boolean {
  return run.status === 'queued' || run.status === 'running';
}

/** The stored row as the API shows it (the summary and verdict columns are stored untyped). */
export function runReply(run: Run): Static<typeof RunSchema> {
  return {
    ...run,
    summary: run.summary as RunSummary | null,
    verdict: run.verdict as Static<typeof RunSchema>['verdict'],
  };
}

/**
 * Starts a run for the API: invalid overrides become a 400 naming each body field, and a workflow that
 * Temporal would not start a 503 (the run is then stored as failed).
 */
export async function startRunForApi(
  deps: AppDeps,
  request: Parameters<typeof startSuiteRun>[1],
): Promise<StartedRun> {
  try {
    return await startSuiteRun(
      {
        db: deps.db,
        client: deps.temporal.client,
        taskQueue: deps.temporal.taskQueue,
        llmTaskQueue: deps.temporal.llmTaskQueue,
      },
      request,
    );
  } catch (error) {
    if (error instanceof InvalidOverridesError) {
      const issues = error.issues.map((issue) => ({ path: `body.${issue.path}`, message: issue.message }));
      throw new ApiError(400, `Invalid run options: ${issuesMessage(issues)}`, issues);
    }
    if (error instanceof WorkflowStartError) throw new ApiError(503, error.message, undefined, true);
    throw error;
  }
}

export function acceptedReply(deps: AppDeps, started: StartedRun): Static<typeof AcceptedRun> {
  return {
    runId: started.runId,
    status: 'queued',
    totalCells: started.totalCells,
    links: runLinks(deps, started.runId),
  };
}
