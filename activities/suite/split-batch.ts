import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { resolveCase } from '../../core/card/cases.ts';
import type { Card, CardOptions } from '../../core/card/schema.ts';
import { type RenderedPrompt, renderPrompt } from '../../core/card/template.ts';
import type { CellRef } from '../../core/run/cells.ts';
import type { CellOutcome } from '../../core/run/progress.ts';
import type { Generation } from '../llm/types.ts';
import { type BatchDeps, type BatchRequest, splitStored, storeCellResult } from './batch.ts';
import { type CellFailure, classifyCellError } from './classify.ts';
import {
  type CellResult,
  cellSignal,
  errorResult,
  generateRequest,
  gradeCell,
  withQuickRetries,
} from './run-cell.ts';

// The scale path (PCS_LLM_TASK_QUEUE): a batch is prepared and stored where the database lives, and only
// the model calls run on the LLM task queue, which any worker (or a GPU host without the database) serves.

/** One cell's prompt, rendered where the card is stored, for a worker that has no database. */
export type CellPrompt = { cell: CellRef; prompt: RenderedPrompt; options: CardOptions | undefined };

/** A generated cell, or why not: a permanent failure is stored as an error, a transient one is tried again. */
export type CellGeneration = { key: string; generation: Generation } | { key: string; failure: CellFailure };

/** What the database side stored of a batch, and how many cells failed transiently and are not stored. */
export type StoredCells = { outcomes: CellOutcome[]; transient: number; lastFailure?: CellFailure };

export type GenerateCellsRequest = { prompts: CellPrompt[]; timeoutMs: number; noCache: boolean };

export type LlmDeps = Pick<BatchDeps, 'generate'>;

/**
 * Database side, first step: the outcomes of the batch's cells already stored, and the rendered prompts of
 * the others. A prompt that cannot be rendered is stored at once as an error result.
 */
export async function prepareCellPrompts(
  deps: BatchDeps,
  request: BatchRequest,
): Promise<{ stored: CellOutcome[]; prompts: CellPrompt[] }> {
  const card = deps.loadCard(request.cardVersionId);
  const { stored, pending } = splitStored(deps.db, request);
  const prompts: CellPrompt[] = [];
  for (const cell of pending) {
    try {
      prompts.push({ cell, prompt: renderPrompt(card, cell.caseIndex), options: card.options });
    } catch (error) {
      const result = errorResult(cell, resolveCase(card, cell.caseIndex).name, '', classifyCellError(error));
      stored.push(await storeCellResult(deps, request.runId, cell, result, Context.current().info.attempt));
    }
  }
  return { stored, prompts };
}

/**
 * LLM side: generates each prompt (quick retries for blips) and returns every cell's generation or
 * failure, so one flaky cell never costs the others their result: the workflow stores what came back and
 * tries the transient failures again later.
 */
export async function generateCells(deps: LlmDeps, request: GenerateCellsRequest): Promise<CellGeneration[]> {
  const context = Context.current();
  const settings = { signal: context.cancellationSignal, timeoutMs: request.timeoutMs };
  const generations: CellGeneration[] = [];
  const heartbeat = setInterval(() => context.heartbeat(), 1000);
  try {
    for (const { cell, prompt, options } of request.prompts) {
      generations.push(await generateOne(deps, cell, prompt, options, settings, !request.noCache));
      context.heartbeat();
    }
  } finally {
    clearInterval(heartbeat);
  }
  return generations;
}

async function generateOne(
  deps: LlmDeps,
  cell: CellRef,
  prompt: RenderedPrompt,
  options: CardOptions | undefined,
  settings: { signal: AbortSignal; timeoutMs: number },
  useCache: boolean,
): Promise<CellGeneration> {
  try {
    const generation = await withQuickRetries(settings.signal, () =>
      deps.generate(generateRequest(cell, prompt, options, cellSignal(settings)), { useCache }),
    );
    return { key: cell.key, generation };
  } catch (error) {
    if (settings.signal.aborted) throw new CancelledFailure('Run cancelled');
    return { key: cell.key, failure: classifyCellError(error) };
  }
}

/**
 * Database side, last step: grades each generation (quick retries, as on the one-queue path) and stores
 * it with permanent failures as error results. Transiently failed cells are left unstored and counted, for
 * the workflow to try again. Heartbeats, since grading may call a judge model.
 */
export async function gradeAndStoreCells(
  deps: BatchDeps,
  request: BatchRequest & { prompts: CellPrompt[]; generations: CellGeneration[]; timeoutMs: number },
): Promise<StoredCells> {
  const context = Context.current();
  const card = deps.loadCard(request.cardVersionId);
  const byKey = new Map(request.generations.map((g) => [g.key, g]));
  const stored: StoredCells = { outcomes: [], transient: 0 };
  const heartbeat = setInterval(() => context.heartbeat(), 1000);
  try {
    for (const { cell, prompt } of request.prompts) {
      const generated = byKey.get(cell.key);
      if (!generated) continue;
      const caseName = resolveCase(card, cell.caseIndex).name;
      const graded =
        'failure' in generated
          ? { failure: generated.failure }
          : await gradeOne(deps, card, cell, prompt, generated.generation, request.timeoutMs);
      if ('failure' in graded && graded.failure.transient) {
        stored.transient++;
        stored.lastFailure = graded.failure;
        continue;
      }
      const result =
        'failure' in graded ? errorResult(cell, caseName, prompt.text, graded.failure) : graded.result;
      stored.outcomes.push(await storeCellResult(deps, request.runId, cell, result, context.info.attempt));
      context.heartbeat();
    }
  } finally {
    clearInterval(heartbeat);
  }
  return stored;
}

async function gradeOne(
  deps: BatchDeps,
  card: Card,
  cell: CellRef,
  prompt: RenderedPrompt,
  generation: Generation,
  timeoutMs: number,
): Promise<{ result: CellResult } | { failure: CellFailure }> {
  const { cancellationSignal: signal } = Context.current();
  try {
    return {
      result: await withQuickRetries(signal, () =>
        gradeCell(cell, card, prompt, generation, deps, cellSignal({ signal, timeoutMs })),
      ),
    };
  } catch (error) {
    if (signal.aborted) throw new CancelledFailure('Run cancelled');
    return { failure: classifyCellError(error) };
  }
}
