/** Small display helpers shared by the pages. */

export function percent(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return `${(value * 100).toFixed(value === 1 || value === 0 ? 0 : 1)}%`;
}

export function ms(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}

export function dateTime(epochMs: number | null | undefined): string {
  if (!epochMs) return '–';
  return new Date(epochMs).toISOString().replace('T', ' ').slice(0, 19);
}

export function duration(fromMs: number | null, toMs: number | null): string {
  if (!fromMs || !toMs) return '–';
  return ms(toMs - fromMs);
}

/** Status words with a symbol, so pass / fail / error never depend on colour alone. */
export const STATUS_LABEL: Record<string, string> = {
  pass: '✓ pass',
  fail: '✗ fail',
  error: '⚠ error',
  queued: '… queued',
  running: '▶ running',
  completed: '✓ completed',
  failed: '✗ failed',
  cancelled: '■ cancelled',
};

export const STATUS_SYMBOL: Record<string, string> = { pass: '✓', fail: '✗', error: '⚠' };
