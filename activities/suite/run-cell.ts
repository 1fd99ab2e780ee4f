import pRetry from 'p-retry';
import { gradeOutput } from '../../core/assertions/engine.ts';
import type { ModelAccess, ModelDefaults } from '../../core/assertions/types.ts';
import { resolveCase } from '../../core/card/cases.ts';
import type { Card, CardOptions } from '../../core/card/schema.ts';
import { type RenderedPrompt, renderPrompt } from '../../core/card/template.ts';
import type { CellRef } from '../../core/run/cells.ts';
import type { ResultInput } from '../../db/queries/results.ts';
import type { GenerateRequest, Generation } from '../llm/types.ts';
import { type CellFailure, classifyCellError } from './classify.ts';

export type CellDeps = {
  generate: (request: GenerateRequest, opts: { useCache: boolean }) => Promise<Generation>;
  models: ModelAccess;
  modelDefaults: ModelDefaults;
};

export type CellSettings = { card: Card; timeoutMs: number; useCache: boolean; signal: AbortSignal };

/** A graded cell, ready to store (run id and attempt are added by the caller). */
export type CellResult = Omit<ResultInput, 'runId' | 'attempts'>;

export type CellAttempt = { result: CellResult } | { failure: CellFailure; renderedPrompt: string };

/** Quick retries absorb a blip (one 500, a dropped connection) without failing the whole batch. */
const QUICK_RETRIES = { retries: 2, minTimeout: 150, factor: 3 };

/** Render → generate → grade one cell. A transient failure that outlasts the quick retries is returned. */
export async function runCell(cell: CellRef, deps: CellDeps, settings: CellSettings): Promise<CellAttempt> {
  const testCase = resolveCase(settings.card, cell.caseIndex);
  let renderedPrompt = '';
  try {
    const prompt = renderPrompt(settings.card, cell.caseIndex);
    renderedPrompt = prompt.text;
    return await withQuickRetries(settings.signal, async () => {
      const signal = cellSignal(settings);
      const generation = await deps.generate(generateRequest(cell, prompt, settings.card.options, signal), {
        useCache: settings.useCache,
      });
      return { result: await gradeCell(cell, settings.card, prompt, generation, deps, signal) };
    });
  } catch (error) {
    if (settings.signal.aborted) throw error;
    const failure = classifyCellError(error);
    if (failure.transient) return { failure, renderedPrompt };
    return { result: errorResult(cell, testCase.name, renderedPrompt, failure) };
  }
}

/** What the model is asked for one cell: the rendered prompt, the card's options, the repeat as a sample. */
export function generateRequest(
  cell: CellRef,
  prompt: RenderedPrompt,
  options: CardOptions | undefined,
  signal: AbortSignal,
): GenerateRequest {
  return { model: cell.model, ...prompt, options, sample: cell.repeat, signal };
}

/** The run's cancellation or the card's per-generation timeout, whichever comes first. */
export function cellSignal(settings: { signal: AbortSignal; timeoutMs: number }): AbortSignal {
  return AbortSignal.any([settings.signal, AbortSignal.timeout(settings.timeoutMs)]);
}

/** Retries a cell's work twice, quickly, while its failure is transient and the run is not cancelled. */
export function withQuickRetries<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return pRetry(work, {
    ...QUICK_RETRIES,
    signal,
    shouldRetry: ({ error }) => !signal.aborted && classifyCellError(error).transient,
  });
}

/** Grades a generation against the case's assertions: the stored result of a generated cell. */
export async function gradeCell(
  cell: CellRef,
  card: Card,
  prompt: RenderedPrompt,
  generation: Generation,
  deps: Pick<CellDeps, 'models' | 'modelDefaults'>,
  signal: AbortSignal,
): Promise<CellResult> {
  const testCase = resolveCase(card, cell.caseIndex);
  const grade = await gradeOutput(
    {
      output: generation.output,
      prompt: prompt.text,
      vars: testCase.vars,
      latencyMs: generation.latencyMs,
      tokens: { prompt: generation.promptTokens, completion: generation.completionTokens },
    },
    testCase.assert,
    { threshold: testCase.threshold, models: deps.models, signal, ...deps.modelDefaults },
  );
  return {
    ...identity(cell, testCase.name, prompt.text),
    status: grade.pass ? 'pass' : 'fail',
    score: grade.score,
    output: generation.output,
    assertions: grade.assertions,
    metrics: grade.metrics,
    reason: grade.reason,
    latencyMs: generation.latencyMs,
    promptTokens: generation.promptTokens,
    completionTokens: generation.completionTokens,
    cacheHit: generation.cacheHit,
  };
}

export function errorResult(
  cell: CellRef,
  caseName: string,
  renderedPrompt: string,
  failure: CellFailure,
): CellResult {
  return {
    ...identity(cell, caseName, renderedPrompt),
    status: 'error',
    score: 0,
    output: null,
    reason: failure.message,
    errorType: failure.type,
  };
}

function identity(cell: CellRef, caseName: string, renderedPrompt: string) {
  return { caseIndex: cell.caseIndex, caseName, model: cell.model, repeat: cell.repeat, renderedPrompt };
}
