import pRetry from 'p-retry';
import { gradeOutput } from '../../core/assertions/engine.ts';
import type { ModelAccess, ModelDefaults } from '../../core/assertions/types.ts';
import { resolveCase } from '../../core/card/cases.ts';
import type { Card } from '../../core/card/schema.ts';
import { renderPrompt } from '../../core/card/template.ts';
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
    return await pRetry(
      async () => {
        const signal = AbortSignal.any([settings.signal, AbortSignal.timeout(settings.timeoutMs)]);
        const request = {
          model: cell.model,
          ...prompt,
          options: settings.card.options,
          sample: cell.repeat,
          signal,
        };
        const generation = await deps.generate(request, { useCache: settings.useCache });
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
          result: {
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
          },
        } satisfies CellAttempt;
      },
      {
        ...QUICK_RETRIES,
        signal: settings.signal,
        shouldRetry: ({ error }) => !settings.signal.aborted && classifyCellError(error).transient,
      },
    );
  } catch (error) {
    if (settings.signal.aborted) throw error;
    const failure = classifyCellError(error);
    if (failure.transient) return { failure, renderedPrompt };
    return { result: errorResult(cell, testCase.name, renderedPrompt, failure) };
  }
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
