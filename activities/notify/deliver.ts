import { signWebhook } from '../../core/webhook-signature.ts';

export interface DeliverWebhookInput {
  url: string;
  secret: string;
  event: string;
  payload: unknown;
  /** Same for every retry of one notification, so receivers can drop duplicates. */
  idempotencyKey: string;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Epoch-milliseconds clock, Date.now by default. */
  now?: () => number;
  /** Aborts the request (activity cancellation); an abort from here is rethrown, not reported. */
  signal?: AbortSignal;
}

export interface DeliveryAttempt {
  ok: boolean;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export type DeliveryOutcome = 'delivered' | 'retryable' | 'permanent';

/** The receiver refused the webhook in a way retrying cannot fix (e.g. 400, 401, 404, 410). */
export class WebhookRejectedError extends Error {
  override readonly name = 'WebhookRejectedError';
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/** The webhook did not get through, but a later attempt may (5xx, 408, 429, network error, timeout). */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

const ERROR_BODY_LIMIT = 200;

/**
 * Makes exactly one signed POST. Throws WebhookRejectedError for a URL that can never work. Retries belong to the Temporal retry policy around the activity, which
 * re-signs each attempt with a fresh timestamp while the idempotency key stays the same.
 */
export async function deliverWebhook({
  url,
  secret,
  event,
  payload,
  idempotencyKey,
  timeoutMs = 10_000,
  fetch = globalThis.fetch,
  now = Date.now,
  signal,
}: DeliverWebhookInput): Promise<DeliveryAttempt> {
  assertWebhookUrl(url);
  const body = JSON.stringify(payload);
  const timestamp = Math.floor(now() / 1000);
  const timeout = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'prompt-card-system',
        'x-pcs-event': event,
        'x-pcs-signature': signWebhook(secret, timestamp, body),
        'x-pcs-idempotency-key': idempotencyKey,
        'x-pcs-timestamp': String(timestamp),
      },
      // Following a redirect would send the signed payload somewhere the user did not configure.
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (response.ok) {
      await response.body?.cancel().catch(() => {});
      return { ok: true, statusCode: response.status, durationMs: elapsed() };
    }
    const detail = await readSnippet(response);
    const error = `HTTP ${response.status}${detail ? `: ${detail}` : ''}`;
    return { ok: false, statusCode: response.status, error, durationMs: elapsed() };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    const error = timeout.aborted ? `timed out after ${timeoutMs} ms` : describeNetworkError(err);
    return { ok: false, error, durationMs: elapsed() };
  }
}

export function isRetryableStatus(statusCode: number): boolean {
  return statusCode >= 500 || statusCode === 408 || statusCode === 429;
}

/** No status code means the request never got an answer (network error or timeout): worth retrying. */
export function classifyDelivery(attempt: DeliveryAttempt): DeliveryOutcome {
  if (attempt.ok) return 'delivered';
  if (attempt.statusCode === undefined || isRetryableStatus(attempt.statusCode)) return 'retryable';
  return 'permanent';
}

/** For the activity: turns a failed attempt into the error its retry policy acts on. */
export function ensureDelivered(attempt: DeliveryAttempt, url: string): void {
  const outcome = classifyDelivery(attempt);
  if (outcome === 'delivered') return;
  const message = `webhook to ${url} failed: ${attempt.error ?? 'unknown error'}`;
  if (outcome === 'permanent') throw new WebhookRejectedError(message, attempt.statusCode);
  throw new WebhookDeliveryError(message, attempt.statusCode);
}

/** A malformed URL would otherwise look like a network error and be retried forever. */
function assertWebhookUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookRejectedError(`webhook URL is not a valid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebhookRejectedError(`webhook URL must be http or https: ${url}`);
  }
}

async function readSnippet(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.trim().slice(0, ERROR_BODY_LIMIT);
  } catch {
    return '';
  }
}

function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici reports "fetch failed" and puts the useful part (ECONNREFUSED, ENOTFOUND...) in the cause.
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause ? `${err.message}: ${cause}` : err.message;
}
