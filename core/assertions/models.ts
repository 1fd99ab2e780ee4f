import { InvalidAssertionError, ModelAssertionError } from './errors.ts';
import type { Assertion } from './schema.ts';
import type { GradeContext, ModelAccess } from './types.ts';

/** `ollama:llama3.2:3b` → `llama3.2:3b`; names without the prefix pass through. */
export function modelName(ref: string): string {
  return ref.replace(/^ollama:/, '');
}

/** The model an assertion calls (its provider, else the default) and the access to call it through. */
export function resolveModel(
  a: Assertion,
  ctx: GradeContext,
  role: 'judge' | 'embedder',
): { models: ModelAccess; model: string } {
  const ref = a.provider ?? (role === 'judge' ? ctx.defaultJudge : ctx.defaultEmbedder);
  const problems: string[] = [];
  if (!ref) problems.push(`${a.type}: no ${role} model; set provider or configure a default ${role}`);
  if (!ctx.models) problems.push(`${a.type}: no model access was provided to grade it`);
  if (!ref || !ctx.models) throw new InvalidAssertionError(a, problems);
  return { models: ctx.models, model: modelName(ref) };
}

/** Run an injected model call, wrapping its failures as retryable ModelAssertionErrors. */
export async function callModel<T>(
  what: string,
  signal: AbortSignal | undefined,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    // Cancellation is not a model failure: let it through untouched.
    if (signal?.aborted || error instanceof ModelAssertionError) throw error;
    throw new ModelAssertionError(`${what} failed: ${(error as Error).message}`, { cause: error });
  }
}
