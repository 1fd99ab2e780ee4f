import {
  ActivityCancellationType,
  type ActivityOptions,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LlmActivities, SuiteActivities } from '../activities/suite/index.ts';
import { judgedRunEvents, statusEvent } from '../core/alerts/events.ts';
import { batchSizeFor, type CellRange, cellsOfBatch, planBatches } from '../core/run/batches.ts';
import { cellCount, cellsPerModel } from '../core/run/cells.ts';
import {
  addOutcomes,
  type CellOutcome,
  initialProgress,
  type RunProgress,
  type RunStatus,
  setRunning,
} from '../core/run/progress.ts';
import type { RunSummary } from '../core/run/summary.ts';
import { progressQuery, type SuiteRunInput, type SuiteRunResult, searchAttributeKeys } from './shared.ts';

const DEFAULT_MAX_HISTORY_EVENTS = 8_000;

const bookkeeping = proxyActivities<SuiteActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

const webhooks = proxyActivities<SuiteActivities>({
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['WebhookRejectedError'],
  },
});

/** Cell batches: transient faults are retried with backoff; a batch skips cells it already stored. */
function batchOptions(input: SuiteRunInput, batchSize: number): ActivityOptions {
  return {
    startToCloseTimeout: batchSize * input.timeoutMs * 3 + 60_000,
    heartbeatTimeout: '10 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
      maximumAttempts: 6,
    },
  };
}

function cellActivities(input: SuiteRunInput, batchSize: number) {
  return proxyActivities<SuiteActivities>(batchOptions(input, batchSize));
}

/** Model calls on the LLM task queue: the same timeouts and retries as a batch, on another queue. */
function llmActivities(input: SuiteRunInput, batchSize: number, taskQueue: string) {
  return proxyActivities<LlmActivities>({ ...batchOptions(input, batchSize), taskQueue });
}

/**
 * One suite run: every case × model × repeat is generated, graded and stored exactly once, with at most
 * `concurrency` cells in flight. Cancellation stops in-flight model calls and keeps what is stored.
 */
export async function suiteRun(input: SuiteRunInput): Promise<SuiteRunResult> {
  const total = input.cells?.length ?? cellCount(input.dims);
  const perModel = input.cells ? cellsPerModel(input.dims, input.cells) : total / input.dims.models.length;
  const progress = input.resume?.progress ?? initialProgress([...input.dims.models], perModel);
  setHandler(progressQuery, () => progress);

  // Not awaited before the first cells: it is bookkeeping, and finish() waits for it.
  const markedRunning = input.resume ? Promise.resolve() : bookkeeping.markRunRunning({ runId: input.runId });
  setStatus(progress, 'running');

  const batchSize = input.batchSize ?? batchSizeFor(total, input.concurrency);
  const batches = planBatches(total, batchSize, input.cells);
  let error: string | undefined;
  try {
    const next = await runBatches(input, batches, progress, batchSize);
    if (next < batches.length)
      return continueAsNew<typeof suiteRun>({ ...input, resume: { nextBatch: next, progress } });
    setStatus(progress, 'completed');
  } catch (err) {
    setStatus(progress, isCancellation(err) ? 'cancelled' : 'failed');
    if (!isCancellation(err)) error = failureMessage(err);
  }
  return CancellationScope.nonCancellable(async () => {
    await markedRunning.catch(() => undefined);
    return finish(input, progress, error);
  });
}

async function runBatches(
  input: SuiteRunInput,
  batches: CellRange[],
  progress: RunProgress,
  batchSize: number,
): Promise<number> {
  const cells = cellActivities(input, batchSize);
  const { recordCellErrors } = cells;
  const runCells = input.llmTaskQueue
    ? splitBatchRunner(cells, llmActivities(input, batchSize, input.llmTaskQueue))
    : cells.runCellBatch;
  const maxEvents = input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const inFlight = new Map<number, { range: CellRange; done: Promise<void> }>();
  let next = input.resume?.nextBatch ?? 0;

  const runBatch = async (range: CellRange): Promise<void> => {
    const request = { runId: input.runId, cardVersionId: input.cardVersionId, dims: input.dims, range };
    try {
      addOutcomes(
        progress,
        await runCells({ ...request, timeoutMs: input.timeoutMs, noCache: input.noCache }),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      // Retries are exhausted: the batch's unstored cells become error results and the run goes on.
      addOutcomes(progress, await recordCellErrors({ ...request, message: failureMessage(err) }));
    }
  };
  const historyIsFull = () =>
    workflowInfo().historyLength >= maxEvents || workflowInfo().continueAsNewSuggested;

  try {
    while (next < batches.length || inFlight.size > 0) {
      while (inFlight.size < input.concurrency && next < batches.length && !historyIsFull()) {
        const id = next++;
        const range = batches[id] as CellRange;
        inFlight.set(id, { range, done: runBatch(range).finally(() => inFlight.delete(id)) });
      }
      if (inFlight.size === 0) break;
      setRunning(progress, runningByModel(input, inFlight));
      await Promise.race([...inFlight.values()].map((b) => b.done));
    }
  } finally {
    // On cancellation, wait for in-flight batches to acknowledge so the stored results are final.
    await Promise.allSettled([...inFlight.values()].map((b) => b.done));
    setRunning(progress, {});
  }
  return next;
}

async function finish(input: SuiteRunInput, progress: RunProgress, error?: string): Promise<SuiteRunResult> {
  const status = progress.status;
  const summary = await bookkeeping.finishRun({ runId: input.runId, status, error });
  setStatus(progress, status);
  // Runs without `judge` schedule exactly what they always did, so their histories replay unchanged.
  const events = input.judge ? await judgedEvents(input.runId, status, input.judge) : [statusEvent(status)];
  await Promise.all(events.map((event) => notify(input.runId, event, summary)));
  return { runId: input.runId, status, summary };
}

/** A completed judged run is compared with its baseline first; its verdict decides `run.regression`. */
async function judgedEvents(
  runId: string,
  status: RunStatus,
  judge: NonNullable<SuiteRunInput['judge']>,
): Promise<string[]> {
  // A verdict that cannot be reached (retries exhausted) must not keep the run's end from being announced.
  const outcome =
    status === 'completed' ? await bookkeeping.judgeRun({ runId }).catch(() => undefined) : undefined;
  return judgedRunEvents({ status, alertOnFailure: judge.alertOnFailure, verdict: outcome?.verdict });
}

async function notify(runId: string, event: string, summary: RunSummary): Promise<void> {
  const targets = await bookkeeping.listWebhookTargets({ event });
  await Promise.all(
    targets.map((target) =>
      webhooks.deliverRunWebhook({ target, runId, event, summary }).catch(() => undefined),
    ),
  );
}

type BatchInput = Parameters<SuiteActivities['runCellBatch']>[0];

/** Tries of a scale-path batch's transiently failed cells, and the pause before each (as batch retries). */
const SPLIT_BATCH_TRIES = 6;
const splitBatchPause = (attempt: number) => Math.min(1000 * 2 ** (attempt - 1), 30_000);

/**
 * The scale path's batch: prompts rendered where the database is, generated on the LLM queue, then graded
 * and stored back where the database is. Cells that failed transiently are tried again (with the others
 * already stored); when the tries run out the batch fails and its unstored cells become error results.
 * Returns every stored outcome of the batch, like runCellBatch.
 */
function splitBatchRunner(
  cells: ReturnType<typeof cellActivities>,
  llm: ReturnType<typeof llmActivities>,
): (request: BatchInput) => Promise<CellOutcome[]> {
  return async (request) => {
    for (let attempt = 1; ; attempt++) {
      const { stored, prompts } = await cells.prepareCellPrompts(request);
      if (prompts.length === 0) return stored;
      const generations = await llm.generateCells({
        prompts,
        timeoutMs: request.timeoutMs,
        noCache: request.noCache,
      });
      const graded = await cells.gradeAndStoreCells({ ...request, prompts, generations });
      if (graded.transient === 0) return [...stored, ...graded.outcomes];
      if (attempt >= SPLIT_BATCH_TRIES) {
        const failure = graded.lastFailure;
        throw ApplicationFailure.retryable(
          `${graded.transient} cell(s) failed transiently ${attempt} times; last: ${failure?.type}: ${failure?.message}`,
          'TransientCellFailure',
        );
      }
      await sleep(splitBatchPause(attempt));
    }
  };
}

function setStatus(progress: RunProgress, status: RunStatus): void {
  progress.status = status;
  upsertSearchAttributes([{ key: searchAttributeKeys.status, value: status }]);
}

function runningByModel(
  input: SuiteRunInput,
  inFlight: Map<number, { range: CellRange }>,
): Record<string, number> {
  const running: Record<string, number> = {};
  for (const { range } of inFlight.values()) {
    for (const cell of cellsOfBatch(range, input.dims)) {
      running[cell.model] = (running[cell.model] ?? 0) + 1;
    }
  }
  return running;
}

function failureMessage(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(err);
}
