import { setMaxListeners } from 'node:events';
import { Redis } from 'ioredis';
import { runEventsChannel } from '../../core/run/events.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { latestResultId } from '../../db/queries/results.ts';
import { getRun } from '../../db/queries/runs.ts';

export type RunEventRelayOptions = {
  db: DrizzleDb;
  /** With Redis, the worker's publications wake the streams; without it the results table is polled. */
  redisUrl: string | undefined;
  /** How often the table is checked when Redis is not configured or not connected. */
  pollIntervalMs?: number;
  /** With Redis connected the table is still checked this often, so a lost message only delays. */
  safetyPollIntervalMs?: number;
  onError?: (error: unknown) => void;
};

/**
 * Tells the event streams of a run when to look at the results table again. It never carries data: a
 * stream always reads the rows after its last sent id, so a lost or duplicated wake-up cannot lose or
 * repeat an event. One Redis subscription and one poller per run, however many clients follow it.
 */
export type RunEventRelay = {
  /** Calls `wake` when the run may have new results or a new status; resolves once it is listening. */
  watch(runId: string, wake: () => void): Promise<() => void>;
  /** Aborted when the API begins to shut down: open streams end. */
  readonly closing: AbortSignal;
  close(): Promise<void>;
};

type WatchedRun = {
  listeners: Set<() => void>;
  /** Settles once the Redis subscription is active (or has failed: polling then takes over). */
  subscribed: Promise<void>;
  timer: NodeJS.Timeout | undefined;
  lastId: number;
  lastStatus: string | undefined;
};

export function createRunEventRelay(options: RunEventRelayOptions): RunEventRelay {
  const { db, redisUrl, onError = () => {} } = options;
  const pollMs = options.pollIntervalMs ?? 100;
  const safetyPollMs = options.safetyPollIntervalMs ?? 1000;
  const watched = new Map<string, WatchedRun>();
  const closing = new AbortController();
  // Every open stream listens for the shutdown; hundreds of them are expected, not a leak.
  setMaxListeners(0, closing.signal);
  let subscriber: Redis | undefined;

  const wakeAll = (run: WatchedRun) => {
    for (const wake of run.listeners) wake();
  };

  const redis = (): Redis | undefined => {
    if (!redisUrl || closing.signal.aborted) return undefined;
    if (!subscriber) {
      subscriber = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      subscriber.on('error', onError);
      subscriber.on('message', (channel: string) => {
        const run = watched.get(channel.slice(runEventsChannel('').length));
        if (run) wakeAll(run);
      });
    }
    return subscriber;
  };

  const check = (runId: string, run: WatchedRun) => {
    try {
      const lastId = latestResultId(db, runId);
      const lastStatus = getRun(db, runId)?.status;
      if (lastId === run.lastId && lastStatus === run.lastStatus) return;
      run.lastId = lastId;
      run.lastStatus = lastStatus;
      wakeAll(run);
    } catch (error) {
      onError(error);
    }
  };

  const schedulePoll = (runId: string, run: WatchedRun) => {
    const delay = subscriber?.status === 'ready' ? safetyPollMs : pollMs;
    run.timer = setTimeout(() => {
      check(runId, run);
      if (watched.get(runId) === run) schedulePoll(runId, run);
    }, delay);
  };

  const startWatching = (runId: string): WatchedRun => {
    const subscribed = redis()
      ?.subscribe(runEventsChannel(runId))
      .then(() => undefined, onError);
    const run: WatchedRun = {
      listeners: new Set(),
      subscribed: subscribed ?? Promise.resolve(),
      timer: undefined,
      lastId: -1,
      lastStatus: undefined,
    };
    watched.set(runId, run);
    schedulePoll(runId, run);
    return run;
  };

  const stopWatching = (runId: string, run: WatchedRun) => {
    if (watched.get(runId) !== run) return;
    watched.delete(runId);
    clearTimeout(run.timer);
    subscriber?.unsubscribe(runEventsChannel(runId)).catch(onError);
  };

  return {
    closing: closing.signal,
    async watch(runId, wake) {
      const run = watched.get(runId) ?? startWatching(runId);
      run.listeners.add(wake);
      // A stream reads the table only once it can no longer miss a wake-up.
      await run.subscribed;
      return () => {
        run.listeners.delete(wake);
        if (run.listeners.size === 0) stopWatching(runId, run);
      };
    },
    async close() {
      closing.abort();
      for (const [runId, run] of watched) stopWatching(runId, run);
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}
