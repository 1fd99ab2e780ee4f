import type { AddressInfo } from 'node:net';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRunEventRelay } from '../api/events/relay.ts';
import { openRunEventStream } from '../api/events/stream.ts';
import { type CellEvent, runEventsChannel } from '../core/run/events.ts';
import { listResults } from '../db/queries/results.ts';
import { getRun } from '../db/queries/runs.ts';
import type { Result } from '../db/schema.ts';
import { buildApi } from './helpers/api.ts';
import { insertResult, insertRun, keyHeaders, storeCard } from './helpers/runs-api.ts';
import { openSse, readSse, type SseEvent } from './helpers/sse.ts';
import { createSuiteHarness, harnessWorkerEnv, nextTaskQueue, type SuiteHarness } from './helpers/suite.ts';
import { killHard, spawnWorker, type WorkerProcess } from './helpers/worker-process.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** `cases` cases on one model; every third case asserts something the fake never says, so it fails. */
function cardYaml(name: string, cases: number, concurrency = 4): string {
  const lines = Array.from({ length: cases }, (_, i) => {
    const expected = i % 3 === 2 ? 'never-said' : `w${i}`;
    return `  - { name: case ${i}, vars: { word: w${i} }, assert: [{ type: contains, value: ${expected} }] }`;
  });
  return `
name: ${name}
prompt: { template: "Say {{ word }} (${name})" }
models: [ollama:llama3.2:3b]
concurrency: ${concurrency}
cases:
${lines.join('\n')}
`;
}

type Listening = { app: FastifyInstance; base: string };

/**
 * Teardown only. After an aborted fetch, Node's fetch can leave a fresh connection that never sends a
 * request; the server counts it as busy until its headers timeout (60 s), so close would wait for it.
 */
async function closeNow(api: Listening | undefined): Promise<void> {
  api?.app.server.closeAllConnections();
  await api?.app.close();
}

async function listen(h: SuiteHarness, redisUrl?: string): Promise<Listening> {
  const app = await buildApi(h, { redisUrl });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

async function startRun(api: Listening, headers: Record<string, string>, cardId: string): Promise<string> {
  const response = await fetch(`${api.base}/runs`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ cardId }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { runId: string }).runId;
}

const cellsOf = (events: SseEvent[]) => events.filter((e) => e.event === 'cell');
const dataOf = <T>(event: SseEvent | undefined) => JSON.parse(event?.data ?? 'null') as T;

/** The stored rows as the cell events a client must have seen: same ids, keys and statuses, in id order. */
function expectEventsMatchRows(cells: SseEvent[], rows: Result[]): void {
  expect(cells.map((e) => Number(e.id))).toEqual(rows.map((r) => r.id));
  expect(cells.map((e) => dataOf<CellEvent>(e))).toEqual(
    rows.map((r) => expect.objectContaining({ type: 'cell', id: r.id, key: r.cellKey, status: r.status })),
  );
}

describe('GET /runs/:id/events (Server-Sent Events)', () => {
  let h: SuiteHarness;
  let worker: Worker;
  let working: Promise<void>;
  let api: Listening;
  let headers: Record<string, string>;

  beforeAll(async () => {
    h = await createSuiteHarness();
    worker = await h.worker();
    working = worker.run();
    api = await listen(h);
    headers = keyHeaders(h.database.db);
  });
  afterAll(async () => {
    await closeNow(api);
    worker?.shutdown();
    await working;
    await h?.close();
  });
  beforeEach(() => h.fake.reset());

  it('sends a snapshot, one cell event per stored result in id order, then the end, and closes', async () => {
    h.fake.setDelay(15);
    const { cardId } = storeCard(h.database.db, cardYaml('sse-full', 30));
    const runId = await startRun(api, headers, cardId);
    const stream = await openSse(`${api.base}/runs/${runId}/events`);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const events = await readSse(stream);

    expect(events[0]?.event).toBe('snapshot');
    expect(dataOf<{ runId: string; progress: { total: number } }>(events[0])).toMatchObject({
      runId,
      progress: { total: 30 },
    });
    const rows = listResults(h.database.db, runId, { limit: 1000 });
    expect(rows).toHaveLength(30);
    expectEventsMatchRows(cellsOf(events), rows);
    expect(cellsOf(events).filter((e) => dataOf<CellEvent>(e).status === 'fail')).toHaveLength(10);
    const end = events.at(-1);
    expect(end?.event).toBe('end');
    expect(dataOf(end)).toMatchObject({
      runId,
      status: 'completed',
      summary: { total: 30, passed: 20, failed: 10 },
    });
    expect(events).toHaveLength(1 + 30 + 1);
  });

  it('resends everything after Last-Event-ID on reconnect: nothing missed, nothing twice', async () => {
    h.fake.setDelay(25);
    const { cardId } = storeCard(h.database.db, cardYaml('sse-resume', 40, 1));
    const runId = await startRun(api, headers, cardId);

    let seen = 0;
    const first = await readSse(
      await openSse(`${api.base}/runs/${runId}/events`),
      (e) => e.event === 'cell' && ++seen === 5,
    );
    const lastId = cellsOf(first).at(-1)?.id as string;
    expect(getRun(h.database.db, runId)?.status).not.toBe('completed');
    const second = await readSse(
      await openSse(`${api.base}/runs/${runId}/events`, { 'last-event-id': lastId }),
    );

    expect(second[0]?.event).toBe('snapshot');
    expect(second.at(-1)?.event).toBe('end');
    const rows = listResults(h.database.db, runId, { limit: 1000 });
    expect(rows).toHaveLength(40);
    expectEventsMatchRows([...cellsOf(first), ...cellsOf(second)], rows);

    // A reconnect after the end gets the rest (nothing) and the end again.
    const after = await readSse(
      await openSse(`${api.base}/runs/${runId}/events?lastEventId=${rows.at(-1)?.id}`),
    );
    expect(after.map((e) => e.event)).toEqual(['snapshot', 'end']);
  });

  it('ends with status cancelled when the run is cancelled over HTTP mid-stream', async () => {
    h.fake.setDelay(10_000);
    const { cardId } = storeCard(h.database.db, cardYaml('sse-cancel', 6));
    const runId = await startRun(api, headers, cardId);
    const stream = await openSse(`${api.base}/runs/${runId}/events`);
    const events = [(await stream.events.next()).value as SseEvent];
    expect(events[0]?.event).toBe('snapshot');
    await waitUntil(() => h.fake.stats.inFlight > 0);

    const cancel = await fetch(`${api.base}/runs/${runId}/cancel`, { method: 'POST', headers });
    expect(cancel.status).toBe(202);
    events.push(...(await readSse(stream)));

    expect(events.at(-1)?.event).toBe('end');
    expect(dataOf(events.at(-1))).toMatchObject({ runId, status: 'cancelled' });
    expect(getRun(h.database.db, runId)?.status).toBe('cancelled');
    expect(h.fake.stats.aborted).toBeGreaterThan(0);
    const again = await fetch(`${api.base}/runs/${runId}/cancel`, { method: 'POST', headers });
    expect(again.status).toBe(409);
  });

  it('answers 404 for an unknown run and 400 for a malformed Last-Event-ID', async () => {
    expect((await fetch(`${api.base}/runs/no-such-run/events`)).status).toBe(404);
    const { cardId, versionId } = storeCard(h.database.db, cardYaml('sse-bad-header', 1));
    const run = insertRun(h.database.db, { cardId, versionId });
    const response = await fetch(`${api.base}/runs/${run.id}/events`, { headers: { 'last-event-id': 'x' } });
    expect(response.status).toBe(400);
  });

  it('ends open streams when the server closes', async () => {
    const closing = await listen(h);
    const { cardId, versionId } = storeCard(h.database.db, cardYaml('sse-shutdown', 1));
    const run = insertRun(h.database.db, { cardId, versionId }, { status: 'running' });
    const stream = await openSse(`${closing.base}/runs/${run.id}/events`);
    expect((await stream.events.next()).value).toMatchObject({ event: 'snapshot' });

    await closing.app.close();

    expect(await stream.events.next()).toEqual({ done: true, value: undefined });
  });

  it('sends a comment heartbeat while nothing happens, and stops when the client goes away', async () => {
    const relay = createRunEventRelay({ db: h.database.db, redisUrl: undefined });
    const { cardId, versionId } = storeCard(h.database.db, cardYaml('sse-heartbeat', 1));
    const run = insertRun(h.database.db, { cardId, versionId }, { status: 'running' });
    const errors: unknown[] = [];
    const out = openRunEventStream(
      {
        db: h.database.db,
        relay,
        snapshot: async () => ({}),
        heartbeatMs: 20,
        onError: (e) => errors.push(e),
      },
      run.id,
      0,
    );
    let text = '';
    out.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    await waitUntil(() => text.split(': ping').length > 3);
    const id = insertResult(h.database.db, run.id);
    await waitUntil(() => text.includes(`id: ${id}\nevent: cell\n`));
    out.destroy();
    await relay.close();
    expect(errors).toEqual([]);
    expect(text.startsWith('retry: 1000\n\nevent: snapshot\n')).toBe(true);
  });
});

describe('the event relay', () => {
  let h: SuiteHarness;
  let redis: Redis;

  beforeAll(async () => {
    h = await createSuiteHarness();
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    redis?.disconnect();
    await h?.close();
  });

  it('with Redis, wakes a stream on a publication and unsubscribes when its last stream leaves', async () => {
    // Polling so slow that only the Redis message can explain the wake-up.
    const relay = createRunEventRelay({
      db: h.database.db,
      redisUrl: REDIS_URL,
      pollIntervalMs: 60_000,
      safetyPollIntervalMs: 60_000,
    });
    const runId = `relay-test-${Date.now()}`;
    let wakes = 0;
    const unwatch = await relay.watch(runId, () => {
      wakes += 1;
    });
    const unwatchSecond = await relay.watch(runId, () => {});
    expect(await subscribers(redis, runId)).toBe(1);

    await redis.publish(runEventsChannel(runId), JSON.stringify({ type: 'run', runId, status: 'completed' }));
    await waitUntil(() => wakes === 1);

    unwatch();
    expect(await subscribers(redis, runId)).toBe(1);
    unwatchSecond();
    await waitUntilAsync(async () => (await subscribers(redis, runId)) === 0);
    await relay.close();
  });

  it('without Redis, one poller per run notices a new result and a status change', async () => {
    const relay = createRunEventRelay({ db: h.database.db, redisUrl: undefined, pollIntervalMs: 10 });
    const { cardId, versionId } = storeCard(h.database.db, cardYaml('relay-poll', 1));
    const run = insertRun(h.database.db, { cardId, versionId }, { status: 'running' });
    const wakes = [0, 0];
    const unwatch = [
      await relay.watch(run.id, () => (wakes[0] = (wakes[0] ?? 0) + 1)),
      await relay.watch(run.id, () => (wakes[1] = (wakes[1] ?? 0) + 1)),
    ];
    await waitUntil(() => (wakes[0] ?? 0) >= 1);
    const before = [...wakes];
    await new Promise((r) => setTimeout(r, 60));
    expect(wakes).toEqual(before);

    insertResult(h.database.db, run.id);
    await waitUntil(() => wakes.every((n, i) => n > (before[i] ?? 0)));
    for (const stop of unwatch) stop();
    await relay.close();
  });
});

describe('API and worker in separate processes, events through Redis', () => {
  let h: SuiteHarness;
  let api: Listening;
  let worker: WorkerProcess | undefined;
  let redis: Redis;

  beforeAll(async () => {
    h = await createSuiteHarness();
    nextTaskQueue(h);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await closeNow(api);
    if (worker) await killHard(worker);
    redis?.disconnect();
    await h?.close();
  });

  it('streams every cell the worker process stores, then the end', async () => {
    worker = spawnWorker({
      ...harnessWorkerEnv(h),
      REDIS_URL,
    });
    await worker.ready;
    api = await listen(h, REDIS_URL);
    h.fake.setDelay(10);
    const { cardId } = storeCard(h.database.db, cardYaml('sse-redis', 45));
    const runId = await startRun(api, keyHeaders(h.database.db), cardId);

    // A client that leaves early must release its share of the run's subscription.
    const leaving = await openSse(`${api.base}/runs/${runId}/events`);
    expect((await leaving.events.next()).value).toMatchObject({ event: 'snapshot' });
    leaving.close();
    const stream = await openSse(`${api.base}/runs/${runId}/events`);
    const events = await readSse(stream);

    expect(events[0]?.event).toBe('snapshot');
    expect(dataOf(events.at(-1))).toMatchObject({ runId, status: 'completed', summary: { total: 45 } });
    expectEventsMatchRows(cellsOf(events), listResults(h.database.db, runId, { limit: 1000 }));
    expect(cellsOf(events)).toHaveLength(45);
    await waitUntilAsync(async () => (await subscribers(redis, runId)) === 0);
  });
});

async function subscribers(redis: Redis, runId: string): Promise<number> {
  const reply = (await redis.pubsub('NUMSUB', runEventsChannel(runId))) as [string, number];
  return Number(reply[1]);
}

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  await waitUntilAsync(async () => condition(), timeoutMs);
}

async function waitUntilAsync(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
