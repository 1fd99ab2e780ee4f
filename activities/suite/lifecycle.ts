import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { RunStatus } from '../../core/run/progress.ts';
import { type RunSummary, summarizeResults } from '../../core/run/summary.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { summaryRowsForRun } from '../../db/queries/results.ts';
import { getRun, markRunStarted, finishRun as storeRunOutcome } from '../../db/queries/runs.ts';
import { listEnabledWebhooks, recordDelivery } from '../../db/queries/webhooks.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { deliverWebhook, ensureDelivered, WebhookRejectedError } from '../notify/deliver.ts';

export type LifecycleDeps = {
  db: DrizzleDb;
  events: EventPublisher;
  webhooks: { urls: string[]; secret: string | undefined };
};

/** Where a run's end is posted. Secrets stay in the worker: they never enter workflow history. */
export type WebhookTarget = { url: string; webhookId?: number };

export function markRunRunning(deps: LifecycleDeps, input: { runId: string }): void {
  markRunStarted(deps.db, input.runId);
}

export async function finishRun(
  deps: LifecycleDeps,
  input: { runId: string; status: RunStatus; error?: string },
): Promise<RunSummary> {
  const summary = summarizeResults(summaryRowsForRun(deps.db, input.runId));
  const status = input.status === 'completed' || input.status === 'cancelled' ? input.status : 'failed';
  storeRunOutcome(deps.db, input.runId, { status, summary, error: input.error ?? null });
  await deps.events.publish({ type: 'run', runId: input.runId, status });
  return summary;
}

/**
 * Who is told about `event`: every URL from the environment, and each stored webhook subscribed to it.
 * Without an event (an activity scheduled by an older workflow version) every target is returned, as before.
 */
export function listWebhookTargets(deps: LifecycleDeps, input: { event?: string } = {}): WebhookTarget[] {
  const fromEnv = deps.webhooks.secret ? deps.webhooks.urls.map((url) => ({ url })) : [];
  const stored = listEnabledWebhooks(deps.db)
    .filter((w) => input.event === undefined || w.events.includes(input.event))
    .map((w) => ({ url: w.url, webhookId: w.id }));
  // A URL configured twice gets one delivery (and one idempotency key), the first configuration's.
  const byUrl = new Map<string, WebhookTarget>();
  for (const target of [...fromEnv, ...stored]) if (!byUrl.has(target.url)) byUrl.set(target.url, target);
  return [...byUrl.values()];
}

/**
 * One delivery attempt, logged; Temporal's retry policy makes the retries durable. A target that can never
 * succeed (no secret, webhook deleted) fails with WebhookRejectedError, which is not retried.
 */
export async function deliverRunWebhook(
  deps: LifecycleDeps,
  input: { target: WebhookTarget; runId: string; event: string; summary: RunSummary },
): Promise<void> {
  const { target, runId, event } = input;
  const secret = secretFor(deps, target);
  const run = getRun(deps.db, runId);
  const idempotencyKey = createHash('sha256').update(`${runId}\n${event}\n${target.url}`).digest('hex');
  const attemptNumber = Context.current().info.attempt;
  const payload = { event, runId, card: run?.cardId, status: run?.status, summary: input.summary };
  const attempt = await deliverWebhook({
    url: target.url,
    secret,
    event,
    payload,
    idempotencyKey,
    signal: Context.current().cancellationSignal,
  });
  recordDelivery(deps.db, {
    webhookId: target.webhookId ?? null,
    url: target.url,
    runId,
    event,
    idempotencyKey,
    attempt: attemptNumber,
    statusCode: attempt.statusCode ?? null,
    ok: attempt.ok,
    error: attempt.error ?? null,
    durationMs: attempt.durationMs,
  });
  ensureDelivered(attempt, target.url);
}

function secretFor(deps: LifecycleDeps, target: WebhookTarget): string {
  if (target.webhookId === undefined) {
    if (!deps.webhooks.secret) throw new WebhookRejectedError('WEBHOOK_SECRET is not set');
    return deps.webhooks.secret;
  }
  const stored = listEnabledWebhooks(deps.db).find((w) => w.id === target.webhookId);
  if (!stored) throw new WebhookRejectedError(`webhook ${target.webhookId} no longer exists or is disabled`);
  return stored.secret;
}
