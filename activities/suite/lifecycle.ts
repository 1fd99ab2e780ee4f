import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { type AlertContext, type AlertFormat, alertBody } from '../../core/alerts/index.ts';
import { dashboardRunUrl } from '../../core/run/links.ts';
import type { RunStatus } from '../../core/run/progress.ts';
import type { RunVerdict } from '../../core/run/run-verdict.ts';
import { type RunSummary, summarizeResults } from '../../core/run/summary.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { getCard } from '../../db/queries/cards.ts';
import { summaryRowsForRun } from '../../db/queries/results.ts';
import { getRun, markRunStarted, finishRun as storeRunOutcome } from '../../db/queries/runs.ts';
import { listEnabledWebhooks, recordDelivery } from '../../db/queries/webhooks.ts';
import type { EventPublisher } from '../events/publisher.ts';
import { deliverWebhook, ensureDelivered, WebhookRejectedError } from '../notify/deliver.ts';

export type LifecycleDeps = {
  db: DrizzleDb;
  events: EventPublisher;
  webhooks: { urls: string[]; secret: string | undefined };
  /** The API's public base URL: alerts link to the run's dashboard page under it. */
  publicUrl: string;
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
 * succeed (no secret, webhook deleted) fails with WebhookRejectedError, which is not retried. The body
 * has the target's format (generic JSON, Slack or Discord) and is signed the same way whatever it is.
 */
export async function deliverRunWebhook(
  deps: LifecycleDeps,
  input: { target: WebhookTarget; runId: string; event: string; summary: RunSummary },
): Promise<void> {
  const { target, runId, event } = input;
  const { secret, format } = signingFor(deps, target);
  const idempotencyKey = createHash('sha256').update(`${runId}\n${event}\n${target.url}`).digest('hex');
  const attemptNumber = Context.current().info.attempt;
  const payload = alertBody(format, alertContext(deps, input));
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

/** The key a target's bodies are signed with, and the body format it asked for (URLs from the env: JSON). */
function signingFor(deps: LifecycleDeps, target: WebhookTarget): { secret: string; format: AlertFormat } {
  if (target.webhookId === undefined) {
    if (!deps.webhooks.secret) throw new WebhookRejectedError('WEBHOOK_SECRET is not set');
    return { secret: deps.webhooks.secret, format: 'json' };
  }
  const stored = listEnabledWebhooks(deps.db).find((w) => w.id === target.webhookId);
  if (!stored) throw new WebhookRejectedError(`webhook ${target.webhookId} no longer exists or is disabled`);
  return { secret: stored.secret, format: stored.format };
}

function alertContext(
  deps: LifecycleDeps,
  input: { runId: string; event: string; summary: RunSummary },
): AlertContext {
  const run = getRun(deps.db, input.runId);
  const cardId = run?.cardId ?? '';
  return {
    event: input.event,
    runId: input.runId,
    card: { id: cardId, name: (run && getCard(deps.db, run.cardId)?.name) ?? cardId },
    status: run?.status,
    summary: input.summary,
    verdict: (run?.verdict as RunVerdict | null | undefined) ?? null,
    runUrl: dashboardRunUrl(deps.publicUrl, input.runId),
  };
}
