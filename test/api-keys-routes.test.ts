import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../db/client.ts';
import { createApiKey, hashApiKey, revokeApiKey } from '../db/queries/api-keys.ts';
import { buildApi } from './helpers/api.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

let h: SuiteHarness;
let app: FastifyInstance;
let dir: string;

beforeAll(async () => {
  h = await createSuiteHarness();
  app = await buildApi(h);
  createApiKey(h.database.db, 'keys-test');
  dir = mkdtempSync(path.join(tmpdir(), 'pcs-keys-routes-'));
});

afterAll(async () => {
  await app?.close();
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

function postKey(target: FastifyInstance, name: string, headers: Record<string, string> = {}) {
  return target.inject({ method: 'POST', url: '/keys', headers, payload: { name } });
}

function postCard(target: FastifyInstance, name: string, headers: Record<string, string>) {
  const payload = { name, prompt: { template: 'Hello' }, models: ['echo'], cases: [{ name: 'one' }] };
  return target.inject({ method: 'POST', url: '/cards', headers, payload });
}

/** A key made through the API on the shared database, where a live key already exists. */
async function newKey(name: string): Promise<{ id: number; key: string }> {
  const admin = createApiKey(h.database.db, `admin-for-${name}`);
  const res = await postKey(app, name, bearer(admin.key));
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

let fresh = 0;

/** The API on its own new database file: no key exists yet. */
async function freshInstall(): Promise<{ api: FastifyInstance; database: Db; close(): Promise<void> }> {
  const database = openDatabase(path.join(dir, `fresh-${++fresh}.sqlite`));
  const api = await buildApi(h, { db: database.db });
  return {
    api,
    database,
    close: async () => {
      await api.close();
      database.close();
    },
  };
}

describe('bootstrap: the first key needs no key', () => {
  it('creates the first key without credentials, then asks for a key', async () => {
    const install = await freshInstall();
    try {
      const first = await postKey(install.api, 'dashboard');
      expect(first.statusCode, first.body).toBe(201);
      const created = first.json();
      expect(created).toMatchObject({ id: 1, name: 'dashboard', revokedAt: null });
      expect(created.key).toMatch(/^pcs_[\w-]{20,}$/);
      expect(created.prefix).toBe(created.key.slice(0, 10));

      const second = await postKey(install.api, 'sneaky');
      expect(second.statusCode).toBe(401);
      expect(second.json()).toMatchObject({ error: 'Unauthorized' });

      expect((await postKey(install.api, 'ci', bearer(created.key))).statusCode).toBe(201);
      expect((await postCard(install.api, 'bootstrapped', bearer(created.key))).statusCode).toBe(201);
    } finally {
      await install.close();
    }
  });

  it('refuses a keyless first key to a page that rebinds its own host name to this address', async () => {
    const install = await freshInstall();
    try {
      const rebound = await postKey(install.api, 'stolen', { host: 'attacker.example' });
      expect(rebound.statusCode).toBe(403);
      expect(rebound.json().message).toContain('only on this machine');
      expect((await postKey(install.api, 'local', { host: '127.0.0.1:3000' })).statusCode).toBe(201);
    } finally {
      await install.close();
    }
  });

  it('lets only one of two racing requests create the first key', async () => {
    const install = await freshInstall();
    try {
      const replies = await Promise.all([postKey(install.api, 'a'), postKey(install.api, 'b')]);
      expect(replies.map((r) => r.statusCode).sort()).toEqual([201, 401]);
    } finally {
      await install.close();
    }
  });

  it('still checks a key that is sent, and reopens only once every key is revoked', async () => {
    const install = await freshInstall();
    try {
      const wrong = await postKey(install.api, 'x', bearer('pcs_not-a-real-key'));
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ error: 'Unauthorized', message: 'Unknown API key.' });

      const old = createApiKey(install.database.db, 'old');
      const other = createApiKey(install.database.db, 'other');
      revokeApiKey(install.database.db, old.id);
      expect((await postKey(install.api, 'x')).statusCode).toBe(401);

      revokeApiKey(install.database.db, other.id);
      const revoked = await postKey(install.api, 'x', bearer(old.key));
      expect(revoked.statusCode).toBe(403);
      expect(revoked.json()).toEqual({ error: 'Forbidden', message: 'This API key has been revoked.' });
      expect((await postKey(install.api, 'again')).statusCode).toBe(201);
    } finally {
      await install.close();
    }
  });
});

describe('keys API once keys exist', () => {
  it('needs a key on every route', async () => {
    const calls = [
      { method: 'POST', url: '/keys', payload: { name: 'x' } },
      { method: 'GET', url: '/keys' },
      { method: 'DELETE', url: '/keys/1' },
    ] as const;
    for (const call of calls) {
      const res = await app.inject(call);
      expect(res.statusCode, `${call.method} ${call.url}`).toBe(401);
      expect(res.json()).toMatchObject({ error: 'Unauthorized' });
    }
  });

  it('creates a key that works for writes, trimming its name', async () => {
    const created = await newKey('  ci  ');
    expect(created).toMatchObject({ name: 'ci' });
    expect((await postCard(app, 'made-with-api-key', bearer(created.key))).statusCode).toBe(201);
  });

  it('rejects a blank or missing name with the field path', async () => {
    const { key } = createApiKey(h.database.db, 'validator');
    const blank = await postKey(app, '   ', bearer(key));
    expect(blank.statusCode).toBe(400);
    expect(blank.json().issues[0].path).toBe('body.name');
    const missing = await app.inject({ method: 'POST', url: '/keys', headers: bearer(key), payload: {} });
    expect(missing.json().issues).toEqual([{ path: 'body.name', message: 'is required' }]);
  });

  it('lists keys in pages without their secrets or hashes', async () => {
    const made = [await newKey('list-a'), await newKey('list-b')];
    const { key } = createApiKey(h.database.db, 'lister');
    const all = await app.inject({ method: 'GET', url: '/keys?limit=200', headers: bearer(key) });
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body).toMatchObject({ limit: 200, offset: 0, total: body.items.length });
    for (const item of body.items) {
      expect(Object.keys(item).sort()).toEqual(['createdAt', 'id', 'name', 'prefix', 'revokedAt']);
    }
    for (const secret of [...made.map((m) => m.key), key]) {
      expect(all.body).not.toContain(secret);
      expect(all.body).not.toContain(hashApiKey(secret));
    }
    expect(body.items.map((k: { name: string }) => k.name)).toEqual(
      expect.arrayContaining(['list-a', 'list-b']),
    );

    const page = await app.inject({ method: 'GET', url: '/keys?limit=1&offset=1', headers: bearer(key) });
    expect(page.json()).toMatchObject({ limit: 1, offset: 1, total: body.total, items: [body.items[1]] });
  });

  it('revokes a key: 204, then 403 for it, and revokedAt in the list', async () => {
    const victim = await newKey('to-revoke');
    const { key } = createApiKey(h.database.db, 'revoker');
    const res = await app.inject({ method: 'DELETE', url: `/keys/${victim.id}`, headers: bearer(key) });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');

    const after = await postCard(app, 'after-revoke', bearer(victim.key));
    expect(after.statusCode).toBe(403);
    const listed = await app.inject({ method: 'GET', url: '/keys?limit=200', headers: bearer(key) });
    const row = listed.json().items.find((k: { id: number }) => k.id === victim.id);
    expect(row.revokedAt).toEqual(expect.any(Number));

    const again = await app.inject({ method: 'DELETE', url: `/keys/${victim.id}`, headers: bearer(key) });
    expect(again.statusCode).toBe(204);
  });

  it('lets a key revoke itself', async () => {
    const self = await newKey('self');
    const res = await app.inject({ method: 'DELETE', url: `/keys/${self.id}`, headers: bearer(self.key) });
    expect(res.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/keys', headers: bearer(self.key) })).statusCode).toBe(
      403,
    );
  });

  it('answers 404 for an unknown id', async () => {
    const { key } = createApiKey(h.database.db, 'finder');
    const res = await app.inject({ method: 'DELETE', url: '/keys/999999', headers: bearer(key) });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not Found', message: 'No API key with id 999999.' });
  });

  it('documents that POST /keys may go without a key', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    expect(doc.paths['/keys'].post.security).toEqual([{ apiKey: [] }, {}]);
    expect(doc.paths['/keys'].get.security).toEqual([{ apiKey: [] }]);
    expect(doc.paths['/keys'].post.tags).toEqual(['keys']);
  });
});
