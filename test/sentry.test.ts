import type { Worker } from '@temporalio/worker';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableOnlyPublisher } from '../activities/events/publisher.ts';
import errorHandler from '../api/plugins/error-handler.ts';
import { getRun } from '../db/queries/runs.ts';
import { type ErrorReporter, startErrorReporting } from '../telemetry/errors.ts';
import { createWorker } from '../worker/create-worker.ts';
import { reportActivityFailures } from '../worker/error-reporting.ts';
import { type HttpReceiver, startHttpReceiver } from './helpers/http-receiver.ts';
import { insertRun, storeCard } from './helpers/runs-api.ts';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';

// A local HTTP server stands in for Sentry: the real @sentry/node client sends its envelopes to the DSN.

type SentryEvent = { exception?: { values?: { value?: string }[] }; tags?: Record<string, string> };

/** The error events of every envelope received: a header line, then item header / payload line pairs. */
function eventsIn(receiver: HttpReceiver): SentryEvent[] {
  return receiver.requests.flatMap((request) => {
    const lines = request.body.split('\n').filter(Boolean);
    const events: SentryEvent[] = [];
    for (let i = 1; i + 1 < lines.length; i += 2) {
      if ((JSON.parse(lines[i] ?? '{}') as { type?: string }).type === 'event') {
        events.push(JSON.parse(lines[i + 1] ?? '{}') as SentryEvent);
      }
    }
    return events;
  });
}

const CARD = `
name: sentry-card
prompt: { template: "Say {{ word }}" }
models: [ollama:llama3.2:3b]
cases:
  - { name: one, vars: { word: a }, assert: [{ type: contains, value: a }] }
`;

describe('Sentry error reports (SENTRY_DSN)', () => {
  let h: SuiteHarness;
  let receiver: HttpReceiver;
  let errors: ErrorReporter;
  let api: FastifyInstance;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  beforeAll(async () => {
    [h, receiver] = await Promise.all([createSuiteHarness(), startHttpReceiver()]);
    const { port } = new URL(receiver.url);
    errors = startErrorReporting({ dsn: `http://publickey@127.0.0.1:${port}/42`, serviceName: 'pcs-test' });
    // The app's own error handler plugin, with a route that fails the way a bug would.
    api = Fastify({ logger: false });
    await api.register(errorHandler, { errors, cardOfRun: (runId) => getRun(h.database.db, runId)?.cardId });
    api.get('/runs/:id/explode', async () => {
      throw new Error('the disk is on fire');
    });
    await api.ready();
  });

  afterAll(async () => {
    await api?.close();
    worker?.shutdown();
    await running;
    await Promise.all([h?.close(), receiver?.close()]);
  });

  it('reports an API 5xx with its route, run and card, and tells the client nothing', async () => {
    const card = storeCard(h.database.db, CARD);
    const { cardId } = card;
    insertRun(h.database.db, card, { id: 'run-explode' });
    const response = await api.inject({ method: 'GET', url: '/runs/run-explode/explode' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('fire');
    await errors.flush();

    const event = eventsIn(receiver).find((e) => e.exception?.values?.[0]?.value === 'the disk is on fire');
    expect(event?.tags).toMatchObject({
      route: 'GET /runs/:id/explode',
      status: '500',
      runId: 'run-explode',
      card: cardId,
      service: 'pcs-test',
    });
  });

  it('reports a failed activity attempt of a run with the activity, attempt, run and card', async () => {
    const failingEnd = {
      ...tableOnlyPublisher,
      publish: async (event: { type: string }) => {
        if (event.type === 'run') throw new Error('event bus unreachable');
      },
    };
    worker = await createWorker({
      connection: h.env.nativeConnection,
      namespace: h.env.namespace ?? 'default',
      taskQueue: h.taskQueue,
      deps: h.deps({ events: failingEnd }),
      workflowBundle: h.bundle,
      activityInterceptors: [reportActivityFailures(errors, (runId) => getRun(h.database.db, runId)?.cardId)],
    });
    running = worker.run();
    const run = await h.startRun(CARD);

    await expect
      .poll(
        async () => {
          await errors.flush();
          return eventsIn(receiver).find((e) => e.exception?.values?.[0]?.value === 'event bus unreachable');
        },
        { timeout: 20_000, interval: 250 },
      )
      .toBeDefined();
    const event = eventsIn(receiver).find((e) => e.exception?.values?.[0]?.value === 'event bus unreachable');
    expect(event?.tags).toMatchObject({
      activity: 'finishRun',
      attempt: '1',
      runId: run.runId,
      card: run.cardId,
    });
    await run.handle.terminate('test over');
  });
});
