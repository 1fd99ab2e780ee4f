import { randomBytes } from 'node:crypto';
import {
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleNotFoundError,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
} from '@temporalio/client';
import type { Card } from '../core/card/schema.ts';
import { scheduledRunId } from '../core/schedule/run-id.ts';
import {
  DEFAULT_OVERLAP,
  DEFAULT_TIMEZONE,
  findTimingProblems,
  type OverlapPolicy,
  parseInterval,
  type ScheduleIssue,
  type TimingInput,
  temporalOverlap,
} from '../core/schedule/spec.ts';
import type { DrizzleDb } from '../db/client.ts';
import { getCard } from '../db/queries/cards.ts';
import { getRun } from '../db/queries/runs.ts';
import {
  getLiveSchedule,
  insertSchedule,
  markScheduleDeleted,
  pageSchedules,
  recentRunsOfSchedule,
  removeSchedule,
} from '../db/queries/schedules.ts';
import type { Run, Schedule } from '../db/schema.ts';
import type { ScheduledRunArgs, scheduledRun } from '../workflows/scheduled-run.ts';
import { searchAttributeKeys } from '../workflows/shared.ts';
import { latestRunnableVersion } from './runnable-card.ts';
import { assertValidOverrides, InvalidOverridesError, type RunOverrides } from './start-run.ts';

export type ScheduleDeps = { db: DrizzleDb; client: Client; taskQueue: string };

export type CreateScheduleRequest = TimingInput & {
  cardId: string;
  overlap?: OverlapPolicy;
  overrides?: RunOverrides;
  /** Alert (webhooks) when a scheduled run fails, not only when it regresses. */
  alertOnFailure?: boolean;
  /** Shown with the schedule in Temporal, e.g. why it exists; pause and unpause replace it. */
  note?: string;
  paused?: boolean;
};

/** What a schedule was created with, as stored in `schedules.spec`. */
export type ScheduleSettings = {
  cron: string[] | null;
  every: string | null;
  timezone: string;
  overlap: OverlapPolicy;
  overrides: RunOverrides;
  alertOnFailure: boolean;
};

/** A firing of the schedule; `runId` is null until its run is stored, or when it could not store one. */
export type ScheduleAction = {
  scheduledAt: number;
  takenAt: number;
  workflowId: string;
  runId: string | null;
};

/** The schedule as Temporal has it now. Times are epoch milliseconds. */
export type ScheduleState = {
  paused: boolean;
  note: string | null;
  /** The next firings; none while paused. */
  nextActionTimes: number[];
  recentActions: ScheduleAction[];
  /** Run ids of the firings still in progress. */
  runningRunIds: string[];
  actionsTaken: number;
  actionsSkippedOverlap: number;
};

export type ScheduleRun = Pick<Run, 'id' | 'status' | 'createdAt' | 'finishedAt' | 'verdict'> & {
  passRate: number | null;
};

export type ScheduleView = ScheduleSettings & {
  id: string;
  cardId: string;
  cardName: string;
  createdAt: number;
  /** Null when Temporal no longer has the schedule (deleted there by hand). */
  state: ScheduleState | null;
  /** The schedule's latest runs in the database, newest first. */
  lastRuns: ScheduleRun[];
};

/** No live schedule with this id. */
export class UnknownScheduleError extends Error {
  override name = 'UnknownScheduleError';
  constructor(readonly scheduleId: string) {
    super(`No schedule with id "${scheduleId}".`);
  }
}

/** The timetable or the run options are invalid; each issue names its field (`cron`, `every`, `models[0]`). */
export class InvalidScheduleError extends Error {
  override name = 'InvalidScheduleError';
  constructor(readonly issues: ScheduleIssue[]) {
    super(`Invalid schedule:\n  ${issues.map((i) => `${i.path}: ${i.message}`).join('\n  ')}`);
  }
}

const LAST_RUNS = 10;

/**
 * Creates a Temporal Schedule that runs the card's latest version (as of each firing) and records it.
 * The record is written first and removed if Temporal refuses, so a crash in between leaves a record
 * without a schedule (shown with `state: null`), never a schedule firing runs nobody listed.
 */
export async function createSchedule(
  deps: ScheduleDeps,
  request: CreateScheduleRequest,
): Promise<ScheduleView> {
  const { card, cardName } = latestRunnableVersion(deps.db, request.cardId);
  const overrides = definedOverrides(request.overrides ?? {});
  const issues = [...findTimingProblems(request), ...overrideProblems(card, overrides)];
  if (issues.length > 0) throw new InvalidScheduleError(issues);
  const settings = settingsOf(request, overrides);
  const id = `pcs-${request.cardId}-${randomBytes(3).toString('hex')}`;
  insertSchedule(deps.db, { id, cardId: request.cardId, spec: settings });
  try {
    await deps.client.schedule.create(
      scheduleOptions(deps, { id, cardId: request.cardId, cardName }, settings, request),
    );
  } catch (error) {
    removeSchedule(deps.db, id);
    throw specRejection(error, settings) ?? error;
  }
  return describeSchedule(deps, id);
}

/** One page of live schedules (of one card when given), newest first, each with its Temporal state. */
export async function listSchedules(
  deps: ScheduleDeps,
  query: { cardId?: string; limit: number; offset: number },
): Promise<{ items: ScheduleView[]; total: number }> {
  const page = pageSchedules(deps.db, query);
  const items = await Promise.all(page.items.map((record) => viewOf(deps, record)));
  return { items, total: page.total };
}

export async function describeSchedule(deps: ScheduleDeps, id: string): Promise<ScheduleView> {
  return viewOf(deps, liveRecord(deps.db, id));
}

/** Pauses or unpauses the schedule; the note (why) replaces the schedule's current one. */
export async function setSchedulePaused(
  deps: ScheduleDeps,
  id: string,
  paused: boolean,
  note: string,
): Promise<ScheduleView> {
  await withHandle(deps, id, (handle) => (paused ? handle.pause(note) : handle.unpause(note)));
  return describeSchedule(deps, id);
}

/**
 * Fires the schedule now, paused or not, under its own overlap policy: with `skip` (the default) nothing
 * starts while an earlier run of the schedule is still going. (The SDK's default would be allow-all.)
 */
export async function triggerSchedule(deps: ScheduleDeps, id: string): Promise<{ overlap: OverlapPolicy }> {
  const { overlap } = settingsOfRecord(liveRecord(deps.db, id));
  await withHandle(deps, id, (handle) => handle.trigger(temporalOverlap(overlap)));
  return { overlap };
}

/** Deletes the Temporal Schedule (runs in progress go on) and marks the record deleted; runs keep its id. */
export async function deleteSchedule(deps: ScheduleDeps, id: string): Promise<void> {
  liveRecord(deps.db, id);
  await deps.client.schedule
    .getHandle(id)
    .delete()
    .catch((error: unknown) => {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    });
  markScheduleDeleted(deps.db, id);
}

function liveRecord(db: DrizzleDb, id: string): Schedule {
  const record = getLiveSchedule(db, id);
  if (!record) throw new UnknownScheduleError(id);
  return record;
}

async function withHandle(
  deps: ScheduleDeps,
  id: string,
  action: (handle: ScheduleHandle) => Promise<void>,
): Promise<void> {
  liveRecord(deps.db, id);
  try {
    await action(deps.client.schedule.getHandle(id));
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new UnknownScheduleError(id);
    throw error;
  }
}

function definedOverrides(overrides: RunOverrides): RunOverrides {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}

function overrideProblems(card: Card, overrides: RunOverrides): ScheduleIssue[] {
  try {
    assertValidOverrides(card, overrides);
    return [];
  } catch (error) {
    if (error instanceof InvalidOverridesError) return error.issues;
    throw error;
  }
}

function settingsOf(request: CreateScheduleRequest, overrides: RunOverrides): ScheduleSettings {
  return {
    cron:
      request.cron === undefined
        ? null
        : typeof request.cron === 'string'
          ? [request.cron]
          : [...request.cron],
    every: request.every ?? null,
    timezone: request.timezone ?? DEFAULT_TIMEZONE,
    overlap: request.overlap ?? DEFAULT_OVERLAP,
    overrides,
    alertOnFailure: request.alertOnFailure ?? false,
  };
}

function settingsOfRecord(record: Schedule): ScheduleSettings {
  return record.spec as ScheduleSettings;
}

function scheduleOptions(
  deps: ScheduleDeps,
  target: { id: string; cardId: string; cardName: string },
  settings: ScheduleSettings,
  request: CreateScheduleRequest,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<typeof scheduledRun>> {
  const args: ScheduledRunArgs = {
    scheduleId: target.id,
    cardId: target.cardId,
    overrides: settings.overrides,
    alertOnFailure: settings.alertOnFailure,
  };
  const card = { key: searchAttributeKeys.card, value: target.cardName };
  return {
    scheduleId: target.id,
    spec: timetable(settings),
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledRun',
      // Temporal appends each firing's time: `pcs-<card>-<hex>-2026-11-26T03:00:00Z`.
      workflowId: target.id,
      taskQueue: deps.taskQueue,
      args: [args],
      typedSearchAttributes: [card, { key: searchAttributeKeys.trigger, value: 'schedule' }],
      staticSummary: `Scheduled run of ${target.cardName}`,
    },
    // A firing fails only when the card cannot run (archived, deleted): pausing says so in the note.
    policies: { overlap: temporalOverlap(settings.overlap), pauseOnFailure: true },
    memo: { cardId: target.cardId },
    typedSearchAttributes: [card],
    state: { paused: request.paused ?? false, ...(request.note ? { note: request.note } : {}) },
  };
}

function timetable(settings: ScheduleSettings): ScheduleOptions['spec'] {
  if (settings.cron) return { cronExpressions: settings.cron, timezone: settings.timezone };
  return { intervals: [{ every: parseInterval(settings.every ?? '') ?? 0 }], timezone: settings.timezone };
}

/**
 * Temporal's cron parser is the authority on ranges ("Minute is not in range [0-59]"): the SDK reports a
 * spec it rejects as a TypeError, which becomes an issue on the field it concerns.
 */
function specRejection(error: unknown, settings: ScheduleSettings): InvalidScheduleError | undefined {
  if (!(error instanceof TypeError)) return undefined;
  const path = /time ?zone/i.test(error.message) ? 'timezone' : settings.cron ? 'cron' : 'every';
  return new InvalidScheduleError([{ path, message: error.message }]);
}

async function viewOf(deps: ScheduleDeps, record: Schedule): Promise<ScheduleView> {
  const cardName = getCard(deps.db, record.cardId)?.name ?? record.cardId;
  return {
    id: record.id,
    cardId: record.cardId,
    cardName,
    ...settingsOfRecord(record),
    createdAt: record.createdAt,
    state: await temporalState(deps, record.id, cardName),
    lastRuns: recentRunsOfSchedule(deps.db, record.id, LAST_RUNS).map(scheduleRun),
  };
}

async function temporalState(
  deps: ScheduleDeps,
  id: string,
  cardName: string,
): Promise<ScheduleState | null> {
  try {
    return stateOf(deps.db, await deps.client.schedule.getHandle(id).describe(), cardName);
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

function stateOf(db: DrizzleDb, described: ScheduleDescription, cardName: string): ScheduleState {
  const { state, info } = described;
  const storedRunId = (workflowId: string) => {
    const runId = scheduledRunId(cardName, workflowId);
    return getRun(db, runId) ? runId : null;
  };
  return {
    paused: state.paused,
    note: state.note || null,
    nextActionTimes: state.paused ? [] : info.nextActionTimes.map((time) => time.getTime()),
    recentActions: info.recentActions.map(({ scheduledAt, takenAt, action }) => ({
      scheduledAt: scheduledAt.getTime(),
      takenAt: takenAt.getTime(),
      workflowId: action.workflow.workflowId,
      runId: storedRunId(action.workflow.workflowId),
    })),
    runningRunIds: info.runningActions.map((action) => scheduledRunId(cardName, action.workflow.workflowId)),
    actionsTaken: info.numActionsTaken,
    actionsSkippedOverlap: info.numActionsSkippedOverlap,
  };
}

function scheduleRun(run: Run): ScheduleRun {
  const passRate = (run.summary as { passRate?: unknown } | null)?.passRate;
  return {
    id: run.id,
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    verdict: run.verdict,
    passRate: typeof passRate === 'number' ? passRate : null,
  };
}
