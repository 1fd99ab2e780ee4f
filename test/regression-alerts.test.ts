import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { judgeRun } from '../activities/suite/judge.ts';
import { startSuiteRun } from '../client/start-run.ts';
import { parseCard } from '../core/card/parse.ts';
import type { JudgedVerdict } from '../core/run/run-verdict.ts';
import { randomIndex, seededRandom } from '../core/stats/random.ts';
import { verifyWebhookSignature } from '../core/webhook-signature.ts';
import { getRun } from '../db/queries/runs.ts';
import { createWebhook, listDeliveries } from '../db/queries/webhooks.ts';
import type { WebhookFormat } from '../db/schema.ts';
import type { ReplyFn } from './fakes/ollama.ts';
import { buildApi } from './helpers/api.ts';
import { type HttpReceiver, type ReceivedRequest, startHttpReceiver } from './helpers/http-receiver.ts';
import { createSuiteHarness, nextTaskQueue, type SuiteHarness } from './helpers/suite.ts';

const PUBLIC_URL = 'http://pcs.test';

/** A triage card whose every case expects "billing"; `cases` cases, each sampled `repeat` times. */
function billingCard(name: string, cases: number, repeat: number): string {
  const lines = Array.from(
    { length: cases },
    (_, i) =>
      `  - { name: "ticket ${i}", vars: { ticket: "charge ${i}" }, assert: [{ type: icontains, value: billing }] }`,
  );
  return `
name: ${name}
prompt: { template: "Ticket: {{ ticket }}" }
models: [ollama:llama3.2:3b]
repeat: ${repeat}
concurrency: 1
cases:
${lines.join('\n')}
`;
}

/** The good model: every ticket goes to billing. */
const goodModel: ReplyFn = () => 'Billing';

/** The degraded model: only tickets 9, 10 and 11 still go to billing. */
const degradedModel: ReplyFn = ({ messages }) =>
  /charge (9|10|11)$/.test(messages?.at(-1)?.content ?? '') ? 'Billing' : 'other';

/** The good model with sampling noise: exactly one answer in `cells`, picked by a seeded draw, is wrong. */
function noisyModel(seed: number, cells: number): ReplyFn {
  const flipAt = randomIndex(seededRandom(seed), cells);
  let answered = 0;
  return () => (answered++ === flipAt ? 'other' : 'Billing');
}

const eventOf = (request: ReceivedRequest) => String(request.headers['x-pcs-event']);
const formatOf = (request: ReceivedRequest) => new URL(request.path, PUBLIC_URL).searchParams.get('format');

describe('regression verdicts and alerts of judged runs', () => {
  let h: SuiteHarness;
  let receiver: HttpReceiver;
  let api: FastifyInstance;
  const secrets = {} as Record<WebhookFormat, string>;

  beforeAll(async () => {
    [h, receiver] = await Promise.all([createSuiteHarness(), startHttpReceiver()]);
    api = await buildApi(h);
    for (const format of ['json', 'slack', 'discord'] as const) {
      secrets[format] = `whsec_${format}_secret_0123456789`;
      // The JSON hook hears every event; the chat hooks only regressions.
      const events = format === 'json' ? ['run.completed', 'run.regression'] : ['run.regression'];
      createWebhook(h.database.db, {
        url: `${receiver.url}?format=${format}`,
        secret: secrets[format],
        events,
        format,
      });
    }
  });
  afterAll(async () => {
    await Promise.allSettled([api?.close(), receiver?.close()]);
    await h?.close();
  });
  beforeEach(() => {
    nextTaskQueue(h);
    h.fake.reset();
    receiver.reset();
  });

  /** Runs the card to its end with `reply` as the model; `judge` as a scheduled run would set it. */
  async function runToEnd(yaml: string, reply: ReplyFn, judged: boolean) {
    h.fake.setReply(reply);
    const worker = await h.worker({ publicUrl: PUBLIC_URL });
    const run = await startSuiteRun(
      { db: h.database.db, client: h.env.client, taskQueue: h.taskQueue },
      {
        card: parseCard(yaml, 'card.yaml'),
        source: yaml,
        trigger: 'api',
        overrides: { noCache: true },
        ...(judged ? { judge: { alertOnFailure: true } } : {}),
      },
    );
    const result = await worker.runUntil(run.handle.result());
    expect(result.status).toBe('completed');
    return { runId: run.runId, handle: run.handle };
  }

  it('calls a degraded model a regression, stores why, and alerts in JSON, Slack and Discord formats', async () => {
    const card = billingCard('regress-triage', 12, 2);
    const baseline = await runToEnd(card, goodModel, true);
    expect(getRun(h.database.db, baseline.runId)?.verdict).toMatchObject({ verdict: 'no-baseline' });
    expect(receiver.requests.map(eventOf)).toEqual(['run.completed']);
    receiver.reset();

    const candidate = await runToEnd(card, degradedModel, true);
    const verdict = getRun(h.database.db, candidate.runId)?.verdict as JudgedVerdict;
    expect(verdict).toMatchObject({
      verdict: 'regression',
      baselineRunId: baseline.runId,
      test: 'fisher',
      alpha: 0.05,
      passRate: { baseline: 1, candidate: 0.25 },
      passRateDelta: -0.75,
      newlyPassing: [],
    });
    expect(verdict.pValue).toBeLessThan(0.001);
    expect(verdict.newlyFailing).toEqual(
      Array.from({ length: 9 }, (_, i) => ({ caseName: `ticket ${i}`, model: 'ollama:llama3.2:3b' })),
    );
    expect(verdict.reason).toContain('24/24 → 6/24 passed');

    const requests = receiver.requests;
    const regressions = requests.filter((request) => eventOf(request) === 'run.regression');
    expect(regressions.map(formatOf).sort()).toEqual(['discord', 'json', 'slack']);
    expect(requests.filter((request) => eventOf(request) === 'run.completed').map(formatOf)).toEqual([
      'json',
    ]);
    for (const request of regressions) {
      const format = formatOf(request) as WebhookFormat;
      const signature = String(request.headers['x-pcs-signature']);
      expect(verifyWebhookSignature(secrets[format], signature, request.body), format).toBe(true);
      expect(verifyWebhookSignature('not-the-secret-0123456', signature, request.body)).toBe(false);
      expect(request.headers['x-pcs-idempotency-key']).toMatch(/^[0-9a-f]{64}$/);
    }

    const runUrl = `${PUBLIC_URL}/ui/runs/${candidate.runId}`;
    const bodyOf = (format: WebhookFormat) =>
      JSON.parse(regressions.find((request) => formatOf(request) === format)?.body ?? '{}');
    expect(bodyOf('json')).toMatchObject({
      event: 'run.regression',
      runId: candidate.runId,
      card: 'regress-triage',
      status: 'completed',
      summary: { total: 24, passed: 6 },
      verdict: { verdict: 'regression', baselineRunId: baseline.runId },
      links: { dashboard: runUrl },
    });

    const slack = bodyOf('slack');
    expect(slack.text).toBe('Regression in regress-triage: pass rate 100% → 25% (−75 pts)');
    const section = slack.blocks[0].text;
    expect(section.type).toBe('mrkdwn');
    expect(section.text).toContain(`<${runUrl}|Open run ${candidate.runId}>`);
    expect(section.text).toMatch(/\*p-value:\* \d\.\de-\d+ \(fisher, alpha 0\.05\)/);
    expect(section.text).toContain('• ticket 0 on ollama:llama3.2:3b');
    expect(section.text).toContain('• ticket 8 on ollama:llama3.2:3b');

    const discord = bodyOf('discord');
    expect(discord.content).toBe(slack.text);
    const [embed] = discord.embeds;
    expect(embed).toMatchObject({ title: 'regress-triage: run.regression', url: runUrl, color: 0xd93f3f });
    expect(embed.fields).toEqual(
      expect.arrayContaining([
        { name: 'Pass rate', value: '100% → 25% (−75 pts)', inline: true },
        { name: 'Verdict', value: 'regression', inline: true },
        expect.objectContaining({ name: 'Newly failing', value: expect.stringContaining('• ticket 0 on') }),
      ]),
    );

    const logged = listDeliveries(h.database.db, { runId: candidate.runId });
    expect(logged.filter((d) => d.event === 'run.regression' && d.ok)).toHaveLength(3);

    // The API shows the stored verdict, and compares with the same baseline by default.
    const detail = (await api.inject({ method: 'GET', url: `/runs/${candidate.runId}` })).json();
    expect(detail).toMatchObject({
      scheduleId: null,
      verdict: { verdict: 'regression', baselineRunId: baseline.runId },
    });
    const compare = (await api.inject({ method: 'GET', url: `/runs/${candidate.runId}/compare` })).json();
    expect(compare.baseline.id).toBe(baseline.runId);
    expect(compare.verdict).toMatchObject({ verdict: 'regression', pValue: verdict.pValue });

    // Judging again (a re-run activity) keeps the first verdict, whatever the clock or alpha say now.
    const again = judgeRun({ db: h.database.db, alpha: 1e-9, now: () => 1 }, { runId: candidate.runId });
    expect(again).toEqual({ verdict: 'regression', baselineRunId: baseline.runId });
    expect(getRun(h.database.db, candidate.runId)?.verdict).toEqual(verdict);

    // A judged run's history replays with the current workflow code.
    await Worker.runReplayHistory({ workflowBundle: h.bundle }, await candidate.handle.fetchHistory());
  });

  it('calls one flipped answer in 40 within noise, with its p-value, and sends no regression alert', async () => {
    const card = billingCard('noisy-triage', 20, 2);
    const baseline = await runToEnd(card, noisyModel(7, 40), false);
    const candidate = await runToEnd(card, noisyModel(8, 40), true);

    const verdict = getRun(h.database.db, candidate.runId)?.verdict as JudgedVerdict;
    expect(verdict).toMatchObject({ verdict: 'within-noise', baselineRunId: baseline.runId, alpha: 0.05 });
    expect(verdict.pValue).toBeGreaterThan(0.05);
    expect(verdict.passRate).toEqual({ baseline: 39 / 40, candidate: 39 / 40 });
    expect(verdict.newlyFailing).toHaveLength(1);
    expect(verdict.newlyPassing).toHaveLength(1);

    expect(receiver.requests.map(eventOf)).toEqual(['run.completed', 'run.completed']);
    const completed = receiver.requests.map((request) => JSON.parse(request.body));
    expect(completed.map((body) => body.runId)).toEqual([baseline.runId, candidate.runId]);
    expect(completed[0].verdict).toBeNull();
    expect(completed[1].verdict).toMatchObject({ verdict: 'within-noise' });
    expect(listDeliveries(h.database.db, { runId: candidate.runId }).map((d) => d.event)).toEqual([
      'run.completed',
    ]);
  });
});
