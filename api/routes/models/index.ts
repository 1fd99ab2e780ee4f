import type { FastifyInstance } from 'fastify';
import { Ollama } from 'ollama';
import Type, { type Static } from 'typebox';
import type { AppDeps } from '../../app.ts';
import { ErrorReply } from '../../schemas/common.ts';

const Model = Type.Object({
  id: Type.String({ description: 'What a card lists under `models:` (`ollama:<name>` or `echo`)' }),
  provider: Type.Enum(['ollama', 'echo']),
  name: Type.String(),
  size: Type.Optional(Type.Integer({ description: 'Bytes on disk' })),
  family: Type.Optional(Type.String()),
  parameterSize: Type.Optional(Type.String()),
  quantization: Type.Optional(Type.String()),
  modifiedAt: Type.Optional(Type.String({ format: 'date-time' })),
});
type Model = Static<typeof Model>;

const ModelsReply = Type.Object({ ollamaHost: Type.String(), models: Type.Array(Model) });

/** Needs no Ollama: it returns the rendered prompt. */
const ECHO: Model = { id: 'echo', provider: 'echo', name: 'echo' };

const LIST_TIMEOUT_MS = 5000;

export default async function modelRoutes(fastify: FastifyInstance, deps: AppDeps): Promise<void> {
  const ollama = new Ollama({
    host: deps.ollamaHost,
    fetch: (input, init) => fetch(input, { ...init, signal: withTimeout(init?.signal, LIST_TIMEOUT_MS) }),
  });

  fastify.get(
    '/',
    {
      onRequest: fastify.readAccess,
      schema: {
        tags: ['models'],
        summary: 'The models pulled into the configured Ollama, and the built-in echo provider',
        response: { 200: ModelsReply, 503: ErrorReply },
      },
    },
    async (_request, reply) => {
      let listed: Awaited<ReturnType<Ollama['list']>>;
      try {
        listed = await ollama.list();
      } catch (error) {
        return reply.status(503).send({
          error: 'Ollama Unreachable',
          message: `Ollama is not reachable at ${deps.ollamaHost}: ${reasonOf(error)}. Start it with \`ollama serve\` or set OLLAMA_HOST.`,
        });
      }
      return { ollamaHost: deps.ollamaHost, models: [...listed.models.map(toModel), ECHO] };
    },
  );
}

function withTimeout(signal: AbortSignal | null | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

function toModel(entry: Awaited<ReturnType<Ollama['list']>>['models'][number]): Model {
  return {
    id: `ollama:${entry.name}`,
    provider: 'ollama',
    name: entry.name,
    size: entry.size,
    family: entry.details?.family || undefined,
    parameterSize: entry.details?.parameter_size || undefined,
    quantization: entry.details?.quantization_level || undefined,
    modifiedAt: isoDate(entry.modified_at),
  };
}

/** The client types say Date, but the JSON it parses carries a string. */
function isoDate(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'string') return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? undefined : parsed.toISOString();
}

/** fetch reports "fetch failed" and keeps the useful part (ECONNREFUSED, ENOTFOUND, ...) in its cause. */
function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${LIST_TIMEOUT_MS} ms`;
  return error.cause instanceof Error ? error.cause.message : error.message;
}
