import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  classifyDelivery,
  deliverWebhook,
  ensureDelivered,
  WebhookDeliveryError,
  WebhookRejectedError,
} from '../activities/notify/deliver.ts';
import { signWebhook, verifyWebhookSignature } from '../core/webhook-signature.ts';
import { closedPort } from './helpers/ports.ts';

const SECRET = 'whsec_test_secret';

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What the next request gets back: a status and body, or 'hang' to never answer. */
let reply: { status: number; body?: string } | 'hang' = { status: 204 };
let received: Received[] = [];
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

beforeEach(() => {
  reply = { status: 204 };
  received = [];
});

const payload = { runId: 'run_42', card: 'support-triage', passRate: 0.75, previousPassRate: 0.95 };

function deliver(overrides: Partial<Parameters<typeof deliverWebhook>[0]> = {}) {
  return deliverWebhook({
    url: `${baseUrl}/hooks/pcs`,
    secret: SECRET,
    event: 'run.regressed',
    payload,
    idempotencyKey: 'run_42:run.regressed',
    ...overrides,
  });
}

describe('deliverWebhook against a real HTTP receiver', () => {
  it('POSTs the JSON payload with a signature the receiver can verify', async () => {
    const attempt = await deliver();
    expect(attempt).toMatchObject({ ok: true, statusCode: 204 });
    expect(classifyDelivery(attempt)).toBe('delivered');

    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(JSON.parse(request?.body ?? '')).toEqual(payload);
    const headers = request?.headers ?? {};
    expect(headers['content-type']).toBe('application/json');
    expect(headers['user-agent']).toBe('prompt-card-system');
    expect(headers['x-pcs-event']).toBe('run.regressed');
    expect(headers['x-pcs-idempotency-key']).toBe('run_42:run.regressed');
    const signature = String(headers['x-pcs-signature']);
    expect(signature).toMatch(new RegExp(`^t=${headers['x-pcs-timestamp']},v1=[0-9a-f]{64}$`));

    expect(verifyWebhookSignature(SECRET, signature, request?.body ?? '')).toBe(true);
    expect(verifyWebhookSignature('another-secret', signature, request?.body ?? '')).toBe(false);
    expect(verifyWebhookSignature(SECRET, signature, `${request?.body} `)).toBe(false);
  });

  it('reports a 500 as a retryable failure', async () => {
    reply = { status: 500, body: 'database is down' };
    const attempt = await deliver();
    expect(attempt).toMatchObject({ ok: false, statusCode: 500, error: 'HTTP 500: database is down' });
    expect(classifyDelivery(attempt)).toBe('retryable');
    expect(() => ensureDelivered(attempt, baseUrl)).toThrow(WebhookDeliveryError);
  });

  it.each([408, 429, 503])('treats %i as retryable', async (status) => {
    reply = { status };
    expect(classifyDelivery(await deliver())).toBe('retryable');
  });

  it('reports a 400 as a permanent rejection', async () => {
    reply = { status: 400, body: 'unknown event' };
    const attempt = await deliver();
    expect(attempt).toMatchObject({ ok: false, statusCode: 400 });
    expect(classifyDelivery(attempt)).toBe('permanent');
    expect(() => ensureDelivered(attempt, baseUrl)).toThrow(WebhookRejectedError);
  });

  it('does not follow redirects with the signed payload', async () => {
    reply = { status: 302 };
    const attempt = await deliver();
    expect(attempt).toMatchObject({ ok: false, statusCode: 302 });
    expect(classifyDelivery(attempt)).toBe('permanent');
    expect(received).toHaveLength(1);
  });

  it('gives up after timeoutMs and reports a retryable timeout', async () => {
    reply = 'hang';
    const attempt = await deliver({ timeoutMs: 200 });
    expect(attempt.ok).toBe(false);
    expect(attempt.statusCode).toBeUndefined();
    expect(attempt.error).toBe('timed out after 200 ms');
    expect(classifyDelivery(attempt)).toBe('retryable');
  });

  it('reports a refused connection as retryable', async () => {
    const attempt = await deliver({ url: `http://127.0.0.1:${await closedPort()}/hook` });
    expect(attempt.ok).toBe(false);
    expect(attempt.error).toMatch(/ECONNREFUSED/);
    expect(classifyDelivery(attempt)).toBe('retryable');
  });

  it('rethrows cancellation instead of reporting it', async () => {
    reply = 'hang';
    const controller = new AbortController();
    const attempt = deliver({ signal: controller.signal });
    setTimeout(() => controller.abort(new Error('activity cancelled')), 50);
    await expect(attempt).rejects.toThrow('activity cancelled');
  });

  it('rejects a URL that can never work without sending anything', async () => {
    await expect(deliver({ url: 'not a url' })).rejects.toThrow(WebhookRejectedError);
    await expect(deliver({ url: 'ftp://example.com/hook' })).rejects.toThrow(WebhookRejectedError);
    expect(received).toHaveLength(0);
  });
});

describe('verifyWebhookSignature', () => {
  const body = JSON.stringify(payload);
  const sentAt = 1_700_000_000;
  const header = signWebhook(SECRET, sentAt, body);
  const at = (seconds: number) => () => seconds * 1000;

  it('accepts a signature within the tolerance', () => {
    expect(verifyWebhookSignature(SECRET, header, body, { now: at(sentAt + 299) })).toBe(true);
    expect(verifyWebhookSignature(SECRET, header, Buffer.from(body), { now: at(sentAt) })).toBe(true);
  });

  it('rejects a stale or far-future timestamp', () => {
    expect(verifyWebhookSignature(SECRET, header, body, { now: at(sentAt + 301) })).toBe(false);
    expect(verifyWebhookSignature(SECRET, header, body, { now: at(sentAt - 301) })).toBe(false);
    expect(
      verifyWebhookSignature(SECRET, header, body, { now: at(sentAt + 3600), toleranceSeconds: 7200 }),
    ).toBe(true);
  });

  it('rejects a timestamp changed after signing', () => {
    const replayed = header.replace(`t=${sentAt}`, `t=${sentAt + 1000}`);
    expect(verifyWebhookSignature(SECRET, replayed, body, { now: at(sentAt + 1000) })).toBe(false);
  });

  it('accepts any matching v1 (secret rotation) and rejects malformed headers', () => {
    const old = signWebhook('old-secret', sentAt, body).split(',')[1];
    const rotated = `${header},${old}`;
    expect(verifyWebhookSignature('old-secret', rotated, body, { now: at(sentAt) })).toBe(true);
    expect(verifyWebhookSignature(SECRET, rotated, body, { now: at(sentAt) })).toBe(true);
    for (const bad of ['', 'garbage', `t=${sentAt}`, `t=${sentAt},v1=abc`, header.replace('t=', 'x=')]) {
      expect(verifyWebhookSignature(SECRET, bad, body, { now: at(sentAt) })).toBe(false);
    }
  });
});
