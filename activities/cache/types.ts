/** One stored LLM generation, enough to replay it as if Ollama had answered. */
export interface CachedResponse {
  output: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  model: string;
  /** Epoch milliseconds when the response was generated. */
  createdAt: number;
}

export interface ResponseCache {
  get(key: string): Promise<CachedResponse | undefined>;
  /** ttlSeconds overrides the cache's default time to live for this entry. */
  set(key: string, value: CachedResponse, ttlSeconds?: number): Promise<void>;
  close(): Promise<void>;
  /** Backend failures swallowed so far (a get that failed counted as a miss); for metrics. */
  readonly errors: number;
}

export const DEFAULT_RESPONSE_TTL_SECONDS = 7 * 24 * 60 * 60;

export function assertValidTtl(ttlSeconds: number): void {
  if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`cache ttlSeconds must be a positive number, got ${ttlSeconds}`);
  }
}
