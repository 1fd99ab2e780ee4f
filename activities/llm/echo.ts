import type { GenerateRequest, Generation } from './types.ts';

/** The `echo` provider answers with the rendered prompt: template checks and demos with no model. */
export async function generateWithEcho(request: GenerateRequest): Promise<Generation> {
  request.signal.throwIfAborted();
  const words = (text: string) => text.split(/\s+/).filter(Boolean).length;
  return {
    output: request.text,
    latencyMs: 0,
    promptTokens: words(request.text),
    completionTokens: words(request.text),
    cacheHit: false,
  };
}
