// The model endpoints of the fake Ollama server (see ./ollama.ts): /api/chat, /api/generate, /api/embed.
import type { FakeMessage, Reply, ReplyRequest } from './ollama.ts';
import type { Exchange } from './ollama-http.ts';
import { BadRequest } from './ollama-http.ts';
import type { FakeState } from './ollama-state.ts';
import {
  countTokens,
  embedText,
  isEmbeddingModel,
  shapeReply,
  splitChunks,
  tokenIds,
} from './ollama-wire.ts';

type Body = Record<string, unknown>;

const isRecord = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const now = () => new Date().toISOString();

function parseMessages(raw: unknown): FakeMessage[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new BadRequest('messages must be an array');
  return raw.map((m) => {
    if (!isRecord(m) || typeof m.role !== 'string') throw new BadRequest('invalid message');
    return { role: m.role, content: typeof m.content === 'string' ? m.content : '' };
  });
}

function normalizeReply(reply: Reply): Exclude<Reply, string> {
  if (typeof reply === 'string') return { content: reply };
  if (!isRecord(reply) || typeof reply.content !== 'string') {
    throw new Error('reply function must return a string or { content: string }');
  }
  return reply;
}

/** Durations in nanoseconds, as Ollama reports them, split from the real elapsed time. */
function metrics(started: bigint, promptEvalCount: number, evalCount: number) {
  const total = Math.max(Number(process.hrtime.bigint() - started), 1000);
  return {
    total_duration: total,
    load_duration: Math.floor(total * 0.05),
    prompt_eval_count: promptEvalCount,
    prompt_eval_duration: Math.floor(total * 0.15),
    eval_count: evalCount,
    eval_duration: Math.floor(total * 0.75),
  };
}

/** Looks the model up; answers 400/404 itself and returns undefined when the request cannot go on. */
export function checkModel(ex: Exchange, state: FakeState, body: Body): string | undefined {
  const model = typeof body.model === 'string' ? body.model : '';
  if (!model) {
    ex.json(400, { error: 'model is required' });
    return undefined;
  }
  state.countModel(model);
  if (!state.hasModel(model)) {
    ex.json(404, { error: `model '${model}' not found` });
    return undefined;
  }
  return model;
}

export async function handleGeneration(
  ex: Exchange,
  state: FakeState,
  kind: 'chat' | 'generate',
  body: Body,
): Promise<void> {
  const started = process.hrtime.bigint();
  const requestIndex = state.nextRequestIndex++;
  const model = checkModel(ex, state, body);
  if (model === undefined) return;
  if (isEmbeddingModel(model)) return ex.json(400, { error: `"${model}" does not support ${kind}` });
  const failure = state.takeFailure(model);
  if (failure) return ex.json(failure.status, failure.body);

  const options = isRecord(body.options) ? body.options : {};
  const messages = kind === 'chat' ? parseMessages(body.messages) : undefined;
  const prompt = kind === 'generate' ? (typeof body.prompt === 'string' ? body.prompt : '') : undefined;
  const system =
    kind === 'generate'
      ? typeof body.system === 'string'
        ? body.system
        : undefined
      : messages?.find((m) => m.role === 'system')?.content;
  const head = (content: string) =>
    kind === 'chat' ? { message: { role: 'assistant', content } } : { response: content };

  // Like Ollama, an empty prompt only loads the model (and is never streamed).
  if (prompt === '' || messages?.length === 0) {
    return ex.json(200, { model, created_at: now(), ...head(''), done: true, done_reason: 'load' });
  }

  const request: ReplyRequest = {
    path: `/api/${kind}`,
    model,
    ...(prompt !== undefined && { prompt }),
    ...(messages !== undefined && { messages }),
    ...(system !== undefined && { system }),
    options,
    format: body.format,
    requestIndex,
  };
  const reply = normalizeReply(await state.reply(request));
  if (!(await ex.sleep(reply.delayMs ?? state.delayFor(model)))) return;

  const shaped = shapeReply(reply.content, options);
  const promptText = messages ? messages.map((m) => m.content).join('\n') : `${system ?? ''}\n${prompt}`;
  const final = (content: string) => ({
    model,
    created_at: now(),
    ...head(content),
    done: true,
    done_reason: shaped.doneReason,
    ...(kind === 'generate' && body.raw !== true && { context: tokenIds(`${promptText}\n${shaped.text}`) }),
    ...metrics(started, countTokens(promptText), shaped.evalCount),
  });

  if (body.stream === false) return ex.json(200, final(shaped.text));

  // Ollama streams unless told `stream: false` (though the npm client always sends `stream: false` unless
  // asked): one line per chunk, then a final line with empty content and the stats.
  const midStreamError = state.takeMidStreamError();
  const chunks = splitChunks(shaped.text);
  const lines = midStreamError === undefined ? chunks : chunks.slice(0, Math.ceil(chunks.length / 2));
  const chunkDelay = reply.chunkDelayMs ?? state.chunkDelayMs;
  let first = true;
  const pause = async () => {
    if (first) {
      first = false;
      return true;
    }
    return ex.sleep(chunkDelay);
  };
  for (const chunk of lines) {
    if (!(await pause())) return;
    ex.line({ model, created_at: now(), ...head(chunk), done: false });
  }
  if (!(await pause())) return;
  ex.line(midStreamError === undefined ? final('') : { error: midStreamError });
  ex.end();
}

export async function handleEmbed(ex: Exchange, state: FakeState, body: Body): Promise<void> {
  const started = process.hrtime.bigint();
  const model = checkModel(ex, state, body);
  if (model === undefined) return;
  const { input } = body;
  let texts: string[];
  if (input === undefined || input === null) texts = [];
  else if (typeof input === 'string') texts = input === '' ? [] : [input];
  else if (Array.isArray(input) && input.every((t) => typeof t === 'string')) texts = input;
  else return ex.json(400, { error: 'invalid input type' });

  if (!(await ex.sleep(state.delayFor(model)))) return;
  const dims = typeof body.dimensions === 'number' ? body.dimensions : 0;
  const { total_duration, load_duration, prompt_eval_count } = metrics(
    started,
    texts.reduce((n, t) => n + countTokens(t), 0),
    0,
  );
  ex.json(200, {
    model,
    embeddings: texts.map((t) => embedText(t, dims)),
    total_duration,
    load_duration,
    prompt_eval_count,
  });
}
