import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
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

const tracer = trace.getTracer('pcs-worker');

/**
 * One model call, as a client span with the model and token counts (GenAI semantic conventions); a no-op
 * unless the process started tracing.
 */
export function generateWithOllama(host: string, request: GenerateRequest): Promise<Generation> {
  const model = ollamaModelName(request.model);
  return tracer.startActiveSpan(
    `chat ${model}`,
    { kind: SpanKind.CLIENT, attributes: { 'gen_ai.system': 'ollama', 'gen_ai.request.model': model } },
    async (span) => {
      try {
        const generation = await chatWithOllama(host, request);
        span.setAttributes({
          'gen_ai.usage.input_tokens': generation.promptTokens,
          'gen_ai.usage.output_tokens': generation.completionTokens,
        });
        return generation;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}

async function chatWithOllama(host: string, request: GenerateRequest): Promise<Generation> {
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
