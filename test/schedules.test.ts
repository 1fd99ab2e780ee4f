// Temporal Schedules end to end: the /schedules API and `pcs schedule` against a real Temporal dev server,
// a worker, real SQLite and the fake Ollama (the cards use the echo model).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScheduleNotFoundError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveCard } from '../db/queries/cards.ts';
import { recentRunsOfSchedule } from '../db/queries/schedules.ts';
import type { Run } from '../db/schema.ts';
import { searchAttributeKeys } from '../workflows/shared.ts';
import { buildApi } from './helpers/api.ts';
import { runCli } from './helpers/cli.ts';
import { keyHeaders, storeCard } from './helpers/runs-api.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

const card = (name: string) => `
name: ${name}
prompt: { template: "Echo {{ word }}" }
models: [echo]
cases:
  - { name: one, vars: { word: alpha }, assert: [{ type: contains, value: alpha }] }
  - { name: two, vars: { word: beta }, assert: [{ type: contains, value: beta }] }
`;

/** The shortest interval the dev server takes is 1 s; 2 s leaves each run time to finish before the next. */
const EVERY = '2s';
const INTERVAL_MS = 2000;

// Each CLI invocation is a fresh Node process loading the CLI through tsx: seconds apiece on a busy box.
const CLI_TEST_TIMEOUT = 180_000;

type Json = Record<string, unknown>;
type ScheduleReply = {
  id: string;
  cardId: string;
  state: {
    paused: boolean;
    note: string | null;
    nextActionTimes: number[];
    recentActions: { workflowId: string; runId: string | null }[];
    runningRunIds: string[];
  } | null;
  lastRuns: { id: string; status: string; passRate: number | null }[];
};

describe('schedules', () => {
  let h: SuiteHarness;
  let api: FastifyInstance;
  let worker: Worker;
  let working: Promise<void>;
  let auth: Record<string, string>;

  const call = async (options: InjectOptions & { key?: boolean }) => {
    const { key = true, ...request } = options;
    const response = await api.inject({ ...request, headers: { ...(key ? auth : {}), ...request.headers } });
    return { status: response.statusCode, json: () => response.json() };
  };
  const create = (body: Json) => call({ method: 'POST', url: '/schedules', payload: body });
  const show = async (id: string) =>
    (await call({ method: 'GET', url: `/schedules/${id}` })).json() as ScheduleReply;
  const runsOf = (scheduleId: string): Run[] => recentRunsOfSchedule(h.database.db, scheduleId, 1000);
  const finished = (run: Run) => !['queued', 'running'].includes(run.status);

  /** Every run of the schedule has finished and Temporal counts no firing in progress. */
  const settled = async (id: string) => {
    await waitFor(async () => {
      const state = (await show(id)).state;
      return runsOf(id).every(finished) && state?.runningRunIds.length === 0;
    }, `schedule ${id} to settle`);
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

  describe('a schedule every 2 s', () => {
    let id: string;
    let cardId: string;

    it('fires runs that are stored with trigger schedule and its id, and complete', async () => {
      cardId = storeCard(h.database.db, card('sched-echo')).cardId;
      const response = await create({ cardId, every: EVERY, note: 'nightly regression' });
      expect(response.status).toBe(201);
      const created = response.json();
      id = created.id;
      expect(created).toMatchObject({
        cardId,
        cardName: 'sched-echo',
        every: EVERY,
        cron: null,
        timezone: 'UTC',
        overlap: 'skip',
        alertOnFailure: false,
        state: { paused: false, note: 'nightly regression' },
        links: { temporal: `http://127.0.0.1:8233/namespaces/default/schedules/${id}` },
      });
      expect(id).toMatch(new RegExp(`^pcs-${cardId}-[0-9a-f]{6}$`));
      expect(created.state.nextActionTimes.length).toBeGreaterThan(0);

      await waitFor(() => runsOf(id).filter((run) => run.status === 'completed').length >= 2, 'two runs');
      for (const run of runsOf(id).filter(finished)) {
        expect(run).toMatchObject({
          trigger: 'schedule',
          scheduleId: id,
          status: 'completed',
          totalCells: 2,
        });
        expect(run.summary).toMatchObject({ passed: 2, passRate: 1 });
      }

      const described = await show(id);
      const stored = new Set(runsOf(id).map((run) => run.id));
      const fired = described.state?.recentActions.map((action) => action.runId).filter((r) => r !== null);
      expect(fired?.length).toBeGreaterThanOrEqual(2);
      for (const runId of fired ?? []) expect(stored.has(runId as string)).toBe(true);
      expect(described.lastRuns.find((run) => run.status === 'completed')).toMatchObject({ passRate: 1 });
    });

    it('shows its runs as scheduled in Temporal: the firing workflow and its child SuiteRun', async () => {
      const run = runsOf(id).find((r) => r.status === 'completed') as Run;
      const child = await h.env.client.workflow.getHandle(run.id).describe();
      expect(child.type).toBe('suiteRun');
      expect(child.typedSearchAttributes.get(searchAttributeKeys.trigger)).toBe('schedule');
      expect(child.typedSearchAttributes.get(searchAttributeKeys.card)).toBe('sched-echo');

      const firing = (await show(id)).state?.recentActions.find((action) => action.runId === run.id);
      const parent = await h.env.client.workflow.getHandle(firing?.workflowId ?? '').describe();
      expect(child.parentExecution?.workflowId).toBe(parent.workflowId);
      expect(parent.type).toBe('scheduledRun');
      expect(parent.workflowId.startsWith(`${id}-`)).toBe(true);
      expect(parent.typedSearchAttributes.get(searchAttributeKeys.trigger)).toBe('schedule');
      expect(parent.searchAttributes.TemporalScheduledById).toEqual([id]);
    });

    it("replays a firing's history with the current workflow code", async () => {
      const firing = (await show(id)).state?.recentActions[0];
      const history = await h.env.client.workflow.getHandle(firing?.workflowId ?? '').fetchHistory();
      await expect(Worker.runReplayHistory({ workflowBundle: h.bundle }, history)).resolves.toBeUndefined();
    });

    it('pause stops the firings; trigger-now starts one run at once, even while paused', async () => {
      const paused = await call({
        method: 'POST',
        url: `/schedules/${id}/pause`,
        payload: { note: 'freeze' },
      });
      expect(paused.status).toBe(200);
      expect(paused.json().state).toMatchObject({ paused: true, note: 'freeze', nextActionTimes: [] });
      await settled(id);
      const before = runsOf(id).length;

      await sleep(3 * INTERVAL_MS);
      expect(runsOf(id).length).toBe(before);

      const triggered = await call({ method: 'POST', url: `/schedules/${id}/trigger` });
      expect(triggered.status).toBe(202);
      expect(triggered.json()).toMatchObject({ id, overlap: 'skip' });
      await waitFor(
        () => runsOf(id).length === before + 1 && runsOf(id).every(finished),
        'the triggered run',
      );
      expect(runsOf(id)[0]).toMatchObject({ status: 'completed', trigger: 'schedule', scheduleId: id });
      expect((await show(id)).state?.paused).toBe(true);
    });

    it('unpause resumes the timetable', async () => {
      const response = await call({ method: 'POST', url: `/schedules/${id}/unpause` });
      expect(response.status).toBe(200);
      expect(response.json().state).toMatchObject({ paused: false, note: 'Unpaused via the API' });
      expect(response.json().state.nextActionTimes.length).toBeGreaterThan(0);
    });

    it('is listed by card, and delete removes it while its runs keep the schedule id', async () => {
      const listed = await call({ method: 'GET', url: `/schedules?cardId=${cardId}` });
      expect(listed.json()).toMatchObject({ total: 1, items: [{ id }] });

      expect((await call({ method: 'DELETE', url: `/schedules/${id}` })).status).toBe(204);
      expect((await call({ method: 'GET', url: `/schedules/${id}` })).status).toBe(404);
      expect((await call({ method: 'GET', url: `/schedules?cardId=${cardId}` })).json().total).toBe(0);
      await expect(h.env.client.schedule.getHandle(id).describe()).rejects.toBeInstanceOf(
        ScheduleNotFoundError,
      );
      await waitFor(() => runsOf(id).every(finished), 'runs in progress to finish');
      expect(runsOf(id).length).toBeGreaterThanOrEqual(3);
    });
  });

  it('a firing of an archived card fails for good, stores no run, and pauses the schedule', async () => {
    const { cardId } = storeCard(h.database.db, card('sched-archived'));
    const { id } = (await create({ cardId, every: '1h' })).json();
    archiveCard(h.database.db, cardId);

    expect((await call({ method: 'POST', url: `/schedules/${id}/trigger` })).status).toBe(202);
    await waitFor(async () => (await show(id)).state?.paused === true, 'the schedule to pause itself');

    const action = (await show(id)).state?.recentActions[0];
    expect(action?.runId).toBeNull();
    expect((await show(id)).state?.note).toMatch(
      /paused due to workflow failure: .*Card "sched-archived" is archived/,
    );
    const failure = await h.env.client.workflow
      .getHandle(action?.workflowId ?? '')
      .result()
      .catch((error: Error) => error);
    expect(String((failure as Error).cause)).toMatch(/Card "sched-archived" is archived/);
    expect(runsOf(id)).toEqual([]);
  });

  describe('input', () => {
    let cardId: string;
    beforeAll(() => {
      cardId = storeCard(h.database.db, card('sched-input')).cardId;
    });

    it.each([
      ['a cron with too few fields', { cron: '0 3 * *' }, 'body.cron'],
      ['a cron field out of range (Temporal says so)', { cron: '61 * * * *' }, 'body.cron'],
      ['the second cron of a list', { cron: ['@daily', '@nightly'] }, 'body.cron[1]'],
      ['an unknown time zone', { cron: '0 3 * * *', timezone: 'Mars/Olympus' }, 'body.timezone'],
      ['both cron and every', { cron: '0 3 * * *', every: '1h' }, 'body.every'],
      ['neither cron nor every', {}, 'body.cron'],
      ['a malformed interval', { every: 'hourly' }, 'body.every'],
      ['an unknown model', { every: '1h', models: ['gpt-4'] }, 'body.models[0]'],
      ['an unknown overlap policy', { every: '1h', overlap: 'queue' }, 'body.overlap'],
    ])('answers 400 for %s, naming the field', async (_what, fields, field) => {
      const response = await create({ cardId, ...fields });
      expect(response.status).toBe(400);
      expect((response.json().issues as { path: string }[]).map((issue) => issue.path)).toContain(field);
    });

    it('documents every route under the schedules tag, writes as keyed', async () => {
      const paths = (await call({ method: 'GET', url: '/docs/json' })).json().paths;
      for (const [route, method] of [
        ['/schedules/', 'post'],
        ['/schedules/', 'get'],
        ['/schedules/{id}', 'get'],
        ['/schedules/{id}/pause', 'post'],
        ['/schedules/{id}/unpause', 'post'],
        ['/schedules/{id}/trigger', 'post'],
        ['/schedules/{id}', 'delete'],
      ] as const) {
        expect(paths[route]?.[method]?.tags, `${method} ${route}`).toEqual(['schedules']);
      }
      expect(paths['/schedules/'].post.security).toEqual([{ apiKey: [] }]);
      expect(paths['/schedules/'].get.security ?? []).toEqual([]);
    });

    it('stores nothing for a rejected schedule', async () => {
      await create({ cardId, cron: '61 * * * *' });
      expect((await call({ method: 'GET', url: `/schedules?cardId=${cardId}` })).json().total).toBe(0);
    });

    it('answers 404 for an unknown schedule or card, 409 for an archived card, 401 without a key', async () => {
      for (const [method, url] of [
        ['GET', '/schedules/pcs-nope-000000'],
        ['POST', '/schedules/pcs-nope-000000/pause'],
        ['POST', '/schedules/pcs-nope-000000/unpause'],
        ['POST', '/schedules/pcs-nope-000000/trigger'],
        ['DELETE', '/schedules/pcs-nope-000000'],
      ] as const) {
        const response = await call({ method, url });
        expect(response.status, `${method} ${url}`).toBe(404);
        expect(response.json().message).toBe('No schedule with id "pcs-nope-000000".');
      }
      expect((await create({ cardId: 'no-such-card', every: '1h' })).status).toBe(404);
      const archived = storeCard(h.database.db, card('sched-input-archived')).cardId;
      archiveCard(h.database.db, archived);
      expect((await create({ cardId: archived, every: '1h' })).status).toBe(409);
      const anonymous = await call({ method: 'POST', url: '/schedules', payload: { cardId }, key: false });
      expect(anonymous.status).toBe(401);
    });
  });

  describe('pcs schedule', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'pcs-schedule-cli-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const pcs = (...args: string[]) =>
      runCli(['schedule', ...args], {
        TEMPORAL_ADDRESS: h.env.address,
        PCS_TASK_QUEUE: h.taskQueue,
        PCS_DATA_DIR: dir,
        PCS_DB_FILE: h.dbFile,
        LOG_LEVEL: 'warn',
      });

    it('creates a schedule from a card file, lists it, pauses it with a note and shows it', {
      timeout: CLI_TEST_TIMEOUT,
    }, async () => {
      const file = path.join(dir, 'cli-card.yaml');
      writeFileSync(file, card('sched-cli'));

      const created = await pcs('create', file, '--cron', '0 3 * * *', '--tz', 'Europe/Paris', '-r', '2');
      expect(created.stderr).toMatch(/card sched-cli v1 \(new version\)/);
      expect(created.code).toBe(0);
      const id = created.stdout.trim();
      expect(id).toMatch(/^pcs-sched-cli-[0-9a-f]{6}$/);

      const listed = await pcs('list', '--card', 'sched-cli');
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(id);
      expect(listed.stdout).toMatch(/cron 0 3 \* \* \* \(Europe\/Paris\)/);
      expect(listed.stdout).toContain('active');

      const paused = await pcs('pause', id, '--note', 'release freeze');
      expect(paused.code).toBe(0);
      const shown = await pcs('show', id);
      expect(shown.stdout).toContain('state: paused (release freeze)');
      expect(shown.stdout).toContain('repeat=2');
      expect((await h.env.client.schedule.getHandle(id).describe()).state.paused).toBe(true);
    });

    it('exits 2 naming the flag for a bad timetable, and for an unknown schedule', {
      timeout: CLI_TEST_TIMEOUT,
    }, async () => {
      const file = path.join(dir, 'cli-card.yaml');
      const noTiming = await pcs('create', file);
      expect(noTiming.code).toBe(2);
      expect(noTiming.stderr).toMatch(/--cron: give cron/);
      const unknown = await pcs('pause', 'pcs-nope-000000');
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('No schedule with id "pcs-nope-000000".');
    });
  });
});

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
