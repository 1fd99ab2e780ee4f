import { responseCacheKey } from '../../core/cache-key.ts';
import type { ResponseCache } from '../cache/types.ts';
import { generateWithEcho } from './echo.ts';
import { generateWithOllama, ollamaModelName } from './ollama.ts';
import type { GenerateRequest, Generation, Generator } from './types.ts';

/** Routes a request to its provider, through the response cache unless the run bypasses it. */
export function createGenerator(deps: {
  ollamaHost: string;
  cache: ResponseCache;
}): (request: GenerateRequest, opts: { useCache: boolean }) => Promise<Generation> {
  const callProvider: Generator = (request) =>
    request.model === 'echo' ? generateWithEcho(request) : generateWithOllama(deps.ollamaHost, request);

  return async (request, { useCache }) => {
    if (!useCache || request.model === 'echo') return callProvider(request);
    const key = cacheKeyFor(request);
    const cached = await deps.cache.get(key);
    if (cached) {
      const { output, latencyMs, promptTokens, completionTokens } = cached;
      return { output, latencyMs, promptTokens, completionTokens, cacheHit: true };
    }
    const fresh = await callProvider(request);
    await deps.cache.set(key, { ...fresh, model: request.model, createdAt: Date.now() });
    return fresh;
  };
}

function cacheKeyFor(request: GenerateRequest): string {
  const { format, ...options } = request.options ?? {};
  return responseCacheKey({
    provider: 'ollama',
    model: ollamaModelName(request.model),
    messages: request.messages,
    options,
    format,
    sample: request.sample,
  });
}
