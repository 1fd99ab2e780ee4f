/** Names and types shared by workflows and their clients (API, CLI, worker). Deterministic-safe. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery } from '@temporalio/workflow';
import type { MatrixDims } from '../core/run/cells.ts';
import type { RunProgress, RunStatus } from '../core/run/progress.ts';
import type { RunSummary } from '../core/run/summary.ts';

export const DEFAULT_TASK_QUEUE = 'pcs-suite';

/** Search attributes registered on the embedded dev server so runs can be found in the Temporal UI. */
export const SEARCH_ATTRIBUTES = {
  card: 'PcsCard',
  trigger: 'PcsTrigger',
  status: 'PcsStatus',
} as const;

/**
 * Dev server settings the product relies on. Eager activity execution hands a batch's activity task to
 * the worker in the reply to the workflow task that scheduled it, saving a matching round trip per batch
 * (a cluster needs the same dynamic config key).
 */
export const DEV_SERVER_DYNAMIC_CONFIG = ['system.enableActivityEagerExecution=true'];

export const searchAttributeKeys = {
  card: defineSearchAttributeKey(SEARCH_ATTRIBUTES.card, SearchAttributeType.KEYWORD),
  trigger: defineSearchAttributeKey(SEARCH_ATTRIBUTES.trigger, SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey(SEARCH_ATTRIBUTES.status, SearchAttributeType.KEYWORD),
};

export type RunTrigger = 'cli' | 'api' | 'schedule' | 'retry';

export type SuiteRunInput = {
  runId: string;
  cardName: string;
  cardVersionId: number;
  dims: MatrixDims;
  concurrency: number;
  timeoutMs: number;
  noCache: boolean;
  trigger: RunTrigger;
  /** Only these matrix indices (ascending), e.g. the failed cells of an earlier run; all cells when absent. */
  cells?: number[];
  /** Cells per activity; computed from the suite size when absent. */
  batchSize?: number;
  /** Continue as new once history reaches this many events (Temporal warns at 10,240). */
  maxHistoryEvents?: number;
  /** Set by the workflow itself when it continues as new. */
  resume?: { nextBatch: number; progress: RunProgress };
  /**
   * When present, the finished run is compared with its card's baseline and the verdict stored; a
   * regression (and, with `alertOnFailure`, a failed run) fires alerts. Scheduled runs set it.
   */
  judge?: { alertOnFailure: boolean };
  /**
   * The scale path: model calls run on this task queue (any worker, or a GPU host without the database),
   * while rendering, grading and storing stay on the run's own queue. Everything on one queue when absent.
   */
  llmTaskQueue?: string;
};

export type SuiteRunResult = { runId: string; status: RunStatus; summary: RunSummary };

export const progressQuery = defineQuery<RunProgress>('progress');
