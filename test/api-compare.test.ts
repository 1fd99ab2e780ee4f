import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellStatus } from '../core/run/progress.ts';
import type { Db } from '../db/client.ts';
import { buildDatabaseApi, type DatabaseApi } from './helpers/api.ts';
import { insertResult, insertRun, storeCard } from './helpers/runs-api.ts';

const cardYaml = (name: string) => `
name: ${name}
prompt: { template: "Route {{ ticket }}" }
models: [echo]
cases:
  - { name: only, vars: { ticket: refund }, assert: [{ type: contains, value: refund }] }
`;

const CASES = 24;

/**
 * The comparison reads only SQLite, so the API is built on a real database file with a Temporal client
 * that never connects (it points at a closed port): no Temporal server is needed.
 */
describe('GET /runs/:id/compare', () => {
  let server: DatabaseApi;
  let database: Db;
  let api: FastifyInstance;
  const runs = { baseline: '', degraded: '', noisy: '', otherCard: '' };

  /** A stored run of the card: one cell per case on echo, `status(caseIndex)` says how each went. */
  const seedRun = (
    card: { cardId: string; versionId: number },
    status: (caseIndex: number) => CellStatus,
  ) => {
    const run = insertRun(database.db, card, { status: 'completed', totalCells: CASES });
    for (let caseIndex = 0; caseIndex < CASES; caseIndex++) {
      const cell = status(caseIndex);
      insertResult(database.db, run.id, {
        caseIndex,
        caseName: `ticket ${caseIndex}`,
        status: cell,
        score: cell === 'pass' ? 1 : 0,
        output: `${cell} output ${caseIndex}`,
      });
    }
    return run.id;
  };

  const compare = async (id: string, query: string) => {
    const response = await api.inject({
      method: 'GET',
      url: `/runs/${encodeURIComponent(id)}/compare?${query}`,
    });
    return { status: response.statusCode, body: response.json() };
  };

  beforeAll(async () => {
    server = await buildDatabaseApi('compare');
    ({ api, database } = server);

    const triage = storeCard(database.db, cardYaml('compare-triage'));
    // The baseline fails only the last case; the degraded candidate breaks the first twelve (one as an
    // error) and fixes the last; the noisy one breaks a single case.
    runs.baseline = seedRun(triage, (i) => (i === CASES - 1 ? 'fail' : 'pass'));
    runs.degraded = seedRun(triage, (i) => (i === 0 ? 'error' : i < 12 ? 'fail' : 'pass'));
    runs.noisy = seedRun(triage, (i) => (i === 5 || i === CASES - 1 ? 'fail' : 'pass'));
    runs.otherCard = seedRun(storeCard(database.db, cardYaml('compare-other')), () => 'pass');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lists the newly failing and passing cases of a degraded run and calls it a regression', async () => {
    const { status, body } = await compare(runs.degraded, `baseline=${runs.baseline}`);
    expect(status).toBe(200);
    expect(body.baseline).toMatchObject({ id: runs.baseline, status: 'completed' });
    expect(body.candidate.id).toBe(runs.degraded);
    const named = (change: string) =>
      body.groups
        .filter((g: { change: string }) => g.change === change)
        .map((g: { caseName: string }) => g.caseName);
    expect(named('newly-failing')).toEqual(Array.from({ length: 12 }, (_, i) => `ticket ${i}`));
    expect(named('newly-passing')).toEqual([`ticket ${CASES - 1}`]);
    expect(named('still-passing')).toHaveLength(11);
    expect(body.groups[0]).toMatchObject({
      caseIndex: 0,
      model: 'echo',
      candidate: { passed: 0, errored: 1, total: 1 },
      candidateOutput: 'error output 0',
    });
    expect(body.overall).toMatchObject({ baseline: { passed: 23 }, candidate: { passed: 12 } });
    expect(body.overall.passRateDelta).toBeCloseTo(-11 / 24, 12);
    expect(body.perModel.echo.candidate.passed).toBe(12);
    expect(body.verdict).toMatchObject({ verdict: 'regression', alpha: 0.05, compared: { groups: 24 } });
    expect(body.verdict.pValue).toBeLessThan(0.01);
    expect(body.verdict.reason).toContain('23/24 → 12/24 passed');
  });

  it('calls a single flip within noise, with its p-value, at the alpha asked for', async () => {
    const { status, body } = await compare(runs.noisy, `baseline=${runs.baseline}&alpha=0.01`);
    expect(status).toBe(200);
    expect(body.verdict).toMatchObject({ verdict: 'within-noise', alpha: 0.01 });
    expect(body.verdict.pValue).toBeGreaterThan(0.5);
    expect(body.groups.filter((g: { change: string }) => g.change !== 'still-passing')).toMatchObject([
      { caseName: 'ticket 5', change: 'newly-failing' },
      { caseName: `ticket ${CASES - 1}`, change: 'still-failing' },
    ]);
  });

  it('compares a run with itself as no change', async () => {
    const { body } = await compare(runs.baseline, `baseline=${runs.baseline}`);
    expect(body.verdict).toMatchObject({ verdict: 'no-change', test: 'none', pValue: null });
  });

  it('refuses runs of different cards with 400 naming the baseline parameter', async () => {
    const { status, body } = await compare(runs.otherCard, `baseline=${runs.baseline}`);
    expect(status).toBe(400);
    expect(body.message).toContain('only runs of the same card can be compared');
    expect(body.issues).toEqual([
      { path: 'query.baseline', message: expect.stringContaining('compare-triage') },
    ]);
  });

  it('answers 404 for an unknown run or baseline', async () => {
    const unknownRun = await compare('no-such-run', `baseline=${runs.baseline}`);
    expect(unknownRun.status).toBe(404);
    expect(unknownRun.body.message).toContain('no-such-run');
    const unknownBaseline = await compare(runs.degraded, 'baseline=no-such-baseline');
    expect(unknownBaseline.status).toBe(404);
    expect(unknownBaseline.body.message).toBe('No baseline run with id "no-such-baseline".');
  });

  it("compares with the run's own baseline when none is named", async () => {
    const { status, body } = await compare(runs.degraded, '');
    expect(status).toBe(200);
    expect(body.baseline.id).toBe(runs.baseline);
    expect(body.verdict).toMatchObject({ verdict: 'regression', alpha: 0.05 });
  });

  it('answers 404 with what to do when the run has no baseline', async () => {
    const { status, body } = await compare(runs.otherCard, '');
    expect(status).toBe(404);
    expect(body.message).toContain('has no baseline');
    expect(body.message).toContain('PUT /cards/compare-other/baseline');
  });

  it('answers 400 with an alpha out of range', async () => {
    const wide = await compare(runs.degraded, `baseline=${runs.baseline}&alpha=0.9`);
    expect(wide.status).toBe(400);
    expect(wide.body.issues[0].path).toBe('query.alpha');
  });

  it('is documented in the OpenAPI spec with its query and replies', async () => {
    const spec = (await api.inject({ method: 'GET', url: '/docs/json' })).json();
    const route = spec.paths['/runs/{id}/compare'].get;
    expect(route.tags).toEqual(['runs']);
    expect(route.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['id', 'baseline', 'alpha']),
    );
    expect(Object.keys(route.responses)).toEqual(expect.arrayContaining(['200', '400', '404']));
  });
});
