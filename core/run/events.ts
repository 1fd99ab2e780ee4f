import type { CellStatus, RunStatus } from './progress.ts';

/**
 * Progress events of a run. A `cell` event's id is its result row's id, so a consumer that missed events
 * (a reconnecting SSE client) reads the results table after its last id and misses nothing. Events are
 * published on the Redis channel `runEventsChannel(runId)` when Redis is configured; without Redis the
 * results table itself is the event log.
 */
export type CellEvent = {
  type: 'cell';
  id: number;
  runId: string;
  key: string;
  caseName: string;
  model: string;
  repeat: number;
  status: CellStatus;
  score: number;
  latencyMs: number | null;
  cacheHit: boolean;
};

export type RunEndEvent = { type: 'run'; runId: string; status: RunStatus };

export type RunEvent = CellEvent | RunEndEvent;

export function runEventsChannel(runId: string): string {
  return `pcs:run-events:${runId}`;
}
