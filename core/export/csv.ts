import { stringify } from 'csv-stringify/sync';
import type { Result } from '../../db/schema.ts';
import { orderResults } from './order.ts';
import type { ExportData } from './types.ts';

export const CSV_COLUMNS = [
  'run_id',
  'case_index',
  'case',
  'model',
  'repeat',
  'status',
  'score',
  'latency_ms',
  'prompt_tokens',
  'completion_tokens',
  'cache_hit',
  'error_type',
  'reason',
  'output',
] as const;

type CsvRow = Record<(typeof CSV_COLUMNS)[number], string | number | null>;

/** One row per result; csv-stringify quotes fields holding commas, quotes or line breaks. */
export function exportCsv(data: ExportData): string {
  const rows = orderResults(data.results, data.run.options.models).map(csvRow);
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS] });
}

function csvRow(result: Result): CsvRow {
  return {
    run_id: result.runId,
    case_index: result.caseIndex,
    case: result.caseName,
    model: result.model,
    repeat: result.repeat,
    status: result.status,
    score: result.score,
    latency_ms: result.latencyMs,
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    // Spelled out: csv-stringify would write true as "1" and false as an empty field.
    cache_hit: result.cacheHit ? 'true' : 'false',
    error_type: result.errorType,
    reason: result.reason,
    output: result.output,
  };
}
