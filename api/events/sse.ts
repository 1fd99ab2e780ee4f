import type { CellEvent } from '../../core/run/events.ts';
import type { Result } from '../../db/schema.ts';

/** One Server-Sent Event. JSON never contains a raw line break, so `data` is always a single line. */
export function sseEvent(event: string, data: unknown, id?: number): string {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  return `${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A comment line: ignored by clients, it keeps proxies and load balancers from closing an idle stream. */
export const SSE_PING = ': ping\n\n';

/** The stored result as the event the worker publishes for it. */
export function cellEventOf(row: Result): CellEvent {
  return {
    type: 'cell',
    id: row.id,
    runId: row.runId,
    key: row.cellKey,
    caseName: row.caseName,
    model: row.model,
    repeat: row.repeat,
    status: row.status,
    score: row.score,
    latencyMs: row.latencyMs,
    cacheHit: row.cacheHit,
  };
}
