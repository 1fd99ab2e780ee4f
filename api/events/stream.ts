import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { DrizzleDb } from '../../db/client.ts';
import { listResults } from '../../db/queries/results.ts';
import { getRun } from '../../db/queries/runs.ts';
import type { Run } from '../../db/schema.ts';
import type { RunEventRelay } from './relay.ts';
import { cellEventOf, SSE_PING, sseEvent } from './sse.ts';

export type RunStreamDeps = {
  db: DrizzleDb;
  relay: RunEventRelay;
  /** The first event's data: the run's status and progress when the client connects. */
  snapshot: (run: Run) => Promise<unknown>;
  heartbeatMs?: number;
  onError: (error: unknown) => void;
};

const PAGE_SIZE = 500;
const FINISHED: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);

/**
 * The SSE body of `GET /runs/:id/events`: a `snapshot`, one `cell` event per stored result after
 * `afterId` in id order, then `end` once the run has finished, and the stream closes. The results table
 * is the only source of events, so what a client sees does not depend on which wake-ups reached it.
 */
export function openRunEventStream(deps: RunStreamDeps, runId: string, afterId: number): PassThrough {
  const out = new PassThrough();
  const stop = new AbortController();
  const abort = () => stop.abort();
  out.once('close', abort);
  deps.relay.closing.addEventListener('abort', abort);
  if (deps.relay.closing.aborted) abort();
  out.write('retry: 1000\n\n');
  pumpRunEvents(deps, runId, afterId, out, stop.signal)
    .then(
      () => out.end(),
      (error: unknown) => {
        deps.onError(error);
        out.destroy();
      },
    )
    .finally(() => deps.relay.closing.removeEventListener('abort', abort));
  return out;
}

async function pumpRunEvents(
  deps: RunStreamDeps,
  runId: string,
  afterId: number,
  out: PassThrough,
  signal: AbortSignal,
): Promise<void> {
  const wakeup = createWakeup();
  const unwatch = await deps.relay.watch(runId, wakeup.notify);
  const heartbeat = setInterval(() => out.writable && out.write(SSE_PING), deps.heartbeatMs ?? 15_000);
  try {
    const run = getRun(deps.db, runId);
    if (!run || signal.aborted) return;
    await send(out, sseEvent('snapshot', await deps.snapshot(run)), signal);
    let lastId = afterId;
    while (!signal.aborted) {
      // Read before the results: every result is stored before the run is marked finished, so once a
      // finished status is seen, the read that follows it has all of them.
      const current = getRun(deps.db, runId);
      lastId = await sendResultsAfter(deps.db, runId, lastId, out, signal);
      if (!current) return;
      if (FINISHED.has(current.status)) {
        await send(out, sseEvent('end', endEventOf(current)), signal);
        return;
      }
      await wakeup.wait(signal);
    }
  } finally {
    clearInterval(heartbeat);
    unwatch();
  }
}

async function sendResultsAfter(
  db: DrizzleDb,
  runId: string,
  afterId: number,
  out: PassThrough,
  signal: AbortSignal,
): Promise<number> {
  let lastId = afterId;
  while (!signal.aborted) {
    const rows = listResults(db, runId, { afterId: lastId, limit: PAGE_SIZE });
    if (rows.length === 0) break;
    await send(out, rows.map((row) => sseEvent('cell', cellEventOf(row), row.id)).join(''), signal);
    lastId = rows[rows.length - 1]?.id ?? lastId;
    if (rows.length < PAGE_SIZE) break;
  }
  return lastId;
}

function endEventOf(run: Run) {
  return { type: 'run', runId: run.id, status: run.status, summary: run.summary, error: run.error };
}

/** Writes with backpressure: a slow client makes the stream wait instead of buffering without bound. */
async function send(out: PassThrough, chunk: string, signal: AbortSignal): Promise<void> {
  if (signal.aborted || !out.writable) return;
  if (out.write(chunk)) return;
  await once(out, 'drain', { signal }).catch(() => undefined);
}

/** Wake-ups that arrive while the stream is busy are kept (as one), so `wait` returns at once after them. */
function createWakeup() {
  let pending = false;
  let resolveWait: (() => void) | undefined;
  return {
    notify() {
      pending = true;
      resolveWait?.();
    },
    async wait(signal: AbortSignal): Promise<void> {
      if (!pending && !signal.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            signal.removeEventListener('abort', done);
            resolveWait = undefined;
            resolve();
          };
          resolveWait = done;
          signal.addEventListener('abort', done);
        });
      }
      pending = false;
    },
  };
}
