import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { openDatabase } from '../db/client.ts';
import { createApiKey, revokeApiKey } from '../db/queries/api-keys.ts';
import { buildApi } from './helpers/api.ts';
import { runCli } from './helpers/cli.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

let h: SuiteHarness;
let app: FastifyInstance;
let keyedReadsApp: FastifyInstance;

beforeAll(async () => {
  h = await createSuiteHarness();
  app = await buildApi(h);
  keyedReadsApp = await buildApi(h, { http: { ...loadConfig({}).http, readsRequireKey: true } });
});

afterAll(async () => {
  await Promise.all([app?.close(), keyedReadsApp?.close()]);
  await h?.close();
});

const card = (name: string) => ({
  name,
  prompt: { template: 'Hello' },
  models: ['echo'],
  cases: [{ name: 'one' }],
});

function postCard(target: FastifyInstance, name: string, headers: Record<string, string> = {}) {
  return target.inject({ method: 'POST', url: '/cards', headers, payload: card(name) });
}

describe('writes need a live API key', () => {
  it('answers 401 without a key, and stores nothing', async () => {
    const res = await postCard(app, 'no-key');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      error: 'Unauthorized',
      message: 'An API key is required: send Authorization: Bearer <key>.',
    });
    expect((await app.inject({ method: 'GET', url: '/cards/no-key' })).statusCode).toBe(404);
  });

  it('answers 401 for an unknown key', async () => {
    const res = await postCard(app, 'unknown-key', { authorization: 'Bearer pcs_not-a-real-key' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'Unauthorized', message: 'Unknown API key.' });
  });

  it('answers 403 for a revoked key, on create and on archive', async () => {
    const live = createApiKey(h.database.db, 'soon-revoked');
    const headers = { authorization: `Bearer ${live.key}` };
    expect((await postCard(app, 'revoked-key', headers)).statusCode).toBe(201);
    expect(revokeApiKey(h.database.db, live.id)).toBe(true);

    const create = await postCard(app, 'revoked-key-2', headers);
    expect(create.statusCode).toBe(403);
    expect(create.json()).toEqual({ error: 'Forbidden', message: 'This API key has been revoked.' });
    const archive = await app.inject({ method: 'DELETE', url: '/cards/revoked-key', headers });
    expect(archive.statusCode).toBe(403);
    expect(
      (await app.inject({ method: 'GET', url: '/cards/revoked-key' })).json().card.archivedAt,
    ).toBeNull();
  });

  it('accepts a live key as a Bearer token or as X-API-Key', async () => {
    const { key } = createApiKey(h.database.db, 'live');
    expect((await postCard(app, 'bearer-key', { authorization: `Bearer ${key}` })).statusCode).toBe(201);
    expect((await postCard(app, 'header-key', { 'x-api-key': key })).statusCode).toBe(201);
  });
});

describe('reads', () => {
  it('are open by default', async () => {
    expect((await app.inject({ method: 'GET', url: '/cards' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/cards/bearer-key' })).statusCode).toBe(200);
    const validate = await app.inject({ method: 'POST', url: '/cards/validate', payload: card('x') });
    expect(validate.json()).toEqual({ valid: true });
  });

  it('need a live key when http.readsRequireKey is set', async () => {
    const { key, id } = createApiKey(h.database.db, 'reader');
    const noKey = await keyedReadsApp.inject({ method: 'GET', url: '/cards' });
    expect(noKey.statusCode).toBe(401);
    const detail = await keyedReadsApp.inject({ method: 'GET', url: '/cards/bearer-key' });
    expect(detail.statusCode).toBe(401);
    const withKey = await keyedReadsApp.inject({
      method: 'GET',
      url: '/cards',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(withKey.statusCode).toBe(200);
    revokeApiKey(h.database.db, id);
    const revoked = await keyedReadsApp.inject({
      method: 'GET',
      url: '/cards',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(revoked.statusCode).toBe(403);
  });

  it('are documented as keyed only when they are', async () => {
    const open = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const keyed = (await keyedReadsApp.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(open.paths['/cards'].get.security ?? []).toEqual([]);
    expect(keyed.paths['/cards'].get.security).toEqual([{ apiKey: [] }]);
    expect(open.paths['/cards'].post.security).toEqual([{ apiKey: [] }]);
  });
});

// Each CLI invocation is a fresh Node process loading the whole CLI through tsx: seconds apiece on a busy box.
const CLI_TEST_TIMEOUT = 180_000;

describe('pcs keys', () => {
  let dir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pcs-keys-'));
    env = { PCS_DB_FILE: path.join(dir, 'pcs.sqlite') };
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'creates a key that the API accepts, lists it and revokes it',
    async () => {
      const created = await runCli(['keys', 'create', 'ci'], env);
      expect(created.code, created.stderr).toBe(0);
      const key = created.stdout.trim();
      expect(key).toMatch(/^pcs_[\w-]{20,}$/);
      expect(created.stderr).toContain('shown only this once');

      const database = openDatabase(env.PCS_DB_FILE as string);
      const cliApp = await buildApi(h, { db: database.db });
      try {
        const headers = { authorization: `Bearer ${key}` };
        expect((await postCard(cliApp, 'from-cli-key', headers)).statusCode).toBe(201);

        const listed = await runCli(['keys', 'list'], env);
        expect(listed.code).toBe(0);
        expect(listed.stdout).toContain('ci');
        expect(listed.stdout).toContain(key.slice(0, 10));
        expect(listed.stdout).not.toContain(key);

        const revoked = await runCli(['keys', 'revoke', '1'], env);
        expect(revoked.code, revoked.stderr).toBe(0);
        expect(revoked.stdout).toContain('Revoked API key 1');
        expect((await postCard(cliApp, 'after-revoke', headers)).statusCode).toBe(403);
      } finally {
        await cliApp.close();
        database.close();
      }
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'exits 2 with a clear message for an unknown or already revoked key, or a bad argument',
    async () => {
      const [again, unknown, notANumber, noName] = await Promise.all([
        runCli(['keys', 'revoke', '1'], env),
        runCli(['keys', 'revoke', '999'], env),
        runCli(['keys', 'revoke', 'abc'], env),
        runCli(['keys', 'create', ' '], env),
      ]);
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/API key 1 \("ci"\) was already revoked at \d{4}-/);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('There is no API key 999; see pcs keys list.');
      expect(notANumber.code).toBe(2);
      expect(notANumber.stderr).toContain('must be a whole number');
      expect(noName.code).toBe(2);
      expect(noName.stderr).toContain('The key needs a name');
    },
    CLI_TEST_TIMEOUT,
  );
});
