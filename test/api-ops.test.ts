import { Client, Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppDeps } from '../api/app.ts';
import { loadConfig } from '../core/config.ts';
import { createApiKey } from '../db/queries/api-keys.ts';
import { saveCardVersion } from '../db/queries/cards.ts';
import { type ResultInput, recordResult } from '../db/queries/results.ts';
import { createRun, finishRun } from '../db/queries/runs.ts';
import { buildApi } from './helpers/api.ts';
import { closedPort } from './helpers/ports.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

let addressCounter = 0;
/** A client address of its own, so rate-limit counters (kept in Redis between runs) never collide. */
function freshClientAddress(): string {
  addressCounter += 1;
  return `10.${process.pid % 250}.${Math.floor(Date.now() / 1000) % 250}.${addressCounter}`;
}

function httpSettings(overrides: Partial<AppDeps['http']> = {}): AppDeps['http'] {
  return { ...loadConfig({}).http, ...overrides };
}

describe('API operations: health, metrics, models, rate limits, CORS', () => {
  let h: SuiteHarness;
  const apps: FastifyInstance[] = [];

  async function api(overrides: Partial<AppDeps> = {}): Promise<FastifyInstance> {
    const app = await buildApi(h, overrides);
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    h = await createSuiteHarness();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    h.fake.reset();
  });
  afterAll(async () => {
    await h?.close();
  });

  describe('health', () => {
    it('/health/live answers 200 without looking at any dependency', async () => {
      const app = await api({ ollamaHost: `http://127.0.0.1:${await closedPort()}` });
      const res = await app.inject({ method: 'GET', url: '/health/live' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'ok' });
    });

    it('/health/ready reports Temporal, SQLite and Ollama ok, and Redis as not configured', async () => {
      const app = await api();
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({
        status: 'ok',
        temporal: { ok: true, namespace: 'default' },
        sqlite: { ok: true },
        redis: { configured: false },
        ollama: { ok: true, host: h.fake.url },
      });
      expect(body.temporal.latencyMs).toBeGreaterThanOrEqual(0);
      expect(h.fake.stats.byPath['/api/version']).toBe(1);
    });

    it('/health/ready stays 200 but degraded when Ollama is down, naming the error', async () => {
      const port = await closedPort();
      const app = await api({ ollamaHost: `http://127.0.0.1:${port}` });
      const res = await app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'degraded',
        temporal: { ok: true },
        sqlite: { ok: true },
        ollama: { ok: false, error: expect.stringContaining('ECONNREFUSED') },
      });
    });

    it('/health/ready pings Redis when one is configured, and reports a dead one as degraded', async () => {
      const up = await api({ redisUrl: REDIS_URL });
      const ok = await up.inject({ method: 'GET', url: '/health/ready' });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ status: 'ok', redis: { configured: true, ok: true } });

      const down = await api({ redisUrl: `redis://127.0.0.1:${await closedPort()}` });
      const degraded = await down.inject({ method: 'GET', url: '/health/ready' });
      expect(degraded.statusCode).toBe(200);
      expect(degraded.json()).toMatchObject({ status: 'degraded', redis: { configured: true, ok: false } });
    });

    it('/health/ready answers 503 when Temporal is not reachable', async () => {
      const connection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}` });
      const client = new Client({ connection });
      try {
        const app = await api({
          temporal: { client, namespace: 'default', address: 'nowhere', taskQueue: 'q', uiUrl: '' },
        });
        const res = await app.inject({ method: 'GET', url: '/health/ready' });
        expect(res.statusCode).toBe(503);
        expect(res.json()).toMatchObject({
          status: 'unavailable',
          temporal: { ok: false },
          sqlite: { ok: true },
        });
        expect(res.json().temporal.error).toBeTruthy();
      } finally {
        await connection.close();
      }
    });
  });

  describe('metrics', () => {
    it('records request durations labelled with the route pattern, never the raw URL', async () => {
      const app = await api();
      await app.inject({ method: 'GET', url: '/health/live' });
      await app.inject({ method: 'GET', url: '/webhooks/4242' });
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toMatch(
        /pcs_http_request_duration_seconds_bucket\{le="[^"]+",method="GET",route="\/health\/live",status_code="200"\} 1/,
      );
      expect(res.body).toContain('route="/webhooks/:id",status_code="401"');
      expect(res.body).not.toContain('4242');
      expect(res.body).toContain('pcs_api_process_cpu_user_seconds_total');
    });

    it('reports runs by status, cells by outcome, error types and latency quantiles from the database', async () => {
      const app = await api();
      const before = parseMetrics((await app.inject({ method: 'GET', url: '/metrics' })).body);

      const runId = seedFinishedRun(h, 'metrics-demo', [
        { status: 'pass', latencyMs: 100 },
        { status: 'pass', latencyMs: 200 },
        { status: 'fail', latencyMs: 300 },
        { status: 'pass', latencyMs: 5, cacheHit: true },
        { status: 'error', errorType: 'timeout' },
        { status: 'error', errorType: 'connection' },
      ]);
      const after = parseMetrics((await app.inject({ method: 'GET', url: '/metrics' })).body);
      const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
      expect(runId).toBeTruthy();
      expect(delta('pcs_runs_total{status="completed"}')).toBe(1);
      expect(delta('pcs_cells_total{outcome="pass"}')).toBe(3);
      expect(delta('pcs_cells_total{outcome="fail"}')).toBe(1);
      expect(delta('pcs_cells_total{outcome="error"}')).toBe(2);
      expect(delta('pcs_ollama_errors_total{type="timeout"}')).toBe(1);
      expect(delta('pcs_ollama_errors_total{type="connection"}')).toBe(1);
      expect(after.get('pcs_runs_total{status="running"}')).toBe(0);
      // The newest generated cells were 100, 200 and 300 ms; the cached one is left out.
      expect(after.get('pcs_cell_latency_seconds{quantile="0.5"}')).toBe(0.2);
      expect(after.get('pcs_cell_latency_seconds{quantile="0.99"}')).toBe(0.3);
    });

    it('keeps one registry per app, so two apps in one process do not clash', async () => {
      const [a, b] = [await api(), await api()];
      await a.inject({ method: 'GET', url: '/health/live' });
      const bMetrics = (await b.inject({ method: 'GET', url: '/metrics' })).body;
      expect(bMetrics).not.toContain('route="/health/live"');
    });
  });

  describe('models', () => {
    it('lists the models pulled into Ollama, then the echo provider', async () => {
      const app = await api();
      const res = await app.inject({ method: 'GET', url: '/models' });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.ollamaHost).toBe(h.fake.url);
      expect(body.models.map((m: { id: string }) => m.id)).toEqual([
        ...h.fake.models.map((name) => `ollama:${name}`),
        'echo',
      ]);
      const llama = body.models.find((m: { name: string }) => m.name === 'llama3.2:3b');
      expect(llama).toMatchObject({ provider: 'ollama', family: 'llama', parameterSize: expect.any(String) });
      expect(llama.size).toBeGreaterThan(0);
      expect(llama.quantization).toBeTruthy();
      expect(Number.isNaN(Date.parse(llama.modifiedAt))).toBe(false);
    });

    it('answers 503 with how to fix it when Ollama is not reachable', async () => {
      const host = `http://127.0.0.1:${await closedPort()}`;
      const app = await api({ ollamaHost: host });
      const res = await app.inject({ method: 'GET', url: '/models' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({
        error: 'Ollama Unreachable',
        message: expect.stringMatching(
          new RegExp(
            `^Ollama is not reachable at ${host}: .*ECONNREFUSED.*\\. Start it with \`ollama serve\` or set OLLAMA_HOST\\.$`,
          ),
        ),
      });
    });
  });

  describe('rate limits', () => {
    const limited = { rateLimit: { max: 3, windowMs: 60_000 } };

    it('answers the 4th request in a window with 429 in the error shape; probes and scrapes are exempt', async () => {
      const app = await api({ http: httpSettings(limited) });
      const remoteAddress = freshClientAddress();
      const get = (url: string) => app.inject({ method: 'GET', url, remoteAddress });
      for (let i = 0; i < 3; i++) expect((await get('/models')).statusCode).toBe(200);
      const refused = await get('/models');
      expect(refused.statusCode).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
      expect(refused.json()).toEqual({
        error: 'Too Many Requests',
        message: expect.stringContaining('retry in'),
      });
      expect((await get('/health/live')).statusCode).toBe(200);
      expect((await get('/health/ready')).statusCode).toBe(200);
      expect((await get('/metrics')).statusCode).toBe(200);
    });

    it('counts an API key apart from its IP', async () => {
      const app = await api({ http: httpSettings(limited) });
      const { key } = createApiKey(h.database.db, 'rate-limit-test');
      const remoteAddress = freshClientAddress();
      for (let i = 0; i < 4; i++) await app.inject({ method: 'GET', url: '/models', remoteAddress });
      const withKey = await app.inject({
        method: 'GET',
        url: '/models',
        remoteAddress,
        headers: { authorization: `Bearer ${key}` },
      });
      expect(withKey.statusCode).toBe(200);
      expect(withKey.headers['x-ratelimit-remaining']).toBe('2');
    });

    it("counts the dashboard's visitors apart by the address it names, but only from loopback", async () => {
      const app = await api({ http: httpSettings(limited) });
      const [first, second] = [freshClientAddress(), freshClientAddress()];
      const viaDashboard = (visitor: string) =>
        app.inject({
          method: 'GET',
          url: '/models',
          remoteAddress: '127.0.0.1',
          headers: { 'x-pcs-client-address': visitor },
        });
      for (let i = 0; i < 3; i++) expect((await viaDashboard(first)).statusCode).toBe(200);
      expect((await viaDashboard(first)).statusCode).toBe(429);
      expect((await viaDashboard(second)).statusCode).toBe(200);

      // From anywhere else the header is ignored: it cannot buy a fresh budget.
      const remoteAddress = freshClientAddress();
      const spoofed = (i: number) =>
        app.inject({
          method: 'GET',
          url: '/models',
          remoteAddress,
          headers: { 'x-pcs-client-address': `10.9.9.${i}` },
        });
      for (let i = 0; i < 3; i++) expect((await spoofed(i)).statusCode).toBe(200);
      expect((await spoofed(3)).statusCode).toBe(429);
    });

    it('shares one limit between two API processes through Redis', async () => {
      const settings = { redisUrl: REDIS_URL, http: httpSettings(limited) };
      const [first, second] = [await api(settings), await api(settings)];
      const remoteAddress = freshClientAddress();
      const get = (app: FastifyInstance) => app.inject({ method: 'GET', url: '/models', remoteAddress });
      expect((await get(first)).statusCode).toBe(200);
      expect((await get(second)).statusCode).toBe(200);
      expect((await get(first)).statusCode).toBe(200);
      expect((await get(second)).statusCode).toBe(429);
    });
  });

  describe('CORS', () => {
    const uiOrigin = 'http://dashboard.example:5173';

    it('allows exactly the configured origins', async () => {
      const app = await api({ http: httpSettings({ corsOrigins: [uiOrigin] }) });
      const allowed = await app.inject({ method: 'GET', url: '/health/live', headers: { origin: uiOrigin } });
      expect(allowed.headers['access-control-allow-origin']).toBe(uiOrigin);
      const other = await app.inject({
        method: 'GET',
        url: '/health/live',
        headers: { origin: 'http://elsewhere.example' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/webhooks/1',
        headers: { origin: uiOrigin, 'access-control-request-method': 'DELETE' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-methods']).toContain('DELETE');
    });

    it('sends no CORS headers when no origin is configured', async () => {
      const app = await api({ http: httpSettings({ corsOrigins: [] }) });
      const res = await app.inject({ method: 'GET', url: '/health/live', headers: { origin: uiOrigin } });
      expect(Object.keys(res.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    });
  });
});

type SeedCell = Pick<ResultInput, 'status'> &
  Partial<Pick<ResultInput, 'latencyMs' | 'errorType' | 'cacheHit'>>;

/** A completed run of one case on one model, one repeat per cell, stored in this order. */
function seedFinishedRun(h: SuiteHarness, name: string, cells: SeedCell[]): string {
  const { cardId, versionId } = saveCardVersion(h.database.db, {
    name,
    description: '',
    source: `name: ${name}`,
    spec: { name },
    contentHash: `hash-${name}`,
  });
  const runId = `${name}-${Date.now()}`;
  createRun(h.database.db, {
    id: runId,
    cardId,
    cardVersionId: versionId,
    trigger: 'api',
    workflowId: runId,
    options: { models: ['llama3.2:3b'], repeat: cells.length, concurrency: 1 },
    totalCells: cells.length,
  });
  cells.forEach((cell, repeat) => {
    recordResult(h.database.db, {
      runId,
      caseIndex: 0,
      caseName: 'only',
      model: 'llama3.2:3b',
      repeat,
      score: cell.status === 'pass' ? 1 : 0,
      renderedPrompt: 'prompt',
      ...cell,
    });
  });
  finishRun(h.database.db, runId, { status: 'completed' });
  return runId;
}

/** `name{labels} value` lines of the Prometheus text format, keyed by `name{labels}`. */
function parseMetrics(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\S+) (\S+)$/.exec(line);
    if (match?.[1] && match[2] && !line.startsWith('#')) values.set(match[1], Number(match[2]));
  }
  return values;
}
