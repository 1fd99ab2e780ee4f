import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { createApiKey } from '../db/queries/api-keys.ts';
import { buildApi } from './helpers/api.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

let h: SuiteHarness;
let app: FastifyInstance;
let auth: { authorization: string };

beforeAll(async () => {
  h = await createSuiteHarness();
  app = await buildApi(h);
  auth = { authorization: `Bearer ${createApiKey(h.database.db, 'cards-test').key}` };
});

afterAll(async () => {
  await app?.close();
  await h?.close();
});

function cardJson(name: string, overrides: Record<string, unknown> = {}) {
  return {
    name,
    description: `Card ${name}`,
    prompt: { template: 'Hello {{ who }}' },
    models: ['echo'],
    cases: [{ name: 'greets', vars: { who: 'Ada' }, assert: [{ type: 'contains', value: 'Ada' }] }],
    ...overrides,
  };
}

function postCard(payload: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url: '/cards',
    headers: { ...auth, ...headers },
    payload: payload as object,
  });
}

function postYaml(url: string, text: string): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    headers: { ...auth, 'content-type': 'application/yaml' },
    payload: text,
  });
}

const INVALID_YAML = `name: yaml-card
prompt:
  template: "Hi {{ who }}"
models: [echo]
cases:
  - name: one
    vars: { who: x }
    assert:
      - { type: containz, value: Hi }
  - vars: { who: y }
`;

describe('POST /cards', () => {
  it('stores a JSON card as version 1 and answers 201 with the card and version', async () => {
    const res = await postCard(cardJson('json-card'));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      created: true,
      card: { id: 'json-card', name: 'json-card', description: 'Card json-card', latestVersion: 1 },
      version: { version: 1 },
    });
    expect(body.card.archivedAt).toBeNull();
    expect(body.version.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stores a new version only when the content changes', async () => {
    const first = await postCard(cardJson('versioned'));
    const again = await postCard(cardJson('versioned'));
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      created: false,
      version: { id: first.json().version.id, version: 1 },
    });

    const changed = await postCard(cardJson('versioned', { description: 'Second take' }));
    expect(changed.statusCode).toBe(201);
    expect(changed.json()).toMatchObject({
      created: true,
      version: { version: 2 },
      card: { latestVersion: 2 },
    });

    const detail = (await app.inject({ method: 'GET', url: '/cards/versioned' })).json();
    expect(detail.card.description).toBe('Second take');
    expect(detail.latest).toMatchObject({ version: 2, spec: { description: 'Second take' } });
    expect(JSON.parse(detail.latest.source)).toEqual(cardJson('versioned', { description: 'Second take' }));
    expect(detail.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const v1 = await app.inject({ method: 'GET', url: '/cards/versioned/versions/1' });
    expect(v1.statusCode).toBe(200);
    expect(v1.json()).toMatchObject({
      cardId: 'versioned',
      version: 1,
      spec: { description: 'Card versioned' },
    });
    const v9 = await app.inject({ method: 'GET', url: '/cards/versioned/versions/9' });
    expect(v9.statusCode).toBe(404);
    expect(v9.json().message).toContain('no version 9');
  });

  it('stores a YAML card with its text as the source', async () => {
    const yaml = 'name: yaml-ok\nprompt: { template: "Hi" }\nmodels: [echo]\ncases:\n  - name: one\n';
    const res = await postYaml('/cards', yaml);
    expect(res.statusCode).toBe(201);
    const detail = (await app.inject({ method: 'GET', url: '/cards/yaml-ok' })).json();
    expect(detail.latest.source).toBe(yaml);
    expect(detail.latest.spec).toMatchObject({ name: 'yaml-ok', cases: [{ name: 'one' }] });
  });

  it('rejects an invalid YAML card with every problem, its field path and line', async () => {
    const res = await postYaml('/cards', INVALID_YAML);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('Bad Request');
    expect(body.issues).toEqual([
      expect.objectContaining({ path: 'body.cases[0].assert[0].type', line: 9, column: 17 }),
      { path: 'body.cases[1].name', message: 'is required', line: 10, column: 5 },
    ]);
    expect(body.issues[0].message).toContain('did you mean "contains"?');
    expect(body.message).toContain('line 10: body.cases[1].name is required');
    expect((await app.inject({ method: 'GET', url: '/cards/yaml-card' })).statusCode).toBe(404);
  });

  it('reports a YAML syntax error at its line', async () => {
    const res = await postYaml('/cards', 'name: broken\nprompt: [\n');
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([expect.objectContaining({ path: 'body', line: 3 })]);
    expect(res.json().issues[0].message).toMatch(/^YAML syntax error/);
  });

  it('rejects an invalid JSON card with the exact field paths', async () => {
    const card = cardJson('bad-json', {
      cases: [{ vars: {} }, { name: 'b', assert: [{ type: 'nope' }] }],
    });
    const res = await postCard(card);
    expect(res.statusCode).toBe(400);
    const issues = res.json().issues as { path: string; message: string; line?: number }[];
    expect(issues.map((i) => i.path)).toEqual(['body.cases[0].name', 'body.cases[1].assert[0].type']);
    expect(issues[0]).toEqual({ path: 'body.cases[0].name', message: 'is required' });
  });

  it('rejects a JSON body that is not an object by its schema, with the path `body`', async () => {
    const res = await postCard(['not', 'a', 'card']);
    expect(res.statusCode).toBe(400);
    expect(res.json().issues).toEqual([{ path: 'body', message: 'must be object' }]);
  });

  it('answers 413 with the limit for a body over it, and 415 for an unknown content type', async () => {
    const big = `name: big\ndescription: "${'x'.repeat((1 << 20) + 10)}"\n`;
    const tooLarge = await postYaml('/cards', big);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toEqual({
      error: 'Payload Too Large',
      message: 'The request body is larger than the limit of 1048576 bytes (1 MiB).',
    });

    const plain = await app.inject({
      method: 'POST',
      url: '/cards',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'name: x',
    });
    expect(plain.statusCode).toBe(415);
    expect(plain.json().error).toBe('Unsupported Media Type');
    expect(plain.json().message).toContain('"text/plain" is not supported by POST /cards');
  });
});

describe('POST /cards/validate', () => {
  it('answers valid: true without storing anything', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/cards/validate',
      payload: cardJson('never-stored'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ valid: true });
    expect((await app.inject({ method: 'GET', url: '/cards/never-stored' })).statusCode).toBe(404);
  });

  it('answers 200 with the issues of an invalid card', async () => {
    const res = await postYaml('/cards/validate', INVALID_YAML);
    expect(res.statusCode).toBe(200);
    expect(res.json().valid).toBe(false);
    expect(res.json().issues.map((i: { line: number }) => i.line)).toEqual([9, 10]);
  });
});

describe('GET /cards', () => {
  beforeAll(async () => {
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d']) await postCard(cardJson(name));
    await postCard(cardJson('percent-card', { description: '100% routing' }));
  });

  it('pages through cards, most recently updated first, with the total', async () => {
    const first = (await app.inject({ method: 'GET', url: '/cards?search=page-&limit=3' })).json();
    expect(first).toMatchObject({ total: 4, limit: 3, offset: 0 });
    expect(first.items.map((c: { name: string }) => c.name)).toEqual(['page-d', 'page-c', 'page-b']);
    const second = (await app.inject({ method: 'GET', url: '/cards?search=page-&limit=3&offset=3' })).json();
    expect(second).toMatchObject({ total: 4, limit: 3, offset: 3 });
    expect(second.items.map((c: { name: string }) => c.name)).toEqual(['page-a']);
  });

  it('defaults to 50 per page from offset 0', async () => {
    const res = (await app.inject({ method: 'GET', url: '/cards' })).json();
    expect(res).toMatchObject({ limit: 50, offset: 0 });
    expect(res.total).toBe(res.items.length);
  });

  it('searches names and descriptions, case-insensitively, with % taken literally', async () => {
    const byDescription = (await app.inject({ method: 'GET', url: '/cards?search=CARD%20PAGE-B' })).json();
    expect(byDescription.items.map((c: { name: string }) => c.name)).toEqual(['page-b']);
    const literal = (await app.inject({ method: 'GET', url: '/cards?search=100%25' })).json();
    expect(literal.items.map((c: { name: string }) => c.name)).toEqual(['percent-card']);
    const none = (await app.inject({ method: 'GET', url: '/cards?search=zzz-nothing' })).json();
    expect(none).toMatchObject({ items: [], total: 0 });
  });

  it('rejects a limit over 200 or under 1 with the path query.limit, and bad params by their path', async () => {
    const over = await app.inject({ method: 'GET', url: '/cards?limit=201' });
    expect(over.statusCode).toBe(400);
    expect(over.json()).toEqual({
      error: 'Bad Request',
      message: 'query.limit must be <= 200',
      issues: [{ path: 'query.limit', message: 'must be <= 200' }],
    });
    const zero = await app.inject({ method: 'GET', url: '/cards?limit=0' });
    expect(zero.json().issues).toEqual([{ path: 'query.limit', message: 'must be >= 1' }]);
    const word = await app.inject({ method: 'GET', url: '/cards?offset=many' });
    expect(word.json().issues).toEqual([{ path: 'query.offset', message: 'must be integer' }]);
    const version = await app.inject({ method: 'GET', url: '/cards/page-a/versions/latest' });
    expect(version.statusCode).toBe(400);
    expect(version.json().issues).toEqual([{ path: 'params.version', message: 'must be integer' }]);
  });
});

describe('DELETE /cards/:id', () => {
  it('archives: 204, hidden from the list unless includeArchived, still readable by id', async () => {
    await postCard(cardJson('to-archive'));
    const res = await app.inject({ method: 'DELETE', url: '/cards/to-archive', headers: auth });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');

    const listed = (await app.inject({ method: 'GET', url: '/cards?search=to-archive' })).json();
    expect(listed.total).toBe(0);
    const withArchived = (
      await app.inject({ method: 'GET', url: '/cards?search=to-archive&includeArchived=true' })
    ).json();
    expect(withArchived.items).toEqual([
      expect.objectContaining({ id: 'to-archive', archivedAt: expect.any(Number) }),
    ]);
    const detail = await app.inject({ method: 'GET', url: '/cards/to-archive' });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().card.archivedAt).toEqual(expect.any(Number));

    expect((await app.inject({ method: 'DELETE', url: '/cards/to-archive', headers: auth })).statusCode).toBe(
      204,
    );
  });

  it('brings an archived card back when it is stored again', async () => {
    await postCard(cardJson('comeback'));
    await app.inject({ method: 'DELETE', url: '/cards/comeback', headers: auth });
    const again = await postCard(cardJson('comeback'));
    expect(again.json()).toMatchObject({ created: false, card: { archivedAt: null } });
    expect((await app.inject({ method: 'GET', url: '/cards?search=comeback' })).json().total).toBe(1);
  });

  it('answers 404 for an unknown card', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/cards/no-such-card', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not Found', message: 'No card with id "no-such-card".' });
    expect((await app.inject({ method: 'GET', url: '/cards/no-such-card' })).statusCode).toBe(404);
  });
});

describe('errors', () => {
  it('answers an unknown route with a JSON 404', async () => {
    const res = await app.inject({ method: 'GET', url: '/no/such/route?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not Found', message: 'No route for GET /no/such/route' });
  });

  it('never leaks the details of a 5xx', async () => {
    // A real failure, not a test hook: the API's database handle is closed under it.
    const dir = mkdtempSync(path.join(tmpdir(), 'pcs-api-5xx-'));
    const broken = openDatabase(path.join(dir, 'pcs.sqlite'));
    const brokenApp = await buildApi(h, { db: broken.db });
    try {
      broken.close();
      const res = await brokenApp.inject({ method: 'GET', url: '/cards' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'Internal Server Error', message: 'Something went wrong.' });
      expect(res.body).not.toMatch(/database|sqlite|stack|\.ts/i);
    } finally {
      await brokenApp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('OpenAPI', () => {
  it('publishes an OpenAPI 3 document at /docs/json with the cards paths, tags and responses', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: 'Prompt Card System API', version: expect.any(String) });
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/cards', '/cards/validate', '/cards/{id}', '/cards/{id}/versions/{version}']),
    );
    expect(Object.keys(doc.paths['/cards']).sort()).toEqual(['get', 'post']);
    expect(doc.paths['/cards'].post.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(doc.paths['/cards'].post.requestBody.content)).toEqual(
      expect.arrayContaining(['application/json', 'application/yaml']),
    );
    expect(doc.paths['/cards/{id}'].delete.responses['204']).toBeDefined();
    const cardResponses = Object.entries(doc.paths)
      .filter(([url]) => url.startsWith('/cards'))
      .flatMap(([, item]) => Object.values(item as Record<string, { responses: object }>))
      .flatMap((op) => Object.values(op.responses) as { description: string }[]);
    expect(cardResponses.map((r) => r.description)).not.toContain('Default Response');

    // Every operation of every route module: tags, a summary, and a described response per status.
    const operations = Object.entries(doc.paths).flatMap(([url, item]) =>
      Object.entries(item as Record<string, { tags?: string[]; summary?: string; responses?: object }>).map(
        ([method, op]) => ({ route: `${method.toUpperCase()} ${url}`, ...op }),
      ),
    );
    expect(operations.length).toBeGreaterThan(5);
    for (const op of operations) {
      expect(op.tags, op.route).toEqual([expect.any(String)]);
      expect(op.summary, op.route).toEqual(expect.any(String));
      const responses = Object.values(op.responses ?? {}) as { description?: string }[];
      expect(responses.length, op.route).toBeGreaterThan(0);
      for (const response of responses) expect(response.description, op.route).toEqual(expect.any(String));
    }
    const declared = new Set((doc.tags as { name: string }[]).map((t) => t.name));
    for (const op of operations) expect(declared, `${op.route} tag`).toContain(op.tags?.[0]);
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
  });
});
