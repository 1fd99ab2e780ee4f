import { createHash, randomBytes } from 'node:crypto';
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { formatPath } from '../core/card/path.ts';
import { type Card, normalizeCard } from '../core/card/schema.ts';
import { findCardProblems } from '../core/card/validate.ts';
import { cellCount, type MatrixDims } from '../core/run/cells.ts';
import type { DrizzleDb } from '../db/client.ts';
import { saveCardVersion } from '../db/queries/cards.ts';
import { createRun, finishRun } from '../db/queries/runs.ts';
import { type RunTrigger, type SuiteRunInput, searchAttributeKeys } from '../workflows/shared.ts';
import type { suiteRun } from '../workflows/suite-run.ts';

export type RunOverrides = { models?: string[]; repeat?: number; concurrency?: number; noCache?: boolean };

export type StartRunDeps = {
  db: DrizzleDb;
  client: Client;
  taskQueue: string;
  /** The scale path's queue for model calls (PCS_LLM_TASK_QUEUE). */
  llmTaskQueue?: string;
};

/** One invalid run option: its path as a card field (`models[0]`, `repeat`) and what is wrong. */
export type OverrideIssue = { path: string; message: string };

/** Overrides that would make an invalid card (an unknown provider, a repeat of 0...). */
export class InvalidOverridesError extends Error {
  override name = 'InvalidOverridesError';
  readonly problems: string[];
  constructor(readonly issues: OverrideIssue[]) {
    const problems = issues.map((issue) => `${issue.path}: ${issue.message}`);
    super(`Invalid run options:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

/** Temporal did not start the run's workflow (unreachable, unknown search attribute...); the run is failed. */
export class WorkflowStartError extends Error {
  override name = 'WorkflowStartError';
  constructor(
    readonly runId: string,
    message: string,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

export type PreparedRun = {
  runId: string;
  cardId: string;
  cardVersion: number;
  totalCells: number;
  /** The SuiteRun workflow's input; its workflow id is the run id. */
  input: SuiteRunInput;
};

export type StartedRun = Omit<PreparedRun, 'input'> & {
  handle: WorkflowHandleWithFirstExecutionRunId<typeof suiteRun>;
};

export type RunRequest = {
  card: Card;
  source: string;
  trigger: RunTrigger;
  overrides?: RunOverrides;
  /** Run only these matrix indices (e.g. the failed cells of `retryOf`); every cell when absent. */
  cellIndices?: readonly number[];
  /** The run whose cells this one repeats; kept in the run's options for the record. */
  retryOf?: string;
  /** The Temporal Schedule that starts this run (trigger `schedule`). */
  scheduleId?: string;
  /** The run id to use; a new one when absent (a scheduled run derives it from its workflow's id). */
  runId?: string;
  /** Model calls on this task queue (the scale path); on the run's own queue when absent. */
  llmTaskQueue?: string;
  /** Compare with the card's baseline when the run ends (and alert on a regression). */
  judge?: SuiteRunInput['judge'];
  /** Batch size and history limit; tests and benchmarks set them, everyone else takes the defaults. */
  tuning?: Pick<SuiteRunInput, 'batchSize' | 'maxHistoryEvents'>;
};

/**
 * Stores the card as an immutable version (or finds the identical one), records the run and starts its
 * SuiteRun workflow, whose id is the run id. If Temporal refuses the start, the run is marked failed.
 */
export async function startSuiteRun(deps: StartRunDeps, request: RunRequest): Promise<StartedRun> {
  const { input, ...prepared } = prepareRun(deps.db, { llmTaskQueue: deps.llmTaskQueue, ...request });
  const handle = await startWorkflow(deps, input).catch((error: unknown) => {
    const message = `Could not start the run's workflow: ${causeChain(error)}`;
    finishRun(deps.db, input.runId, { status: 'failed', error: message });
    throw new WorkflowStartError(input.runId, message, error);
  });
  return { ...prepared, handle };
}

/**
 * Validates the overrides, stores the card version and the run row, and builds the workflow input, without
 * starting anything: a scheduled run's own workflow starts the SuiteRun as a child.
 */
export function prepareRun(db: DrizzleDb, request: RunRequest): PreparedRun {
  const overrides = request.overrides ?? {};
  const card = normalizeCard(request.card);
  assertValidOverrides(card, overrides);
  const saved = saveCardVersion(db, {
    name: card.name,
    description: card.description ?? '',
    source: request.source,
    spec: request.card as Record<string, unknown>,
    contentHash: createHash('sha256').update(request.source).digest('hex'),
  });
  const dims: MatrixDims = {
    caseCount: card.cases.length,
    models: overrides.models ?? card.models,
    repeat: overrides.repeat ?? card.repeat,
  };
  const cells = request.cellIndices ? selectedCells(request.cellIndices, cellCount(dims)) : undefined;
  const totalCells = cells?.length ?? cellCount(dims);
  const input: SuiteRunInput = {
    runId: request.runId ?? newRunId(card.name),
    cardName: card.name,
    cardVersionId: saved.versionId,
    dims,
    concurrency: overrides.concurrency ?? card.concurrency,
    timeoutMs: card.timeoutMs,
    noCache: overrides.noCache ?? false,
    trigger: request.trigger,
    ...(cells ? { cells } : {}),
    ...(request.judge ? { judge: request.judge } : {}),
    ...(request.llmTaskQueue ? { llmTaskQueue: request.llmTaskQueue } : {}),
    ...request.tuning,
  };
  createRun(db, {
    id: input.runId,
    cardId: saved.cardId,
    cardVersionId: saved.versionId,
    trigger: request.trigger,
    workflowId: input.runId,
    options: {
      models: [...dims.models],
      repeat: dims.repeat,
      concurrency: input.concurrency,
      noCache: input.noCache,
      timeoutMs: input.timeoutMs,
      ...(request.retryOf ? { retryOf: request.retryOf } : {}),
      ...(cells ? { cells } : {}),
    },
    totalCells,
    ...(request.scheduleId ? { scheduleId: request.scheduleId } : {}),
  });
  return { runId: input.runId, cardId: saved.cardId, cardVersion: saved.version, totalCells, input };
}

/** The card schema judges the overrides: they must make a card as valid as one written that way. */
export function assertValidOverrides(card: Card, overrides: RunOverrides): void {
  const { noCache: _, ...cardFields } = overrides;
  const defined = Object.fromEntries(Object.entries(cardFields).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length === 0) return;
  const problems = findCardProblems({ ...card, ...defined });
  if (problems.length > 0)
    throw new InvalidOverridesError(problems.map((p) => ({ path: formatPath(p.path), message: p.message })));
}

/** Distinct matrix indices in ascending order; at least one, each inside the matrix. */
function selectedCells(indices: readonly number[], total: number): number[] {
  const bad = indices.find((i) => !Number.isInteger(i) || i < 0 || i >= total);
  if (bad !== undefined)
    throw new InvalidOverridesError([
      { path: 'cellIndices', message: `${bad} is not a cell of this ${total}-cell matrix` },
    ]);
  if (indices.length === 0)
    throw new InvalidOverridesError([{ path: 'cellIndices', message: 'must name at least one cell' }]);
  return [...new Set(indices)].sort((a, b) => a - b);
}

function startWorkflow(
  deps: StartRunDeps,
  input: SuiteRunInput,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof suiteRun>> {
  return deps.client.workflow.start<typeof suiteRun>('suiteRun', {
    workflowId: input.runId,
    taskQueue: deps.taskQueue,
    args: [input],
    typedSearchAttributes: [
      { key: searchAttributeKeys.card, value: input.cardName },
      { key: searchAttributeKeys.trigger, value: input.trigger },
      { key: searchAttributeKeys.status, value: 'queued' },
    ],
  });
}

/** Readable and sortable: `support-triage-20261126T183012Z-a1b2c3`. */
export function newRunId(cardName: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${cardName}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** "Failed to start Workflow: 3 INVALID_ARGUMENT: search attribute PcsCard is not defined" and the like. */
function causeChain(error: unknown): string {
  const messages: string[] = [];
  for (let current: unknown = error; current instanceof Error; current = current.cause)
    messages.push(current.message);
  return messages.join(': ') || String(error);
}
