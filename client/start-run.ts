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

export type StartRunDeps = { db: DrizzleDb; client: Client; taskQueue: string };

/** Overrides that would make an invalid card (an unknown provider, a repeat of 0...). */
export class InvalidOverridesError extends Error {
  override name = 'InvalidOverridesError';
  constructor(readonly problems: string[]) {
    super(`Invalid run options:\n  ${problems.join('\n  ')}`);
  }
}

export type StartedRun = {
  runId: string;
  cardId: string;
  cardVersion: number;
  totalCells: number;
  handle: WorkflowHandleWithFirstExecutionRunId<typeof suiteRun>;
};

/**
 * Stores the card as an immutable version (or finds the identical one), records the run and starts its
 * SuiteRun workflow, whose id is the run id. If Temporal refuses the start, the run is marked failed.
 */
export async function startSuiteRun(
  deps: StartRunDeps,
  request: {
    card: Card;
    source: string;
    trigger: RunTrigger;
    overrides?: RunOverrides;
    /** Batch size and history limit; tests and benchmarks set them, everyone else takes the defaults. */
    tuning?: Pick<SuiteRunInput, 'batchSize' | 'maxHistoryEvents'>;
  },
): Promise<StartedRun> {
  const overrides = request.overrides ?? {};
  const card = normalizeCard(request.card);
  assertValidOverrides(card, overrides);
  const saved = saveCardVersion(deps.db, {
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
  const input: SuiteRunInput = {
    runId: newRunId(card.name),
    cardName: card.name,
    cardVersionId: saved.versionId,
    dims,
    concurrency: overrides.concurrency ?? card.concurrency,
    timeoutMs: card.timeoutMs,
    noCache: overrides.noCache ?? false,
    trigger: request.trigger,
    ...request.tuning,
  };
  createRun(deps.db, {
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
    },
    totalCells: cellCount(dims),
  });
  const handle = await startWorkflow(deps, input).catch((error: unknown) => {
    const message = `Could not start the run's workflow: ${causeChain(error)}`;
    finishRun(deps.db, input.runId, { status: 'failed', error: message });
    throw new Error(message, { cause: error });
  });
  return {
    runId: input.runId,
    cardId: saved.cardId,
    cardVersion: saved.version,
    totalCells: cellCount(dims),
    handle,
  };
}

/** The card schema judges the overrides: they must make a card as valid as one written that way. */
export function assertValidOverrides(card: Card, overrides: RunOverrides): void {
  const { noCache: _, ...cardFields } = overrides;
  const defined = Object.fromEntries(Object.entries(cardFields).filter(([, v]) => v !== undefined));
  if (Object.keys(defined).length === 0) return;
  const problems = findCardProblems({ ...card, ...defined });
  if (problems.length > 0)
    throw new InvalidOverridesError(problems.map((p) => `${formatPath(p.path)}: ${p.message}`));
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
