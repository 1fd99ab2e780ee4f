import type { Assertion } from './schema.ts';

/** One generated output and what is known about how it was produced. */
export type GradeInput = {
  output: string;
  prompt: string;
  vars: Record<string, unknown>;
  latencyMs: number;
  tokens: { prompt: number; completion: number };
};

export type AssertionResult = {
  type: string;
  pass: boolean;
  /** 0..1 */
  score: number;
  /** Human-readable: quotes what was expected and what was found. */
  reason: string;
  weight: number;
  metric?: string;
};

export type GradeResult = {
  pass: boolean;
  score: number;
  reason: string;
  assertions: AssertionResult[];
  metrics: Record<string, number>;
};

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

/** Model calls injected into grading. Model names come without the `ollama:` prefix. */
export type ModelAccess = {
  embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]>;
  chat(
    model: string,
    messages: ChatMessage[],
    opts: { format?: object | 'json'; signal?: AbortSignal },
  ): Promise<string>;
};

/** Models used by `similar` / `llm-rubric` when an assertion names no provider. */
export type ModelDefaults = { defaultJudge?: string; defaultEmbedder?: string };

export type GradeContext = ModelDefaults & {
  input: GradeInput;
  models?: ModelAccess;
  signal?: AbortSignal;
};

/** The outcome of one base (non-negated) assertion, before weighting. */
export type Verdict = { pass: boolean; score: number; reason: string };

/**
 * How one base assertion type is checked. `grade` only runs after `validate` found no problems,
 * so it may rely on the shape of `value` and `threshold` that `validate` checked.
 */
export type AssertionHandler = {
  validate(a: Assertion): string[];
  grade(a: Assertion, ctx: GradeContext): Verdict | Promise<Verdict>;
};
