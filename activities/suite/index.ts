import type { ModelAccess, ModelDefaults } from '../../core/assertions/types.ts';
import type { DrizzleDb } from '../../db/client.ts';
import type { ResponseCache } from '../cache/types.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { createGenerator } from '../llm/generate.ts';
import { ollamaModelAccess } from '../llm/ollama.ts';
import { type BatchRequest, recordCellErrors, runCellBatch } from './batch.ts';
import { createCardLoader } from './card-cache.ts';
import { judgeRun } from './judge.ts';
import {
  deliverRunWebhook,
  finishRun,
  type LifecycleDeps,
  listWebhookTargets,
  markRunRunning,
  type WebhookTarget,
} from './lifecycle.ts';
import {
  type GenerateCellsRequest,
  generateCells,
  gradeAndStoreCells,
  prepareCellPrompts,
} from './split-batch.ts';

export type SuiteDeps = {
  db: DrizzleDb;
  cache: ResponseCache;
  events: EventPublisher;
  ollamaHost: string;
  modelDefaults: ModelDefaults;
  webhooks: LifecycleDeps['webhooks'];
  /** The API's public base URL, for links to the dashboard in alerts. */
  publicUrl: string;
  /** Significance level of regression verdicts (PCS_REGRESSION_ALPHA). */
  regressionAlpha: number;
  /** The scale path's queue for model calls; scheduled runs send theirs there (PCS_LLM_TASK_QUEUE). */
  llmTaskQueue?: string;
  /** Grading models; defaults to the Ollama at ollamaHost. */
  models?: ModelAccess;
};

export type SuiteActivities = ReturnType<typeof createSuiteActivities>;

export type LlmActivities = ReturnType<typeof createLlmActivities>;

/**
 * What a worker of the LLM task queue serves (PCS_LLM_TASK_QUEUE): model calls only, with the response
 * cache; it needs neither the database nor the workflows.
 */
export function createLlmActivities(deps: Pick<SuiteDeps, 'ollamaHost' | 'cache'>) {
  const generate = createGenerator({ ollamaHost: deps.ollamaHost, cache: deps.cache });
  return { generateCells: (input: GenerateCellsRequest) => generateCells({ generate }, input) };
}

export function createSuiteActivities(deps: SuiteDeps) {
  const batchDeps = {
    db: deps.db,
    events: deps.events,
    loadCard: createCardLoader(deps.db),
    generate: createGenerator({ ollamaHost: deps.ollamaHost, cache: deps.cache }),
    models: deps.models ?? ollamaModelAccess(deps.ollamaHost),
    modelDefaults: deps.modelDefaults,
  };
  const lifecycleDeps: LifecycleDeps = {
    db: deps.db,
    events: deps.events,
    webhooks: deps.webhooks,
    publicUrl: deps.publicUrl,
  };
  const judgeDeps = { db: deps.db, alpha: deps.regressionAlpha };
  return {
    runCellBatch: (input: BatchRequest & { timeoutMs: number; noCache: boolean }) =>
      runCellBatch(batchDeps, input),
    recordCellErrors: (input: BatchRequest & { message: string }) => recordCellErrors(batchDeps, input),
    prepareCellPrompts: (input: BatchRequest) => prepareCellPrompts(batchDeps, input),
    gradeAndStoreCells: (input: Parameters<typeof gradeAndStoreCells>[1]) =>
      gradeAndStoreCells(batchDeps, input),
    markRunRunning: async (input: { runId: string }) => markRunRunning(lifecycleDeps, input),
    finishRun: (input: Parameters<typeof finishRun>[1]) => finishRun(lifecycleDeps, input),
    judgeRun: async (input: { runId: string }) => judgeRun(judgeDeps, input),
    listWebhookTargets: async (input?: { event?: string }) => listWebhookTargets(lifecycleDeps, input),
    deliverRunWebhook: (input: {
      target: WebhookTarget;
      runId: string;
      event: string;
      summary: Parameters<typeof deliverRunWebhook>[1]['summary'];
    }) => deliverRunWebhook(lifecycleDeps, input),
  };
}
