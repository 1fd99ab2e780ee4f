import type { CellStatus } from './progress.ts';

/** The fields of a stored result that a summary needs. */
export type SummaryInputRow = {
  model: string;
  status: CellStatus;
  score: number | null;
  latencyMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cacheHit: boolean;
};

export type SummaryStats = {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  /** passed / total, errors counted as not passed; 0 for an empty run. */
  passRate: number;
  meanScore: number;
  latencyMs: { p50: number; p95: number };
  tokens: { prompt: number; completion: number };
  cacheHits: number;
};

export type RunSummary = SummaryStats & { perModel: Record<string, SummaryStats> };

export function summarizeResults(rows: readonly SummaryInputRow[]): RunSummary {
  const byModel = new Map<string, SummaryInputRow[]>();
  for (const row of rows) {
    const list = byModel.get(row.model) ?? [];
    list.push(row);
    byModel.set(row.model, list);
  }
  const perModel: Record<string, SummaryStats> = {};
  for (const [model, list] of byModel) perModel[model] = stats(list);
  return { ...stats(rows), perModel };
}

function stats(rows: readonly SummaryInputRow[]): SummaryStats {
  const count = (status: CellStatus) => rows.filter((r) => r.status === status).length;
  const passed = count('pass');
  const latencies = rows
    .filter((r) => r.status !== 'error' && r.latencyMs !== null)
    .map((r) => r.latencyMs as number);
  const scores = rows.map((r) => r.score ?? 0);
  return {
    total: rows.length,
    passed,
    failed: count('fail'),
    errored: count('error'),
    passRate: rows.length ? round(passed / rows.length) : 0,
    meanScore: scores.length ? round(scores.reduce((a, b) => a + b, 0) / scores.length) : 0,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    tokens: {
      prompt: rows.reduce((sum, r) => sum + (r.promptTokens ?? 0), 0),
      completion: rows.reduce((sum, r) => sum + (r.completionTokens ?? 0), 0),
    },
    cacheHits: rows.filter((r) => r.cacheHit).length,
  };
}

/** Nearest-rank percentile: the smallest value with at least p% of values at or below it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
