import {
  ActivityFailure,
  ApplicationFailure,
  executeChild,
  ParentClosePolicy,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { ScheduleActivities } from '../activities/schedule/prepare.ts';
import type { RunOverrides } from '../client/start-run.ts';
import { type SuiteRunResult, searchAttributeKeys } from './shared.ts';
import type { suiteRun } from './suite-run.ts';

/** What a schedule's action passes on every firing (client/schedules.ts sets it when creating it). */
export type ScheduledRunArgs = {
  scheduleId: string;
  cardId: string;
  overrides: RunOverrides;
  alertOnFailure: boolean;
};

// Retried with backoff for up to ten minutes (the database may be busy); a card that cannot run fails at once.
const { prepareScheduledRun } = proxyActivities<ScheduleActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/**
 * One firing of a schedule: stores a run of the card's latest version and runs it as a child SuiteRun
 * (workflow id = run id), waiting for it so that the schedule's overlap policy spans the whole suite run.
 */
export async function scheduledRun(args: ScheduledRunArgs): Promise<SuiteRunResult> {
  const input = await prepareScheduledRun({ ...args, workflowId: workflowInfo().workflowId }).catch(
    (error: unknown) => {
      throw reasonFirst(error);
    },
  );
  return executeChild<typeof suiteRun>('suiteRun', {
    workflowId: input.runId,
    args: [input],
    // Terminating this workflow (overlap policy terminate-other) cancels the run, which then ends
    // `cancelled` with its summary, instead of leaving it `running` in the database.
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
    typedSearchAttributes: [
      { key: searchAttributeKeys.card, value: input.cardName },
      { key: searchAttributeKeys.trigger, value: input.trigger },
      { key: searchAttributeKeys.status, value: 'queued' },
    ],
  });
}

/**
 * The activity's own failure as the workflow's, so the note Temporal writes when it pauses the schedule
 * says why ("Card … is archived") rather than "Activity task failed".
 */
function reasonFirst(error: unknown): unknown {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure)
    return ApplicationFailure.nonRetryable(error.cause.message, error.cause.type);
  return error;
}
