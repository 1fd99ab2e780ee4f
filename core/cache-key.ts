import { createHash } from 'node:crypto';

export const RESPONSE_CACHE_KEY_PREFIX = 'pcs:resp:v1:';

export interface CacheKeyMessage {
  role: string;
  content: string;
}

export interface ResponseCacheKeyInput {
  provider: string;
  model: string;
  messages: readonly CacheKeyMessage[];
  options?: Readonly<Record<string, unknown>>;
  /** Ollama's `format`: 'json' or a JSON schema object. */
  format?: string | Readonly<Record<string, unknown>>;
  /**
   * Which repeat of the cell this is. Repeats exist to sample a model several times, so each repeat
   * index has its own entry: a re-run of the card hits all of them, one run never answers itself.
   */
  sample?: number;
}

/**
 * Cache key for one generation: identical provider, model, rendered messages, options and format give the
 * same key whatever the key order of the objects. Bump the version in the prefix if the shape changes.
 */
export function responseCacheKey(input: ResponseCacheKeyInput): string {
  const canonical = canonicalJson({
    provider: input.provider,
    model: input.model,
    messages: input.messages.map(({ role, content }) => ({ role, content })),
    options: input.options ?? {},
    format: input.format ?? null,
    sample: input.sample ?? 0,
  });
  return RESPONSE_CACHE_KEY_PREFIX + createHash('sha256').update(canonical).digest('hex');
}

/** JSON.stringify with object keys sorted at every depth; array order is kept (it is meaningful). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isPlainObject(v) ? sortKeys(v) : v)) ?? 'null';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function sortKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) sorted[key] = obj[key];
  return sorted;
}
