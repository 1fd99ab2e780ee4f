import type { Result } from '../../db/schema.ts';
import type { RunSummary } from '../run/summary.ts';
import { orderResults } from './order.ts';
import type { ExportData } from './types.ts';

export function exportJson(data: ExportData): string {
  const { run, cardName } = data;
  const document = {
    run: {
      id: run.id,
      card: cardName,
      status: run.status,
      trigger: run.trigger,
      createdAt: isoTime(run.createdAt),
      startedAt: isoTime(run.startedAt),
      finishedAt: isoTime(run.finishedAt),
      options: run.options,
      totalCells: run.totalCells,
      // The column is untyped JSON in db/; finishRun stores the output of summarizeResults there.
      summary: run.summary as RunSummary | null,
      error: run.error,
    },
    results: orderResults(data.results, run.options.models).map(exportedResult),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function exportedResult(result: Result) {
  return {
    caseIndex: result.caseIndex,
    case: result.caseName,
    model: result.model,
    repeat: result.repeat,
    status: result.status,
    score: result.score,
    output: result.output,
    reason: result.reason,
    errorType: result.errorType,
    latencyMs: result.latencyMs,
    promptTokens: result.promptTokens,
    completionTokens: result.completionTokens,
    cacheHit: result.cacheHit,
    assertions: result.assertions,
    metrics: result.metrics,
    renderedPrompt: result.renderedPrompt,
  };
}

function isoTime(epochMs: number | null): string | null {
  return epochMs === null ? null : new Date(epochMs).toISOString();
}
