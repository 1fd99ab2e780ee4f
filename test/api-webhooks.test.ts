import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../core/webhook-signature.ts';
import { createApiKey } from '../db/queries/api-keys.ts';
import { buildApi } from './helpers/api.ts';
import { type HttpReceiver, startHttpReceiver } from './helpers/http-receiver.ts';
import { closedPort } from './helpers/ports.ts';
import { createSuiteHarness, nextTaskQueue, type SuiteHarness } from './helpers/suite.ts';

const ECHO_CARD = `
name: webhook-events
prompt: { template: "Say {{ word }}" }
models: [echo]
cases:
  - { name: one, vars: { word: alpha }, assert: [{ type: contains, value: alpha }] }
`;

describe('webhooks API', () => {
  let h: SuiteHarness;
  let receiver: HttpReceiver;
  let app: FastifyInstance;
  let auth: { authorization: string };

  beforeAll(async () => {
    [h, receiver] = await Promise.all([createSuiteHarness(), startHttpReceiver()]);
    app = await buildApi(h);
    auth = { authorization: `Bearer ${createApiKey(h.database.db, 'webhooks-test').key}` };
  });
  afterAll(async () => {
    await Promise.allSettled([app?.close(), receiver?.close()]);
    await h?.close();
  });
  beforeEach(() => {
    receiver.reset();
  });

  async function create(body: Record<string, unknown>) {
    return app.inject({ method: 'POST', url: '/webhooks', headers: auth, payload: body });
  }

  it('needs an API key for every route, reads included', async () => {
    const calls = [
      { method: 'POST', url: '/webhooks', payload: { url: receiver.url } },
      { method: 'GET', url: '/webhooks' },
      { method: 'GET', url: '/webhooks/1' },
      { method: 'DELETE', url: '/webhooks/1' },
      { method: 'POST', url: '/webhooks/1/test' },
      { method: 'GET', url: '/webhooks/1/deliveries' },
    ] as const;
    for (const call of calls) {
      const res = await app.inject(call);
      expect(res.statusCode, `${call.method} ${call.url}`).toBe(401);
      expect(res.json()).toMatchObject({ error: 'Unauthorized' });
    }
    const wrongKey = await app.inject({
      method: 'GET',
      url: '/webhooks',
      headers: { authorization: 'Bearer pcs_not-a-key' },
    });
    expect(wrongKey.statusCode).toBe(401);
  });

  it('generates a secret, shows it once, and never again', async () => {
    const res = await create({ url: receiver.url });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      url: receiver.url,
      events: ['run.completed', 'run.failed', 'run.cancelled', 'run.regression'],
      format: 'json',
      enabled: true,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(res.headers.location).toBe(`/webhooks/${created.id}`);

    const one = await app.inject({ method: 'GET', url: `/webhooks/${created.id}`, headers: auth });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ ...created, secret: undefined });
    expect(one.body).not.toContain(created.secret);
    const list = await app.inject({ method: 'GET', url: '/webhooks', headers: auth });
    expect(list.body).not.toContain(created.secret);
    expect(list.json().items.every((w: Record<string, unknown>) => !('secret' in w))).toBe(true);
  });

  it('keeps a secret the user chose without echoing it', async () => {
    const secret = 'my-own-secret-0123456789';
    const res = await create({ url: `${receiver.url}?own`, events: ['run.failed'], secret });
    expect(res.statusCode).toBe(201);
    expect(res.json()).not.toHaveProperty('secret');
    expect(res.json().events).toEqual(['run.failed']);
    expect(res.body).not.toContain(secret);
  });

  it('takes a Slack or Discord format, lists it, and pings in that format', async () => {
    const slack = (
      await create({ url: `${receiver.url}?slack`, format: 'slack', events: ['run.regression'] })
    ).json();
    const discord = (await create({ url: `${receiver.url}?discord`, format: 'discord' })).json();
    expect(slack).toMatchObject({ format: 'slack', events: ['run.regression'] });
    const listed = (await app.inject({ method: 'GET', url: '/webhooks?limit=200', headers: auth })).json();
    expect(listed.items.find((w: { id: number }) => w.id === discord.id)).toMatchObject({
      format: 'discord',
    });

    await app.inject({ method: 'POST', url: `/webhooks/${slack.id}/test`, headers: auth });
    await app.inject({ method: 'POST', url: `/webhooks/${discord.id}/test`, headers: auth });
    const [slackPing, discordPing] = receiver.requests;
    expect(JSON.parse(slackPing?.body ?? '{}')).toEqual({
      text: expect.stringContaining(`webhook ${slack.id}`),
    });
    expect(JSON.parse(discordPing?.body ?? '{}')).toEqual({
      content: expect.stringContaining('test message'),
      allowed_mentions: { parse: [] },
    });
    const signature = String(slackPing?.headers['x-pcs-signature']);
    expect(verifyWebhookSignature(slack.secret, signature, slackPing?.body ?? '')).toBe(true);
  });

  it('rejects a URL that is not http(s), an unknown event, an unknown format and a short secret', async () => {
    for (const body of [
      { url: receiver.url, format: 'teams' },
      { url: 'ftp://example.com/hook' },
      { url: 'not a url' },
      { url: receiver.url, events: ['run.exploded'] },
      { url: receiver.url, events: [] },
      { url: receiver.url, secret: 'short' },
    ]) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ error: expect.any(String), message: expect.any(String) });
    }
  });

  it('lists webhooks a page at a time', async () => {
    for (const n of [1, 2, 3]) await create({ url: `${receiver.url}?page=${n}` });
    const all = (await app.inject({ method: 'GET', url: '/webhooks?limit=200', headers: auth })).json();
    const page = await app.inject({ method: 'GET', url: '/webhooks?limit=2&offset=1', headers: auth });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toEqual({ items: all.items.slice(1, 3), total: all.total, limit: 2, offset: 1 });
    expect(all.total).toBeGreaterThanOrEqual(3);
  });

  it('sends a signed ping the receiver can verify, and logs every attempt', async () => {
    const created = (await create({ url: receiver.url })).json();
    const ping = await app.inject({ method: 'POST', url: `/webhooks/${created.id}/test`, headers: auth });
    expect(ping.statusCode).toBe(200);
    expect(ping.json()).toMatchObject({ ok: true, statusCode: 200, durationMs: expect.any(Number) });

    const [received] = receiver.requests;
    expect(receiver.requests).toHaveLength(1);
    expect(received?.headers['x-pcs-event']).toBe('ping');
    const signature = String(received?.headers['x-pcs-signature']);
    expect(verifyWebhookSignature(created.secret, signature, received?.body ?? '')).toBe(true);
    expect(verifyWebhookSignature('some-other-secret-123', signature, received?.body ?? '')).toBe(false);
    expect(JSON.parse(received?.body ?? '{}')).toMatchObject({ event: 'ping', webhookId: created.id });

    receiver.respondWith(() => ({ status: 500, body: 'receiver broke' }));
    const failed = await app.inject({ method: 'POST', url: `/webhooks/${created.id}/test`, headers: auth });
    expect(failed.json()).toMatchObject({ ok: false, statusCode: 500, error: 'HTTP 500: receiver broke' });

    const log = await app.inject({ method: 'GET', url: `/webhooks/${created.id}/deliveries`, headers: auth });
    expect(log.statusCode).toBe(200);
    expect(log.json()).toMatchObject({ total: 2, limit: 50, offset: 0 });
    expect(log.json().items).toMatchObject([
      { event: 'ping', attempt: 1, ok: false, statusCode: 500, runId: null },
      { event: 'ping', attempt: 1, ok: true, statusCode: 200, error: null, runId: null },
    ]);
  });

  it('reports a receiver that is down as a failed ping, not an API error', async () => {
    const created = (await create({ url: `http://127.0.0.1:${await closedPort()}/hooks` })).json();
    const ping = await app.inject({ method: 'POST', url: `/webhooks/${created.id}/test`, headers: auth });
    expect(ping.statusCode).toBe(200);
    expect(ping.json()).toMatchObject({ ok: false, error: expect.stringContaining('ECONNREFUSED') });
    expect(ping.json()).not.toHaveProperty('statusCode');
  });

  it('deletes a webhook: 204, then 404 everywhere', async () => {
    const { id } = (await create({ url: `${receiver.url}?delete-me` })).json();
    const del = await app.inject({ method: 'DELETE', url: `/webhooks/${id}`, headers: auth });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    for (const [method, url] of [
      ['DELETE', `/webhooks/${id}`],
      ['GET', `/webhooks/${id}`],
      ['POST', `/webhooks/${id}/test`],
      ['GET', `/webhooks/${id}/deliveries`],
    ] as const) {
      const res = await app.inject({ method, url, headers: auth });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toEqual({ error: 'Not Found', message: `No webhook with id ${id}.` });
    }
  });

  it('posts a run outcome only to the webhooks subscribed to it', async () => {
    await deleteEveryWebhook(app, auth);
    nextTaskQueue(h);
    const completed = (
      await create({ url: `${receiver.url}?to=completed`, events: ['run.completed'] })
    ).json();
    const failedOnly = (await create({ url: `${receiver.url}?to=failed`, events: ['run.failed'] })).json();

    const worker = await h.worker();
    const run = await h.startRun(ECHO_CARD);
    await worker.runUntil(run.handle.result());

    expect(receiver.requests.map((r) => [r.path, r.headers['x-pcs-event']])).toEqual([
      ['/hooks/pcs?to=completed', 'run.completed'],
    ]);
    const deliveries = async (id: number, query = '') =>
      (await app.inject({ method: 'GET', url: `/webhooks/${id}/deliveries${query}`, headers: auth })).json();
    expect((await deliveries(completed.id, `?runId=${run.runId}`)).items).toMatchObject([
      { event: 'run.completed', runId: run.runId, attempt: 1, ok: true, statusCode: 200 },
    ]);
    expect((await deliveries(completed.id, '?runId=another-run')).total).toBe(0);
    expect((await deliveries(failedOnly.id)).total).toBe(0);
  });
});

/** Earlier tests stored webhooks too; the delivery test wants only its own two. */
async function deleteEveryWebhook(app: FastifyInstance, auth: { authorization: string }): Promise<void> {
  const list = (await app.inject({ method: 'GET', url: '/webhooks?limit=200', headers: auth })).json();
  for (const webhook of list.items as { id: number }[]) {
    await app.inject({ method: 'DELETE', url: `/webhooks/${webhook.id}`, headers: auth });
  }
}
