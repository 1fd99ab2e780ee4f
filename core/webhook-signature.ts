import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signature scheme (what receivers implement):
 *
 *   x-pcs-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw request body>")>
 *
 * To verify: take `t` and every `v1` from the header, compute the HMAC over the exact bytes received
 * (before any JSON parsing), compare in constant time, and reject when |now - t| exceeds a tolerance
 * (300 s by default) so a captured request cannot be replayed later. Several `v1` entries may appear
 * (e.g. while rotating secrets); one match suffices. Deduplicate with the x-pcs-idempotency-key header.
 */

export type WebhookBody = string | Uint8Array;

export function signWebhook(secret: string, timestampSeconds: number, body: WebhookBody): string {
  if (!Number.isSafeInteger(timestampSeconds)) {
    throw new RangeError(`webhook timestamp must be integer seconds, got ${timestampSeconds}`);
  }
  return `t=${timestampSeconds},v1=${webhookHmac(secret, timestampSeconds, body)}`;
}

export interface VerifyWebhookOptions {
  toleranceSeconds?: number;
  /** Epoch-milliseconds clock, Date.now by default. */
  now?: () => number;
}

export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: WebhookBody,
  { toleranceSeconds = 300, now = Date.now }: VerifyWebhookOptions = {},
): boolean {
  const parsed = parseSignatureHeader(header);
  if (!parsed) return false;
  if (Math.abs(now() / 1000 - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookHmac(secret, parsed.timestamp, body), 'hex');
  // Check every candidate rather than stopping at the first match, so timing reveals nothing.
  let matched = false;
  for (const signature of parsed.signatures) {
    if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) matched = true;
  }
  return matched;
}

function webhookHmac(secret: string, timestampSeconds: number, body: WebhookBody): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.`).update(body).digest('hex');
}

interface ParsedSignature {
  timestamp: number;
  signatures: string[];
}

function parseSignatureHeader(header: string): ParsedSignature | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    // Only well-formed 32-byte hex digests, so timingSafeEqual always sees equal lengths.
    if (name === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value);
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}
