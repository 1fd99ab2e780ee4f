import { ApplicationFailure } from '@temporalio/common';
import { CardUnavailableError, latestRunnableVersion } from '../../client/runnable-card.ts';
import type { Card } from '../../core/card/schema.ts';
import { scheduledRunId } from '../../core/schedule/run-id.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { getCardVersion } from '../../db/queries/cards.ts';
import { getRun } from '../../db/queries/runs.ts';
import type { ScheduledRunArgs } from '../../workflows/scheduled-run.ts';
import type { SuiteRunInput } from '../../workflows/shared.ts';

export type ScheduleDeps = { db: DrizzleDb; llmTaskQueue?: string };

/** What a scheduled workflow asks for: its schedule's arguments and its own workflow id. */
export type PrepareScheduledRunInput = ScheduledRunArgs & { workflowId: string };

export type ScheduleActivities = ReturnType<typeof createScheduleActivities>;

export function createScheduleActivities(deps: ScheduleDeps) {
  return {
    prepareScheduledRun: async (input: PrepareScheduledRunInput) => prepareScheduledRun(deps, input),
  };
}

/**
 * Stores the run a schedule fired, of the card's latest version, and returns its SuiteRun input. The run id
 * comes from the scheduled workflow's id, so a retry finds the run it stored instead of adding one. A card
 * that is gone or archived, or options its latest version no longer accepts, fail for good.
 */
export async function prepareScheduledRun(
  deps: ScheduleDeps,
  input: PrepareScheduledRunInput,
): Promise<SuiteRunInput> {
  // Loaded on the first firing: card validation adds about 20 MiB to a worker that never runs a schedule.
  const { InvalidOverridesError, prepareRun } = await import('../../client/start-run.ts');
  try {
    const { card, version, cardName } = latestRunnableVersion(deps.db, input.cardId);
    const runId = scheduledRunId(cardName, input.workflowId);
    // A retried firing runs the version its first attempt stored, even if a newer one was saved since.
    const stored = storedVersionOf(deps.db, runId) ?? { card, source: version.source };
    return prepareRun(deps.db, {
      ...stored,
      trigger: 'schedule',
      scheduleId: input.scheduleId,
      runId,
      overrides: input.overrides,
      judge: { alertOnFailure: input.alertOnFailure },
      llmTaskQueue: deps.llmTaskQueue,
    }).input;
  } catch (error) {
    if (error instanceof CardUnavailableError || error instanceof InvalidOverridesError)
      throw ApplicationFailure.nonRetryable(
        `Schedule ${input.scheduleId} cannot run card "${input.cardId}": ${error.message}`,
        error.name,
      );
    throw error;
  }
}

function storedVersionOf(db: DrizzleDb, runId: string): { card: Card; source: string } | undefined {
  const run = getRun(db, runId);
  const version = run && getCardVersion(db, run.cardVersionId);
  return version ? { card: version.spec as Card, source: version.source } : undefined;
}
