import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createResponseCache } from '../activities/cache/index.ts';
import type { ActivityDeps } from '../activities/index.ts';
import { RESPONSE_CACHE_KEY_PREFIX } from '../core/cache-key.ts';
import { verifyWebhookSignature } from '../core/webhook-signature.ts';
import { listResults } from '../db/queries/results.ts';
import { getRun } from '../db/queries/runs.ts';
import { listDeliveries } from '../db/queries/webhooks.ts';
import type { Result } from '../db/schema.ts';
import { searchAttributeKeys } from '../workflows/shared.ts';
import { type HttpReceiver, startHttpReceiver } from './helpers/http-receiver.ts';
import { createSuiteHarness, nextTaskQueue, type SuiteHarness } from './helpers/suite.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'test-secret-0123456789';

/** Two cases on one fake Ollama model: two cells per repeat. */
function card(name: string, { template = 'Ticket: {{ ticket }}', repeat = 1 } = {}): string {
  return `
name: ${name}
prompt:
  system: You are a support triage assistant. Answer with one word.
  template: "${template}"
models: [ollama:llama3.2:3b]
repeat: ${repeat}
cases:
  - name: double charge
    vars: { ticket: "I was charged twice" }
    assert: [{ type: icontains, value: billing }]
  - name: crash report
    vars: { ticket: "The app crashes on upload" }
    assert: [{ type: icontains, value: bug }]
`;
}

describe('run integrations: webhooks, Redis response cache, search attributes', () => {
  let h: SuiteHarness;
  let receiver: HttpReceiver;
  let redis: Redis;
  /** Markers of the cache tests: every Redis entry whose value mentions one is deleted after the test. */
  const cacheMarkers: string[] = [];

  beforeAll(async () => {
    [h, receiver] = await Promise.all([createSuiteHarness(), startHttpReceiver()]);
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await Promise.allSettled([h?.close(), receiver?.close(), redis?.quit()]);
  });
  beforeEach(() => {
    nextTaskQueue(h);
    h.fake.reset();
    receiver.reset();
  });
  afterEach(async () => {
    for (const marker of cacheMarkers.splice(0)) {
      const keys = await cacheKeysMentioning(redis, marker);
      if (keys.length > 0) await redis.del(...keys);
    }
  });

  /** Runs `yaml` to its end on a fresh worker and returns the run id, workflow result and stored rows. */
  async function runToEnd(
    yaml: string,
    { deps = {}, noCache }: { deps?: Partial<ActivityDeps>; noCache?: boolean } = {},
  ) {
    const worker = await h.worker(deps);
    const run = await h.startRun(yaml, { overrides: { noCache } });
    const result = await worker.runUntil(run.handle.result());
    return { run, result, rows: listResults(h.database.db, run.runId, { limit: 100 }) };
  }

  const webhookDeps = (): Partial<ActivityDeps> => ({ webhooks: { urls: [receiver.url], secret: SECRET } });

  describe('webhook on run end', () => {
    it('POSTs one signed run.completed notification with the summary, and logs the delivery', async () => {
      h.fake.setReply(() => 'billing');
      const { run, result } = await runToEnd(card('webhook-ok'), { deps: webhookDeps() });
      expect(result.status).toBe('completed');

      const requests = receiver.requests;
      expect(requests).toHaveLength(1);
      const [request] = requests as [(typeof requests)[number]];
      expect(request.method).toBe('POST');
      expect(request.headers['x-pcs-event']).toBe('run.completed');
      const body = JSON.parse(request.body);
      expect(body).toMatchObject({ event: 'run.completed', runId: run.runId, status: 'completed' });
      expect(body.summary).toMatchObject({ total: 2, passed: 1, failed: 1, errored: 0 });
      expect(body.summary).toEqual(getRun(h.database.db, run.runId)?.summary);

      const signature = String(request.headers['x-pcs-signature']);
      expect(verifyWebhookSignature(SECRET, signature, request.body)).toBe(true);
      expect(verifyWebhookSignature('another-secret-0123456789', signature, request.body)).toBe(false);

      const idempotencyKey = request.headers['x-pcs-idempotency-key'];
      expect(idempotencyKey).toMatch(/^\S{16,}$/);
      const deliveries = listDeliveries(h.database.db, { runId: run.runId });
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({
        url: receiver.url,
        event: 'run.completed',
        idempotencyKey,
        attempt: 1,
        ok: true,
        statusCode: 200,
      });
    });

    it('retries a 500 durably: the second attempt gets through with the same idempotency key', async () => {
      receiver.respondWith((_request, index) =>
        index === 0 ? { status: 500, body: 'receiver is restarting' } : { status: 200 },
      );
      const { run, result } = await runToEnd(card('webhook-retry'), { deps: webhookDeps() });
      expect(result.status).toBe('completed');

      const requests = receiver.requests;
      expect(requests).toHaveLength(2);
      const keys = requests.map((r) => r.headers['x-pcs-idempotency-key']);
      expect(keys[0]).toBeTruthy();
      expect(keys[1]).toBe(keys[0]);
      expect(JSON.parse(requests[1]?.body ?? '')).toMatchObject({ event: 'run.completed', runId: run.runId });
      expect(
        verifyWebhookSignature(
          SECRET,
          String(requests[1]?.headers['x-pcs-signature']),
          requests[1]?.body ?? '',
        ),
      ).toBe(true);

      const deliveries = listDeliveries(h.database.db, { runId: run.runId });
      expect(deliveries).toMatchObject([
        { attempt: 1, ok: false, statusCode: 500, idempotencyKey: keys[0] },
        { attempt: 2, ok: true, statusCode: 200, idempotencyKey: keys[0] },
      ]);
      expect(deliveries[0]?.error).toContain('500');
    });

    it('gives up at once on a 400, and the run itself still completes', async () => {
      receiver.respondWith(() => ({ status: 400, body: 'unknown event' }));
      const { run, result } = await runToEnd(card('webhook-rejected'), { deps: webhookDeps() });

      expect(result.status).toBe('completed');
      expect(getRun(h.database.db, run.runId)?.status).toBe('completed');
      // The workflow waits for the delivery (and any retry) before it returns, so this count is final.
      expect(receiver.requests).toHaveLength(1);
      const deliveries = listDeliveries(h.database.db, { runId: run.runId });
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ attempt: 1, ok: false, statusCode: 400 });
    });
  });

  describe('response cache in real Redis', () => {
    it('answers a re-run from Redis without calling the model; noCache calls it again', async () => {
      const marker = randomUUID();
      cacheMarkers.push(marker);
      h.fake.setReply(({ messages }) => `billing bug (${marker}) for ${messages?.at(-1)?.content}`);
      const yaml = card(`cache-${Date.now()}`, { template: `[${marker}] Ticket: {{ ticket }}` });
      const chatCalls = () => h.fake.stats.byPath['/api/chat'] ?? 0;
      // Each run gets its own worker and its own Redis client, as separate worker processes would.
      const runWithRedis = async (noCache?: boolean) => {
        const cache = createResponseCache({ redisUrl: REDIS_URL });
        try {
          return await runToEnd(yaml, { deps: { cache }, noCache });
        } finally {
          await cache.close();
        }
      };

      const first = await runWithRedis();
      expect(first.rows).toHaveLength(2);
      expect(first.rows.map((r) => r.cacheHit)).toEqual([false, false]);
      expect(first.rows.every((r) => r.status === 'pass')).toBe(true);
      expect(chatCalls()).toBe(2);
      expect(await cacheKeysMentioning(redis, marker)).toHaveLength(2);

      const second = await runWithRedis();
      expect(second.run.runId).not.toBe(first.run.runId);
      expect(second.rows.map((r) => r.cacheHit)).toEqual([true, true]);
      expect(chatCalls()).toBe(2);
      expect(outputsByCell(second.rows)).toEqual(outputsByCell(first.rows));
      expect(second.result.summary).toMatchObject({ total: 2, passed: 2, cacheHits: 2 });

      const third = await runWithRedis(true);
      expect(third.rows.map((r) => r.cacheHit)).toEqual([false, false]);
      expect(chatCalls()).toBe(4);
    });

    it('treats repeats as separate samples: each repeat calls the model on the first run', async () => {
      const marker = randomUUID();
      cacheMarkers.push(marker);
      h.fake.setReply(({ requestIndex }) => `sample ${requestIndex} (${marker})`);
      const yaml = card(`repeats-${Date.now()}`, { template: `[${marker}] Ticket: {{ ticket }}`, repeat: 3 });
      const cache = createResponseCache({ redisUrl: REDIS_URL });
      const worker = await h.worker({ cache });
      // One cell at a time: a repeat could only miss the cache by racing an earlier one if they overlapped.
      const run = await h.startRun(yaml, { overrides: { concurrency: 1 } });
      await worker.runUntil(run.handle.result()).finally(() => cache.close());

      const rows = listResults(h.database.db, run.runId, { limit: 100 });
      expect(rows).toHaveLength(6);
      expect(rows.every((r) => !r.cacheHit)).toBe(true);
      expect(h.fake.stats.byPath['/api/chat']).toBe(6);
      for (const caseName of ['double charge', 'crash report']) {
        const samples = rows.filter((r) => r.caseName === caseName);
        expect(samples.map((r) => r.repeat).sort()).toEqual([0, 1, 2]);
        expect(new Set(samples.map((r) => r.output)).size).toBe(3);
      }
      expect(await cacheKeysMentioning(redis, marker)).toHaveLength(6);
    });
  });

  it('tags the workflow with search attributes: findable by card and final status, with its trigger', async () => {
    const name = `search-${Date.now()}`;
    const { run, result } = await runToEnd(card(name));
    expect(result.status).toBe('completed');

    const description = await run.handle.describe();
    expect(description.typedSearchAttributes.get(searchAttributeKeys.status)).toBe('completed');

    const query = `PcsCard = "${name}" AND PcsStatus = "completed"`;
    const found = await eventually(async () => {
      const matches = [];
      for await (const workflow of h.env.client.workflow.list({ query })) matches.push(workflow);
      return matches.length > 0 ? matches : undefined;
    });
    expect(found.map((w) => w.workflowId)).toEqual([run.runId]);
    expect(found[0]?.typedSearchAttributes.get(searchAttributeKeys.card)).toBe(name);
    expect(found[0]?.typedSearchAttributes.get(searchAttributeKeys.trigger)).toBe('api');
  });
});

function outputsByCell(rows: Result[]): Record<string, string | null> {
  return Object.fromEntries(rows.map((r) => [r.cellKey, r.output]));
}

/** Response-cache entries whose stored JSON mentions `marker` (the fake's replies carry it). */
async function cacheKeysMentioning(redis: Redis, marker: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${RESPONSE_CACHE_KEY_PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length === 0) continue;
    const values = await redis.mget(...keys);
    keys.forEach((key, i) => {
      if (values[i]?.includes(marker)) found.push(key);
    });
  } while (cursor !== '0');
  return found;
}

/** Temporal's list visibility lags behind the workflow: poll until `probe` returns a value. */
async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not found within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
