import { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { archiveCard } from '../db/queries/cards.ts';
import { listResults } from '../db/queries/results.ts';
import { getRun } from '../db/queries/runs.ts';
import type { RunStatus } from '../db/schema.ts';
import { buildApi } from './helpers/api.ts';
import { parseCsv } from './helpers/cli.ts';
import { insertResult, insertRun, keyHeaders, storeCard } from './helpers/runs-api.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

/** Two models; case "three" fails on both, and ollama:missing errors (the fake has no such model). */
const MIXED = `
name: api-mixed
prompt: { template: "Echo {{ word }} for the runs API" }
models: [ollama:llama3.2:3b, echo]
cases:
  - { name: one, vars: { word: alpha }, assert: [{ type: contains, value: alpha }] }
  - { name: two, vars: { word: beta }, assert: [{ type: contains, value: beta }] }
  - { name: three, vars: { word: gamma }, assert: [{ type: contains, value: nope }] }
`;

const PASSING = `
name: api-passing
prompt: { template: "Say {{ word }}" }
models: [echo]
cases:
  - { name: only, vars: { word: fine }, assert: [{ type: contains, value: fine }] }
`;

const SLOW = `
name: api-slow
prompt: { template: "Slowly {{ word }}" }
models: [ollama:llama3.2:3b]
cases:
  - { name: a, vars: { word: a }, assert: [{ type: contains, value: a }] }
  - { name: b, vars: { word: b }, assert: [{ type: contains, value: b }] }
`;

type Json = Record<string, unknown>;

describe('the runs API', () => {
  let h: SuiteHarness;
  let api: FastifyInstance;
  let worker: Worker;
  let working: Promise<void>;
  let auth: Record<string, string>;

  const call = async (options: InjectOptions & { key?: boolean }) => {
    const { key = true, ...request } = options;
    const response = await api.inject({ ...request, headers: { ...(key ? auth : {}), ...request.headers } });
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
      json: () => response.json(),
    };
  };
  const startRun = (body: Record<string, unknown>) => call({ method: 'POST', url: '/runs', payload: body });
  const waitForEnd = async (runId: string): Promise<RunStatus> => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const status = getRun(h.database.db, runId)?.status;
      if (status && !['queued', 'running'].includes(status)) return status;
      if (Date.now() > deadline) throw new Error(`run ${runId} did not end`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    h = await createSuiteHarness();
    worker = await h.worker();
    working = worker.run();
    api = await buildApi(h);
    auth = keyHeaders(h.database.db);
  });
  afterAll(async () => {
    await api?.close();
    worker?.shutdown();
    await working;
    await h?.close();
  });
  beforeEach(() => h.fake.reset());

  describe('POST /runs', () => {
    it('needs an API key', async () => {
      const { cardId } = storeCard(h.database.db, PASSING);
      const response = await call({ method: 'POST', url: '/runs', payload: { cardId }, key: false });
      expect(response.status).toBe(401);
    });

    it('answers 404 for an unknown card or version, 409 for an archived card', async () => {
      expect((await startRun({ cardId: 'no-such-card' })).status).toBe(404);
      const { cardId } = storeCard(h.database.db, PASSING);
      const missingVersion = await startRun({ cardId, version: 99 });
      expect(missingVersion.status).toBe(404);
      expect(missingVersion.json().message).toMatch(/no version 99/);

      const archived = storeCard(h.database.db, PASSING.replace('api-passing', 'api-archived'));
      archiveCard(h.database.db, archived.cardId);
      const response = await startRun({ cardId: archived.cardId });
      expect(response.status).toBe(409);
      expect(response.json()).toMatchObject({ error: 'Conflict' });
    });

    it('answers 400 naming each invalid override, and stores no run', async () => {
      const { cardId } = storeCard(h.database.db, PASSING);
      const before = (await call({ method: 'GET', url: `/runs?cardId=${cardId}` })).json().total;
      const response = await startRun({ cardId, models: ['gpt-4'], repeat: 0 });

      expect(response.status).toBe(400);
      const paths = (response.json().issues as { path: string }[]).map((i) => i.path);
      expect(paths).toEqual(expect.arrayContaining(['body.models[0]', 'body.repeat']));
      expect((await call({ method: 'GET', url: `/runs?cardId=${cardId}` })).json().total).toBe(before);
    });

    it('starts the latest version, answers 202 with links, and the run completes', async () => {
      const { cardId } = storeCard(h.database.db, MIXED);
      const response = await startRun({ cardId, models: ['echo'], repeat: 2 });

      expect(response.status).toBe(202);
      const body = response.json();
      expect(body).toMatchObject({ status: 'queued', totalCells: 6 });
      expect(response.headers.location).toBe(body.links.self);
      expect(body.links).toEqual({
        self: `http://127.0.0.1:3000/runs/${body.runId}`,
        events: `http://127.0.0.1:3000/runs/${body.runId}/events`,
        dashboard: `http://127.0.0.1:3000/ui/runs/${body.runId}`,
        temporal: `http://127.0.0.1:8233/namespaces/default/workflows/${body.runId}`,
      });
      expect(await waitForEnd(body.runId)).toBe('completed');

      const run = (await call({ method: 'GET', url: `/runs/${body.runId}` })).json();
      expect(run).toMatchObject({
        id: body.runId,
        cardId,
        status: 'completed',
        trigger: 'api',
        totalCells: 6,
        options: { models: ['echo'], repeat: 2 },
        summary: { total: 6, passed: 4, failed: 2 },
        error: null,
        progress: { source: 'database', total: 6, done: 6, passed: 4, failed: 2, status: 'completed' },
      });
      expect(run.progress.perModel.echo).toMatchObject({ total: 6, done: 6 });
      expect(run.finishedAt).toBeGreaterThanOrEqual(run.startedAt);
    });

    it('answers 503 when Temporal refuses the workflow, and keeps the run as failed', async () => {
      const namespace = 'no-such-namespace';
      const client = new Client({ connection: h.env.connection, namespace });
      const refused = await buildApi(h, {
        temporal: { client, namespace, address: h.env.address, taskQueue: h.taskQueue, uiUrl: 'http://ui' },
      });
      try {
        const { cardId } = storeCard(h.database.db, PASSING.replace('api-passing', 'api-refused'));
        const response = await refused.inject({
          method: 'POST',
          url: '/runs',
          payload: { cardId },
          headers: auth,
        });
        expect(response.statusCode).toBe(503);
        expect(response.json().message).toMatch(/^Could not start the run's workflow: .*no-such-namespace/);
        const runs = (await call({ method: 'GET', url: `/runs?cardId=${cardId}` })).json();
        expect(runs).toMatchObject({ total: 1, items: [{ status: 'failed', error: expect.any(String) }] });
      } finally {
        await refused.close();
      }
    });

    it('runs an older version when asked', async () => {
      const first = storeCard(h.database.db, PASSING.replace('api-passing', 'api-versions'));
      storeCard(h.database.db, PASSING.replace('api-passing', 'api-versions').replace('fine', 'good'));
      const response = await startRun({ cardId: first.cardId, version: 1 });
      expect(response.status).toBe(202);
      expect(getRun(h.database.db, response.json().runId)?.cardVersionId).toBe(first.versionId);
    });
  });

  describe('GET /runs/:id', () => {
    it('reports live progress from the workflow while the run is active', async () => {
      h.fake.setDelay(2000);
      const { cardId } = storeCard(h.database.db, SLOW);
      const { runId } = (await startRun({ cardId })).json();
      await waitUntil(() => h.fake.stats.inFlight > 0);

      const run = (await call({ method: 'GET', url: `/runs/${runId}` })).json();
      expect(run.status).toMatch(/queued|running/);
      expect(run.progress).toMatchObject({ source: 'workflow', status: 'running', total: 2, done: 0 });
      expect(run.progress.running).toBeGreaterThan(0);
      expect((await call({ method: 'POST', url: `/runs/${runId}/cancel` })).status).toBe(202);
      expect(await waitForEnd(runId)).toBe('cancelled');
    });

    it('answers 404 for an unknown run on every route', async () => {
      for (const [method, url] of [
        ['GET', '/runs/nope'],
        ['GET', '/runs/nope/results'],
        ['GET', '/runs/nope/export'],
        ['GET', '/runs/nope/events'],
        ['POST', '/runs/nope/cancel'],
        ['POST', '/runs/nope/retry'],
      ] as const) {
        const response = await call({ method, url });
        expect(response.status, `${method} ${url}`).toBe(404);
        expect(response.json()).toMatchObject({ error: 'Not Found', message: 'No run with id "nope".' });
      }
    });
  });

  describe('GET /runs', () => {
    it('pages newest first with a total, filtered by card, status and trigger', async () => {
      const card = storeCard(h.database.db, PASSING.replace('api-passing', 'api-list'));
      const at = Date.now();
      const stored = Array.from({ length: 5 }, (_, i) =>
        insertRun(h.database.db, card, {
          id: `api-list-${i}`,
          createdAt: at + i,
          status: i % 2 === 0 ? 'completed' : 'failed',
          trigger: i === 4 ? 'retry' : 'api',
        }),
      );

      const page = (
        await call({ method: 'GET', url: `/runs?cardId=${card.cardId}&limit=2&offset=1` })
      ).json();
      expect(page).toMatchObject({ total: 5, limit: 2, offset: 1 });
      expect(page.items.map((r: Json) => r.id)).toEqual(['api-list-3', 'api-list-2']);

      const failed = (await call({ method: 'GET', url: `/runs?cardId=${card.cardId}&status=failed` })).json();
      expect(failed.items.map((r: Json) => r.id)).toEqual(['api-list-3', 'api-list-1']);
      expect(failed.total).toBe(2);
      const retries = (
        await call({ method: 'GET', url: `/runs?cardId=${card.cardId}&trigger=retry` })
      ).json();
      expect(retries).toMatchObject({ total: 1, items: [{ id: stored[4]?.id, trigger: 'retry' }] });

      const defaults = (await call({ method: 'GET', url: `/runs?cardId=${card.cardId}` })).json();
      expect(defaults).toMatchObject({ total: 5, limit: 50, offset: 0 });
      expect((await call({ method: 'GET', url: '/runs?status=bogus' })).status).toBe(400);
      expect((await call({ method: 'GET', url: '/runs?limit=0' })).status).toBe(400);
    });
  });

  describe('GET /runs/:id/results', () => {
    it('pages results in stored order with a total, filtered by status, model and case', async () => {
      const card = storeCard(h.database.db, PASSING.replace('api-passing', 'api-results'));
      const run = insertRun(h.database.db, card, { status: 'completed', totalCells: 6 });
      const cells = [
        { caseIndex: 0, caseName: 'one', model: 'echo', status: 'pass' },
        { caseIndex: 0, caseName: 'one', model: 'ollama:a', status: 'fail' },
        { caseIndex: 1, caseName: 'two', model: 'echo', status: 'error' },
        { caseIndex: 1, caseName: 'two', model: 'ollama:a', status: 'pass' },
        { caseIndex: 2, caseName: 'three', model: 'echo', status: 'fail' },
        { caseIndex: 2, caseName: 'three', model: 'ollama:a', status: 'pass' },
      ] as const;
      const ids = cells.map((cell) => insertResult(h.database.db, run.id, cell));
      const get = async (query: string) =>
        (await call({ method: 'GET', url: `/runs/${run.id}/results?${query}` })).json();

      const page = await get('limit=2&offset=2');
      expect(page).toMatchObject({ total: 6, limit: 2, offset: 2 });
      expect(page.items.map((r: Json) => r.id)).toEqual(ids.slice(2, 4));
      expect(page.items[0]).toMatchObject({
        runId: run.id,
        cellKey: '1/echo/0',
        caseName: 'two',
        status: 'error',
      });

      expect(await get('status=fail')).toMatchObject({ total: 2, items: [{ id: ids[1] }, { id: ids[4] }] });
      expect(await get('model=ollama:a&status=pass')).toMatchObject({ total: 2 });
      expect(await get('case=two')).toMatchObject({ total: 2, items: [{ id: ids[2] }, { id: ids[3] }] });
      expect((await call({ method: 'GET', url: `/runs/${run.id}/results?status=maybe` })).status).toBe(400);
    });
  });

  describe('POST /runs/:id/cancel', () => {
    it('answers 409 for a run that has finished, 401 without a key', async () => {
      const card = storeCard(h.database.db, PASSING.replace('api-passing', 'api-cancel'));
      const run = insertRun(h.database.db, card, { status: 'completed' });
      expect((await call({ method: 'POST', url: `/runs/${run.id}/cancel`, key: false })).status).toBe(401);
      const response = await call({ method: 'POST', url: `/runs/${run.id}/cancel` });
      expect(response.status).toBe(409);
      expect(response.json().message).toMatch(/already finished \(completed\)/);
    });
  });

  describe('POST /runs/:id/retry', () => {
    it('starts a new run of only the failed and errored cells', async () => {
      const { cardId } = storeCard(h.database.db, MIXED);
      const first = (
        await startRun({ cardId, models: ['ollama:llama3.2:3b', 'echo', 'ollama:missing'] })
      ).json();
      expect(await waitForEnd(first.runId)).toBe('completed');
      const firstRows = listResults(h.database.db, first.runId, { limit: 100 });
      const notPassed = firstRows.filter((r) => r.status !== 'pass');
      // case three fails on the two real models; every cell of the missing model is an error.
      expect(notPassed.map((r) => `${r.cellKey}:${r.status}`).sort()).toEqual([
        '0/ollama:missing/0:error',
        '1/ollama:missing/0:error',
        '2/echo/0:fail',
        '2/ollama:llama3.2:3b/0:fail',
        '2/ollama:missing/0:error',
      ]);

      const response = await call({ method: 'POST', url: `/runs/${first.runId}/retry` });
      expect(response.status).toBe(202);
      const retry = response.json();
      expect(retry).toMatchObject({ status: 'queued', totalCells: 5 });
      expect(await waitForEnd(retry.runId)).toBe('completed');

      const run = (await call({ method: 'GET', url: `/runs/${retry.runId}` })).json();
      expect(run).toMatchObject({
        trigger: 'retry',
        totalCells: 5,
        cardVersionId: getRun(h.database.db, first.runId)?.cardVersionId,
        options: { retryOf: first.runId, models: ['ollama:llama3.2:3b', 'echo', 'ollama:missing'] },
        progress: { source: 'database', total: 5, done: 5, failed: 2, errored: 3 },
      });
      expect(run.progress.perModel).toMatchObject({
        echo: { total: 1, done: 1 },
        'ollama:missing': { total: 3, done: 3 },
      });
      const retried = listResults(h.database.db, retry.runId, { limit: 100 });
      expect(retried.map((r) => r.cellKey).sort()).toEqual(notPassed.map((r) => r.cellKey).sort());
      expect(retried.map((r) => r.caseName).sort()).toEqual(notPassed.map((r) => r.caseName).sort());
    });

    it('answers 409 when nothing failed or the run is still running', async () => {
      const { cardId } = storeCard(h.database.db, PASSING);
      const { runId } = (await startRun({ cardId })).json();
      expect(await waitForEnd(runId)).toBe('completed');
      const clean = await call({ method: 'POST', url: `/runs/${runId}/retry` });
      expect(clean.status).toBe(409);
      expect(clean.json().message).toMatch(/no failed or errored cells/);

      const card = storeCard(h.database.db, PASSING.replace('api-passing', 'api-retry-running'));
      const running = insertRun(h.database.db, card, { status: 'running' });
      insertResult(h.database.db, running.id, { status: 'fail' });
      const busy = await call({ method: 'POST', url: `/runs/${running.id}/retry` });
      expect(busy.status).toBe(409);
      expect(busy.json().message).toMatch(/still running/);
    });
  });

  describe('GET /runs/:id/export', () => {
    it('downloads JSON, CSV and JUnit XML with the right headers', async () => {
      const { cardId } = storeCard(h.database.db, MIXED);
      const { runId } = (await startRun({ cardId })).json();
      expect(await waitForEnd(runId)).toBe('completed');
      const download = (format?: string) =>
        call({ method: 'GET', url: `/runs/${runId}/export${format ? `?format=${format}` : ''}` });

      const json = await download();
      expect(json.status).toBe(200);
      expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(json.headers['content-disposition']).toBe(`attachment; filename="${runId}.json"`);
      const document = JSON.parse(json.body);
      expect(document.run).toMatchObject({ id: runId, card: 'api-mixed', status: 'completed' });
      expect(document.results).toHaveLength(6);

      const csv = await download('csv');
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toBe(`attachment; filename="${runId}.csv"`);
      const rows = parseCsv(csv.body);
      expect(rows[0]?.slice(0, 3)).toEqual(['run_id', 'case_index', 'case']);
      expect(rows).toHaveLength(7);

      const junit = await download('junit');
      expect(junit.headers['content-type']).toBe('application/xml; charset=utf-8');
      expect(junit.headers['content-disposition']).toBe(`attachment; filename="${runId}.xml"`);
      expect(junit.body).toMatch(/^<\?xml/);
      expect(junit.body.match(/<testcase /g)).toHaveLength(6);
      expect(junit.body.match(/<failure /g)).toHaveLength(2);

      expect((await download('pdf')).status).toBe(400);

      const failed = (await call({ method: 'GET', url: `/runs/${runId}/results?status=fail` })).json();
      expect(failed.total).toBe(2);
      expect(failed.items[0]).toMatchObject({ caseName: 'three', output: expect.stringContaining('gamma') });
      expect(failed.items[0].assertions[0]).toMatchObject({ type: 'contains', pass: false });
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
