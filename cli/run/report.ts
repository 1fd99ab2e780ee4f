import Table from 'cli-table3';
import type { RunSummary, SummaryStats } from '../../core/run/summary.ts';
import type { Result } from '../../db/schema.ts';

/** The summary table printed at the end of `pcs run`: one row per model and a total. */
export function summaryTable(summary: RunSummary): string {
  const table = new Table({
    head: [
      'model',
      'cells',
      'pass',
      'fail',
      'error',
      'pass rate',
      'p50 ms',
      'p95 ms',
      'tokens in/out',
      'cached',
    ],
    style: { head: [], border: [] },
  });
  for (const [model, stats] of Object.entries(summary.perModel)) table.push(row(model, stats));
  if (Object.keys(summary.perModel).length > 1) table.push(row('all', summary));
  return table.toString();
}

function row(name: string, s: SummaryStats): string[] {
  return [
    name,
    String(s.total),
    String(s.passed),
    String(s.failed),
    String(s.errored),
    `${(s.passRate * 100).toFixed(1)}%`,
    String(s.latencyMs.p50),
    String(s.latencyMs.p95),
    `${s.tokens.prompt}/${s.tokens.completion}`,
    String(s.cacheHits),
  ];
}

/** The cells that did not pass, with why: what a user reads first after a red run. */
export function problemList(results: Result[], limit = 20): string {
  const problems = results
    .filter((r) => r.status !== 'pass')
    .sort((a, b) => a.caseIndex - b.caseIndex || a.model.localeCompare(b.model) || a.repeat - b.repeat);
  const lines = problems
    .slice(0, limit)
    .map(
      (r) =>
        `  ${r.status.toUpperCase().padEnd(5)} ${r.caseName} × ${r.model} #${r.repeat}: ${oneLine(r.reason)}`,
    );
  if (problems.length > limit) lines.push(`  … and ${problems.length - limit} more (see --output)`);
  return lines.join('\n');
}

function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
