import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../db/client.ts';
import type { NewRun } from '../db/schema.ts';
import { buildDatabaseApi, type DatabaseApi } from './helpers/api.ts';
import { insertResult, insertRun, keyHeaders, storeCard } from './helpers/runs-api.ts';

const cardYaml = (name: string, template = 'Route {{ ticket }}') => `
name: ${name}
prompt: { template: "${template}" }
models: [echo, ollama:llama3.2:3b]
cases:
  - { name: only, vars: { ticket: refund }, assert: [{ type: contains, value: refund }] }
`;

const BOTH = ['echo', 'ollama:llama3.2:3b'];

/**
 * Baselines and trends read only SQLite: the API is built on a real database file with a Temporal client
 * that never connects (it points at a closed port).
 */
describe('card baselines and trend', () => {
  let server: DatabaseApi;
  let database: Db;
  let api: FastifyInstance;
  let auth: { authorization: string };
  let clock = 1_700_000_000_000;

  /** A stored run created one second after the previous one. */
  const run = (card: { cardId: string; versionId: number }, fields: Partial<NewRun> = {}) => {
    clock += 1000;
    return insertRun(database.db, card, {
      status: 'completed',
      options: { models: BOTH, repeat: 1, concurrency: 1 },
      createdAt: clock,
      ...fields,
    });
  };

  const request = async (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown) => {
    const response = await api.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };

  beforeAll(async () => {
    server = await buildDatabaseApi('baselines');
    ({ api, database } = server);
    auth = keyHeaders(database.db);
  });

  afterAll(async () => {
    await server?.close();
  });

  describe('baseline', () => {
    it('is 404 with what to do while no run of the latest version has completed', async () => {
      const card = storeCard(database.db, cardYaml('baseline-empty'));
      run(card, { status: 'failed' });
      const { status, body } = await request('GET', '/cards/baseline-empty/baseline');
      expect(status).toBe(404);
      expect(body.message).toBe(
        'Card "baseline-empty" has no baseline: nothing is pinned and no run of version 1 on echo, ' +
          'ollama:llama3.2:3b has completed. Run it, or pin a run with PUT /cards/baseline-empty/baseline.',
      );
    });

    it('is by default the latest completed run of the latest version on the same set of models', async () => {
      const v1 = storeCard(database.db, cardYaml('baseline-rule'));
      const oldVersion = run(v1);
      const v2 = storeCard(database.db, cardYaml('baseline-rule', 'Queue for {{ ticket }}'));
      const expected = run(v2, { options: { models: [...BOTH].reverse(), repeat: 1, concurrency: 1 } });
      run(v2, { status: 'failed' });
      run(v2, { status: 'running' });
      run(v2, { options: { models: ['echo'], repeat: 1, concurrency: 1 } });
      run(v2, { options: { models: BOTH, repeat: 1, concurrency: 1, cells: [0], retryOf: expected.id } });

      const { status, body } = await request('GET', '/cards/baseline-rule/baseline');
      expect(status).toBe(200);
      expect(body).toMatchObject({ pinned: false, run: { id: expected.id, cardVersionId: v2.versionId } });
      expect(body.run.id).not.toBe(oldVersion.id);

      const echoOnly = await request('GET', '/cards/baseline-rule/baseline?models=echo');
      expect(echoOnly.body.run.options.models).toEqual(['echo']);
    });

    it('can be pinned to a completed run of the card, and unpinned back to the rule', async () => {
      const card = storeCard(database.db, cardYaml('baseline-pin'));
      const good = run(card);
      const latest = run(card);
      const candidate = run(card);

      const pinned = await request('PUT', '/cards/baseline-pin/baseline', { runId: good.id });
      expect(pinned).toMatchObject({ status: 200, body: { pinned: true, run: { id: good.id } } });
      expect((await request('GET', '/cards/baseline-pin/baseline')).body).toMatchObject({
        pinned: true,
        run: { id: good.id },
      });
      // Comparisons default to the pinned baseline.
      const compared = await request('GET', `/runs/${candidate.id}/compare`);
      expect(compared.body.baseline.id).toBe(good.id);

      expect((await request('DELETE', '/cards/baseline-pin/baseline')).status).toBe(204);
      expect((await request('GET', '/cards/baseline-pin/baseline')).body).toMatchObject({
        pinned: false,
        run: { id: candidate.id },
      });
      expect((await request('GET', `/runs/${candidate.id}/compare`)).body.baseline.id).toBe(latest.id);
    });

    it('refuses to pin a run of another card, an unfinished run, an unknown run or a partial retry, naming body.runId', async () => {
      const card = storeCard(database.db, cardYaml('baseline-refuse'));
      const other = run(storeCard(database.db, cardYaml('baseline-other')));
      const running = run(card, { status: 'running' });
      const retry = run(card, {
        trigger: 'retry',
        options: { models: ['echo'], repeat: 1, concurrency: 1, cells: [0], retryOf: 'earlier-run' },
      });
      const cases = [
        {
          runId: other.id,
          message: `run "${other.id}" is a run of card "baseline-other", not "baseline-refuse"`,
        },
        {
          runId: running.id,
          message: `run "${running.id}" is running: only a completed run can be a baseline`,
        },
        { runId: 'no-such-run', message: 'no run has id "no-such-run"' },
        {
          runId: retry.id,
          message: `run "${retry.id}" repeats only some cells of run "earlier-run": pin a full run`,
        },
      ];
      for (const { runId, message } of cases) {
        const { status, body } = await request('PUT', '/cards/baseline-refuse/baseline', { runId });
        expect(status, runId).toBe(400);
        expect(body.issues).toEqual([{ path: 'body.runId', message }]);
      }
      expect((await request('GET', '/cards/baseline-refuse/baseline')).status).toBe(404);
    });

    it('answers 404 for an unknown card and needs a key to pin or unpin', async () => {
      expect((await request('GET', '/cards/no-such-card/baseline')).status).toBe(404);
      expect((await request('PUT', '/cards/no-such-card/baseline', { runId: 'x' })).status).toBe(404);
      for (const method of ['PUT', 'DELETE'] as const) {
        const response = await api.inject({
          method,
          url: '/cards/baseline-pin/baseline',
          payload: { runId: 'x' },
        });
        expect(response.statusCode, method).toBe(401);
      }
    });
  });

  describe('trend', () => {
    it('lists completed runs oldest first with pass rates per model, metric means and verdicts', async () => {
      const card = storeCard(database.db, cardYaml('trend-card'));
      const cells = (runId: string, passing: Record<string, number>, accuracy: number[]) => {
        let repeat = 0;
        for (const [model, passed] of Object.entries(passing)) {
          for (let i = 0; i < 4; i++) {
            const status = i < passed ? 'pass' : 'fail';
            const metrics = { accuracy: accuracy[i] ?? 0, ...(model === 'echo' ? { tone: 1 } : {}) };
            insertResult(database.db, runId, {
              model,
              repeat: repeat++,
              status,
              score: status === 'pass' ? 1 : 0,
              metrics,
            });
          }
        }
      };
      const first = run(card, { trigger: 'schedule' });
      cells(first.id, { echo: 4, 'ollama:llama3.2:3b': 2 }, [1, 1, 0.5, 0.5]);
      run(card, { status: 'failed' });
      const second = run(card, { verdict: { verdict: 'regression', reason: 'worse', judgedAt: 1 } });
      cells(second.id, { echo: 1, 'ollama:llama3.2:3b': 0 }, [0, 0, 0, 1]);
      const echoOnly = run(card, { options: { models: ['echo'], repeat: 1, concurrency: 1 } });
      cells(echoOnly.id, { echo: 3 }, [1, 1, 1, 0]);
      // A retry of the failed cells alone is left out: its pass rate says nothing about the card.
      const retry = run(card, {
        trigger: 'retry',
        options: { models: ['echo'], repeat: 1, concurrency: 1, cells: [1], retryOf: echoOnly.id },
      });
      cells(retry.id, { echo: 1 }, [1]);

      const { status, body } = await request('GET', '/cards/trend-card/trend');
      expect(status).toBe(200);
      expect(body.points).toEqual([
        {
          runId: first.id,
          createdAt: first.createdAt,
          trigger: 'schedule',
          status: 'completed',
          passRate: 6 / 8,
          perModel: { echo: 1, 'ollama:llama3.2:3b': 0.5 },
          metrics: { accuracy: 0.75, tone: 1 },
        },
        expect.objectContaining({
          runId: second.id,
          passRate: 1 / 8,
          perModel: { echo: 0.25, 'ollama:llama3.2:3b': 0 },
          metrics: { accuracy: 0.25, tone: 1 },
          verdict: 'regression',
        }),
        expect.objectContaining({ runId: echoOnly.id, passRate: 0.75, perModel: { echo: 0.75 } }),
      ]);

      const llama = await request('GET', '/cards/trend-card/trend?model=ollama:llama3.2:3b&limit=1');
      expect(llama.body.points).toEqual([
        expect.objectContaining({
          runId: second.id,
          passRate: 0,
          perModel: { 'ollama:llama3.2:3b': 0 },
          metrics: { accuracy: 0.25 },
        }),
      ]);
    });

    it('is empty for a card without completed runs, 404 for an unknown card, 400 for a bad limit', async () => {
      storeCard(database.db, cardYaml('trend-empty'));
      expect(await request('GET', '/cards/trend-empty/trend')).toEqual({ status: 200, body: { points: [] } });
      expect((await request('GET', '/cards/no-such-card/trend')).status).toBe(404);
      const bad = await request('GET', '/cards/trend-empty/trend?limit=0');
      expect(bad.status).toBe(400);
      expect(bad.body.issues[0].path).toBe('query.limit');
    });
  });
});
