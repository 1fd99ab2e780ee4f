import { Ollama } from 'ollama';
import type { ChatMessage, ModelAccess } from '../../core/assertions/types.ts';
import type { CardOptions } from '../../core/card/schema.ts';
import type { GenerateRequest, Generation } from './types.ts';

/** A client whose every request carries `signal`: cancelling the activity aborts the HTTP call. */
export function ollamaClient(host: string, signal?: AbortSignal): Ollama {
  if (!signal) return new Ollama({ host });
  return new Ollama({ host, fetch: (input, init) => fetch(input, { ...init, signal }) });
}

export function ollamaModelName(model: string): string {
  return model.startsWith('ollama:') ? model.slice('ollama:'.length) : model;
}

export async function generateWithOllama(host: string, request: GenerateRequest): Promise<Generation> {
  const started = performance.now();
  const { format, ...options } = request.options ?? {};
  const response = await ollamaClient(host, request.signal).chat({
    model: ollamaModelName(request.model),
    messages: request.messages,
    options: options as Omit<CardOptions, 'format'>,
    ...(format === undefined ? {} : { format: format as string | object }),
    stream: false,
  });
  return {
    output: response.message.content,
    latencyMs: Math.round(performance.now() - started),
    promptTokens: response.prompt_eval_count ?? 0,
    completionTokens: response.eval_count ?? 0,
    cacheHit: false,
  };
}

/** Embeddings and judge calls for the `similar` and `llm-rubric` assertions. */
export function ollamaModelAccess(host: string): ModelAccess {
  return {
    async embed(model: string, texts: string[], signal?: AbortSignal): Promise<number[][]> {
      const response = await ollamaClient(host, signal).embed({
        model: ollamaModelName(model),
        input: texts,
      });
      return response.embeddings;
    },
    async chat(
      model: string,
      messages: ChatMessage[],
      opts: { format?: object | 'json'; signal?: AbortSignal },
    ) {
      const response = await ollamaClient(host, opts.signal).chat({
        model: ollamaModelName(model),
        messages,
        ...(opts.format === undefined ? {} : { format: opts.format as string | object }),
        options: { temperature: 0 },
        stream: false,
      });
      return response.message.content;
    },
  };
}
