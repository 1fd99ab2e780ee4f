// FAKE Ollama server, for tests and benchmarks only.
//
// No model weights can be had on this machine (nor in CI), so nothing here runs a model. Instead this
// speaks Ollama's real HTTP wire format (NDJSON streaming, final stats in nanoseconds, `{"error": ...}`
// bodies with Ollama's own wording) so that the real `ollama` npm client, and our code on top of it, is
// exercised end to end. Replies, latency and failures are scripted per test.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkModel, handleEmbed, handleGeneration } from './ollama-generate.ts';
import { BadRequest, Exchange } from './ollama-http.ts';
import { DEFAULT_MID_STREAM_ERROR, DEFAULT_VERSION, defaultReply, FakeState } from './ollama-state.ts';
import { normalizeModelName, showResponse, tagsEntry } from './ollama-wire.ts';

export interface FakeMessage {
  role: string;
  content: string;
}

export interface ReplyRequest {
  path: '/api/chat' | '/api/generate';
  /** The model name exactly as the client sent it. */
  model: string;
  /** /api/generate only. */
  prompt?: string;
  /** /api/chat only. */
  messages?: FakeMessage[];
  /** The `system` field of /api/generate, or the first system message of /api/chat. */
  system?: string;
  options: Record<string, unknown>;
  format: unknown;
  /** 0-based index of this generation request since start (or the last resetStats()). */
  requestIndex: number;
}

/** `delayMs` replaces the configured latency for this call; `chunkDelayMs` spaces streamed chunks. */
export type Reply = string | { content: string; delayMs?: number; chunkDelayMs?: number };
export type ReplyFn = (request: ReplyRequest) => Reply | Promise<Reply>;

export interface FakeOllamaStats {
  /** Every HTTP request, including bad ones. */
  requests: number;
  byPath: Record<string, number>;
  /** chat/generate/embed/show requests, keyed by the model name as sent. */
  byModel: Record<string, number>;
  /** Requests whose client disconnected before the response was finished. */
  aborted: number;
  inFlight: number;
  /** Highest inFlight seen: lets benchmarks check that concurrency stayed bounded. */
  maxInFlight: number;
}

export interface FailOptions {
  status?: number;
  /** A string becomes `{"error": body}`; an object is sent as the JSON body as is. */
  body?: string | Record<string, unknown>;
}

export interface FakeOllamaOptions {
  port?: number;
  host?: string;
  models?: string[];
  reply?: ReplyFn;
  delayMs?: number;
  chunkDelayMs?: number;
  version?: string;
}

export interface FakeOllama {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** A snapshot: read it again to see new counts. */
  readonly stats: FakeOllamaStats;
  /** Normalised names ("name:tag", lowercase). */
  readonly models: readonly string[];
  close(): Promise<void>;
  resetStats(): void;
  /** Restores the options given at start: reply, delays, models, no failures; also resets stats. */
  reset(): void;
  /** Without an argument, restores the default reply. */
  setReply(fn?: ReplyFn): void;
  /** Latency before the first byte of chat/generate/embed responses, for all models or one. */
  setDelay(ms: number, model?: string): void;
  /** Pause between the lines of a streamed response. */
  setChunkDelay(ms: number): void;
  /** Every n-th chat/generate request (per model if given) fails; n <= 0 removes the rule. */
  failEvery(n: number, options?: FailOptions & { model?: string }): void;
  /** The next `count` chat/generate requests fail. */
  failNext(count: number, options?: FailOptions): void;
  /** The next streamed chat/generate response sends about half its chunks, then an error line. */
  errorMidStream(text?: string): void;
  addModel(name: string): void;
  removeModel(name: string): void;
}

export { DEFAULT_MID_STREAM_ERROR, DEFAULT_MODELS, DEFAULT_VERSION, defaultReply } from './ollama-state.ts';

type Handler = (ex: Exchange, state: FakeState) => Promise<void> | void;

async function handleShow(ex: Exchange, state: FakeState): Promise<void> {
  const body = await ex.readJson();
  const model = checkModel(ex, state, { model: body.model ?? body.name });
  if (model !== undefined) ex.json(200, showResponse(normalizeModelName(model)));
}

const routes: Record<string, { method: 'GET' | 'POST'; handle: Handler }> = {
  '/': { method: 'GET', handle: (ex) => ex.text(200, 'Ollama is running') },
  '/api/version': { method: 'GET', handle: (ex, state) => ex.json(200, { version: state.version }) },
  '/api/tags': {
    method: 'GET',
    handle: (ex, state) => ex.json(200, { models: [...state.models].map(tagsEntry) }),
  },
  '/api/show': { method: 'POST', handle: handleShow },
  '/api/chat': {
    method: 'POST',
    handle: async (ex, state) => handleGeneration(ex, state, 'chat', await ex.readJson()),
  },
  '/api/generate': {
    method: 'POST',
    handle: async (ex, state) => handleGeneration(ex, state, 'generate', await ex.readJson()),
  },
  '/api/embed': { method: 'POST', handle: async (ex, state) => handleEmbed(ex, state, await ex.readJson()) },
};

export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const state = new FakeState(options, options.version ?? DEFAULT_VERSION);

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const { stats } = state;
    stats.requests++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const ex = new Exchange(req, res, (aborted) => {
      state.stats.inFlight--;
      if (aborted) state.stats.aborted++;
    });

    const route = routes[path];
    if (!route) return ex.text(404, '404 page not found');
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method !== route.method) return ex.text(405, '405 method not allowed');
    Promise.resolve()
      .then(() => route.handle(ex, state))
      .catch((err: unknown) => {
        if (ex.aborted) return;
        if (err instanceof BadRequest) return ex.json(400, { error: err.message });
        ex.json(500, { error: `fake ollama: ${(err as Error).message}` });
        // A failure after streaming began cannot change the status any more: end the stream.
        if (res.headersSent) ex.end();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    get stats() {
      return structuredClone(state.stats);
    },
    get models() {
      return [...state.models];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets (and requests still waiting on a delay) would otherwise hold close() open.
        server.closeAllConnections();
      }),
    resetStats: () => state.resetStats(),
    reset: () => state.reset(),
    setReply: (fn) => {
      state.reply = fn ?? defaultReply;
    },
    setDelay: (ms, model) => {
      if (model === undefined) state.delayMs = ms;
      else state.modelDelays.set(normalizeModelName(model), ms);
    },
    setChunkDelay: (ms) => {
      state.chunkDelayMs = ms;
    },
    failEvery: (n, opts = {}) => state.failEvery(n, opts),
    failNext: (count, opts = {}) => state.failNext(count, opts),
    errorMidStream: (text = DEFAULT_MID_STREAM_ERROR) => {
      state.midStreamError = text;
    },
    addModel: (name) => {
      state.models.add(normalizeModelName(name));
    },
    removeModel: (name) => {
      state.models.delete(normalizeModelName(name));
    },
  };
}
