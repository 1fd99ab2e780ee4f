// Scripted behaviour and counters of the fake Ollama server (see ./ollama.ts).
import type { FailOptions, FakeOllamaOptions, FakeOllamaStats, ReplyFn } from './ollama.ts';
import { normalizeModelName } from './ollama-wire.ts';

export const DEFAULT_MODELS = ['llama3.2:3b', 'qwen2.5:7b', 'nomic-embed-text'];
export const DEFAULT_VERSION = '0.12.0';
export const DEFAULT_MID_STREAM_ERROR = 'an error was encountered while running the model: unexpected EOF';

/** The default reply: "echo: " + the prompt, or the content of the last user message. */
export const defaultReply: ReplyFn = (r) => {
  const lastUser = r.messages?.findLast((m) => m.role === 'user')?.content;
  return `echo: ${r.prompt ?? lastUser ?? ''}`;
};

function errorBody(status: number, body: FailOptions['body']): Record<string, unknown> {
  if (typeof body === 'object') return body;
  if (body !== undefined) return { error: body };
  // Ollama's own words for a full queue, since retry logic may well look at them.
  if (status === 503) return { error: 'server busy, please try again.  maximum pending requests exceeded' };
  return { error: `fake ollama: injected failure (status ${status})` };
}

interface FailRule {
  every: number;
  seen: number;
  status: number;
  body: Record<string, unknown>;
}

/** Scripted behaviour and counters; the request handlers in ./ollama-generate.ts read it. */
export class FakeState {
  stats: FakeOllamaStats = FakeState.emptyStats();
  nextRequestIndex = 0;
  models = new Set<string>();
  reply: ReplyFn = defaultReply;
  delayMs = 0;
  modelDelays = new Map<string, number>();
  chunkDelayMs = 0;
  failRules = new Map<string, FailRule>();
  failQueue: { remaining: number; status: number; body: Record<string, unknown> } | undefined;
  midStreamError: string | undefined;

  constructor(
    private readonly initial: FakeOllamaOptions,
    readonly version: string,
  ) {
    this.reset();
  }

  static emptyStats(): FakeOllamaStats {
    return { requests: 0, byPath: {}, byModel: {}, aborted: 0, inFlight: 0, maxInFlight: 0 };
  }

  resetStats(): void {
    // Requests still open keep counting down, so inFlight survives a reset.
    const { inFlight } = this.stats;
    this.stats = { ...FakeState.emptyStats(), inFlight, maxInFlight: inFlight };
    this.nextRequestIndex = 0;
  }

  reset(): void {
    this.resetStats();
    this.models = new Set((this.initial.models ?? DEFAULT_MODELS).map(normalizeModelName));
    this.reply = this.initial.reply ?? defaultReply;
    this.delayMs = this.initial.delayMs ?? 0;
    this.modelDelays.clear();
    this.chunkDelayMs = this.initial.chunkDelayMs ?? 0;
    this.failRules.clear();
    this.failQueue = undefined;
    this.midStreamError = undefined;
  }

  hasModel(name: string): boolean {
    return this.models.has(normalizeModelName(name));
  }

  delayFor(model: string): number {
    return this.modelDelays.get(normalizeModelName(model)) ?? this.delayMs;
  }

  failEvery(n: number, options: FailOptions & { model?: string }): void {
    const key = options.model === undefined ? '*' : normalizeModelName(options.model);
    if (n <= 0) {
      this.failRules.delete(key);
      return;
    }
    const status = options.status ?? 500;
    this.failRules.set(key, { every: n, seen: 0, status, body: errorBody(status, options.body) });
  }

  failNext(count: number, options: FailOptions): void {
    const status = options.status ?? 500;
    this.failQueue =
      count > 0 ? { remaining: count, status, body: errorBody(status, options.body) } : undefined;
  }

  /** Counts one generation request against the failure rules; returns the failure to answer, if any. */
  takeFailure(model: string): { status: number; body: Record<string, unknown> } | undefined {
    const key = normalizeModelName(model);
    let failure: { status: number; body: Record<string, unknown> } | undefined;
    for (const [ruleKey, rule] of this.failRules) {
      if (ruleKey !== '*' && ruleKey !== key) continue;
      rule.seen++;
      if (rule.seen % rule.every === 0) failure ??= rule;
    }
    if (this.failQueue) {
      failure = this.failQueue;
      if (--this.failQueue.remaining <= 0) this.failQueue = undefined;
    }
    return failure && { status: failure.status, body: failure.body };
  }

  takeMidStreamError(): string | undefined {
    const text = this.midStreamError;
    this.midStreamError = undefined;
    return text;
  }

  countModel(model: string): void {
    this.stats.byModel[model] = (this.stats.byModel[model] ?? 0) + 1;
  }
}
