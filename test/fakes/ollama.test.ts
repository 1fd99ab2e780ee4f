import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Ollama } from 'ollama';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeOllama, type ReplyRequest, startFakeOllama } from './ollama.ts';

let fake: FakeOllama;
let client: Ollama;

beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  client = new Ollama({ host: fake.url });
});

const MODEL = 'llama3.2:3b';
const user = (content: string) => [{ role: 'user', content }];

async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error('expected the promise to reject');
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const cosine = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * (b[i] ?? 0), 0);

// libuv timers run on a millisecond clock cached per loop turn, so they may fire up to 1 ms "early".
const TIMER_SLACK_MS = 1;

describe('chat and generate', () => {
  it('streams chat as several chunks that add up to the reply, then a final object', async () => {
    const parts = [];
    for await (const part of await client.chat({
      model: MODEL,
      messages: user('route my ticket'),
      stream: true,
    })) {
      parts.push(part);
    }
    const last = parts.at(-1);
    const chunks = parts.slice(0, -1);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((p) => p.done === false && p.message.role === 'assistant')).toBe(true);
    expect(chunks.map((p) => p.message.content).join('')).toBe('echo: route my ticket');
    expect(last).toMatchObject({ model: MODEL, done: true, done_reason: 'stop', message: { content: '' } });
  });

  it('answers chat with stream: false as one object', async () => {
    const res = await client.chat({ model: MODEL, messages: user('hello there') });
    expect(res.message).toEqual({ role: 'assistant', content: 'echo: hello there' });
    expect(res).toMatchObject({ done: true, done_reason: 'stop' });
  });

  it('generates, streaming and not, with the context on the final object', async () => {
    const whole = await client.generate({ model: MODEL, prompt: 'say hi' });
    expect(whole.response).toBe('echo: say hi');
    expect(whole.context.length).toBeGreaterThan(0);

    let text = '';
    let final: typeof whole | undefined;
    for await (const part of await client.generate({ model: MODEL, prompt: 'say hi', stream: true })) {
      text += part.response ?? '';
      if (part.done) final = part;
    }
    expect(text).toBe('echo: say hi');
    expect(final).toMatchObject({ done: true, done_reason: 'stop', response: '' });
  });

  it('passes the request to the reply function and uses what it returns', async () => {
    const seen: ReplyRequest[] = [];
    fake.setReply((r) => {
      seen.push(r);
      return `reply ${r.requestIndex}`;
    });
    const chat = await client.chat({
      model: MODEL,
      messages: [{ role: 'system', content: 'Be brief.' }, ...user('Q1')],
      options: { temperature: 0, seed: 7 },
      format: 'json',
    });
    const gen = await client.generate({
      model: 'qwen2.5:7b',
      prompt: 'Q2',
      system: 'Sys',
      format: { type: 'object' },
    });

    expect([chat.message.content, gen.response]).toEqual(['reply 0', 'reply 1']);
    expect(seen[0]).toEqual({
      path: '/api/chat',
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Q1' },
      ],
      system: 'Be brief.',
      options: { temperature: 0, seed: 7 },
      format: 'json',
      requestIndex: 0,
    });
    expect(seen[1]).toMatchObject({
      path: '/api/generate',
      prompt: 'Q2',
      system: 'Sys',
      format: { type: 'object' },
    });
  });

  it('reports durations in nanoseconds and deterministic token counts', async () => {
    fake.setDelay(30);
    fake.setReply(() => 'Billing, probably.');
    const res = await client.chat({ model: MODEL, messages: user('I was charged twice') });
    expect(res.total_duration).toBeGreaterThanOrEqual((30 - TIMER_SLACK_MS) * 1e6);
    expect(res.load_duration + res.prompt_eval_duration + res.eval_duration).toBeLessThanOrEqual(
      res.total_duration,
    );
    expect(res.eval_duration).toBeGreaterThan(0);
    expect(res.prompt_eval_count).toBe(4);
    expect(res.eval_count).toBe(4); // Billing , probably .
    expect(Number.isNaN(Date.parse(String(res.created_at)))).toBe(false);
  });

  it('caps the reply at num_predict tokens with done_reason "length", and honours stop', async () => {
    fake.setReply(() => 'one two three four five');
    const capped = await client.generate({ model: MODEL, prompt: 'count', options: { num_predict: 3 } });
    expect(capped).toMatchObject({ response: 'one two three', done_reason: 'length', eval_count: 3 });

    const full = await client.generate({ model: MODEL, prompt: 'count', options: { num_predict: 10 } });
    expect(full).toMatchObject({ response: 'one two three four five', done_reason: 'stop', eval_count: 5 });

    const stopped = await client.generate({ model: MODEL, prompt: 'count', options: { stop: ['four'] } });
    expect(stopped).toMatchObject({ response: 'one two three ', done_reason: 'stop', eval_count: 3 });
  });

  it('streams by default when a raw request leaves out "stream"', async () => {
    const res = await fetch(`${fake.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: MODEL, messages: user('a b c') }),
    });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.at(-1)).toMatchObject({ done: true });
  });
});

describe('embeddings and model metadata', () => {
  it('embeds so that similar texts are close and unrelated ones are not', async () => {
    const res = await client.embed({
      model: 'nomic-embed-text',
      input: ['The cat sat on the mat.', 'the cat sat on a mat', 'Quarterly revenue grew eleven percent'],
    });
    const [a = [], b = [], c = []] = res.embeddings;
    expect(res.embeddings).toHaveLength(3);
    expect(a).toHaveLength(256);
    expect(cosine(a, a)).toBeCloseTo(1, 6);
    expect(cosine(a, b)).toBeGreaterThan(0.8);
    expect(Math.abs(cosine(a, c))).toBeLessThan(0.3);
    expect(res.prompt_eval_count).toBeGreaterThan(0);

    const single = await client.embed({ model: MODEL, input: 'the cat sat on a mat' });
    expect(single.embeddings).toEqual([b]);
  });

  it('lists, shows and versions like Ollama', async () => {
    fake.addModel('mistral');
    const { models } = await client.list();
    expect(models.map((m) => m.name)).toEqual([
      'llama3.2:3b',
      'qwen2.5:7b',
      'nomic-embed-text:latest',
      'mistral:latest',
    ]);
    expect(models[0]).toMatchObject({
      model: 'llama3.2:3b',
      details: { family: 'llama', parameter_size: '3B' },
    });
    expect(models[0]?.digest).toMatch(/^[0-9a-f]{64}$/);

    const show = await client.show({ model: 'qwen2.5:7b' });
    expect(show.capabilities).toContain('completion');
    expect(show.details.family).toBe('qwen');
    expect(show.model_info).toHaveProperty(['general.architecture'], 'qwen');
    expect(show.modelfile).toContain('FROM qwen2.5:7b');
    expect((await client.show({ model: 'nomic-embed-text' })).capabilities).toEqual(['embedding']);

    expect(await client.version()).toEqual({ version: '0.12.0' });
    expect(await (await fetch(fake.url)).text()).toBe('Ollama is running');
    expect((await fetch(`${fake.url}/api/nope`)).status).toBe(404);
    expect((await fetch(`${fake.url}/api/chat`)).status).toBe(405);
  });

  it("answers 404 with Ollama's message for an unknown model, on every model endpoint", async () => {
    const calls = [
      client.chat({ model: 'nope:1b', messages: user('hi') }),
      client.chat({ model: 'nope:1b', messages: user('hi'), stream: true }),
      client.generate({ model: 'nope:1b', prompt: 'hi' }),
      client.embed({ model: 'nope:1b', input: 'hi' }),
      client.show({ model: 'nope:1b' }),
    ];
    for (const call of calls) {
      // ResponseError is not exported by the ollama package, and it calls the status `status_code`.
      expect(await rejection(call)).toMatchObject({
        name: 'ResponseError',
        status_code: 404,
        message: "model 'nope:1b' not found",
      });
    }
    fake.removeModel(MODEL);
    expect(await rejection(client.generate({ model: MODEL, prompt: 'hi' }))).toMatchObject({
      status_code: 404,
    });
  });

  it('refuses chat on an embedding-only model', async () => {
    const err = await rejection(client.chat({ model: 'nomic-embed-text', messages: user('hi') }));
    expect(err).toMatchObject({ status_code: 400, message: '"nomic-embed-text" does not support chat' });
  });
});

describe('scripted failures', () => {
  it('failEvery(3) fails exactly every third call with a 500', async () => {
    fake.failEvery(3);
    const statuses: number[] = [];
    for (let i = 0; i < 9; i++) {
      const status = await client.chat({ model: MODEL, messages: user(`q${i}`) }).then(
        () => 200,
        (err: { status_code: number }) => err.status_code,
      );
      statuses.push(status);
    }
    expect(statuses).toEqual([200, 200, 500, 200, 200, 500, 200, 200, 500]);
  });

  it('failEvery counts per model when given one', async () => {
    fake.failEvery(2, { model: 'qwen2.5:7b', status: 503 });
    const outcomes: string[] = [];
    for (const model of ['qwen2.5:7b', MODEL, 'qwen2.5:7b', MODEL, 'qwen2.5:7b', 'qwen2.5:7b']) {
      outcomes.push(
        await client.generate({ model, prompt: 'x' }).then(
          () => 'ok',
          (err: Error & { status_code: number }) => `${err.status_code} ${err.message}`,
        ),
      );
    }
    const busy = '503 server busy, please try again.  maximum pending requests exceeded';
    expect(outcomes).toEqual(['ok', 'ok', busy, 'ok', 'ok', busy]);
  });

  it('failNext fails the next calls with the given status and body, then recovers', async () => {
    fake.failNext(2, { status: 500, body: 'llama runner process has terminated' });
    for (let i = 0; i < 2; i++) {
      expect(await rejection(client.generate({ model: MODEL, prompt: 'x' }))).toMatchObject({
        status_code: 500,
        message: 'llama runner process has terminated',
      });
    }
    expect((await client.generate({ model: MODEL, prompt: 'x' })).response).toBe('echo: x');
  });

  it('an error mid-stream surfaces from the client iterator after some chunks', async () => {
    fake.setReply(() => 'one two three four five six');
    fake.errorMidStream('runner crashed');
    const received: string[] = [];
    const stream = await client.chat({ model: MODEL, messages: user('go'), stream: true });
    const err = await rejection(
      (async () => {
        for await (const part of stream) received.push(part.message.content);
      })(),
    );
    expect(err.message).toBe('runner crashed');
    expect(received).toEqual(['one', ' two', ' three']);

    // Armed once only: the next stream is whole again.
    let text = '';
    for await (const part of await client.chat({ model: MODEL, messages: user('go'), stream: true })) {
      text += part.message.content;
    }
    expect(text).toBe('one two three four five six');
  });
});

describe('latency, aborts and load', () => {
  it('delays a call by at least the configured latency', async () => {
    fake.setDelay(100, MODEL);
    const started = performance.now();
    await client.chat({ model: MODEL, messages: user('slow') });
    expect(performance.now() - started).toBeGreaterThanOrEqual(100 - TIMER_SLACK_MS);
  });

  it('counts a stream aborted by client.abort() between chunks', async () => {
    fake.setReply(() => ({ content: 'a b c d e', chunkDelayMs: 10_000 }));
    const stream = await client.chat({ model: MODEL, messages: user('go'), stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.message.content).toBe('a');
    client.abort();
    expect((await rejection(iterator.next())).name).toBe('AbortError');
    await waitFor(() => fake.stats.aborted === 1);
    expect(fake.stats.inFlight).toBe(0);
  });

  it('counts a request aborted while it waits for its first byte', async () => {
    fake.setDelay(10_000);
    const controller = new AbortController();
    const abortable = new Ollama({
      host: fake.url,
      fetch: (input, init) => fetch(input, { ...init, signal: controller.signal }),
    });
    const pending = rejection(abortable.chat({ model: MODEL, messages: user('go'), stream: true }));
    await waitFor(() => fake.stats.inFlight === 1);

    // client.abort() only reaches streams whose headers have arrived; this one has none yet.
    abortable.abort();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.stats).toMatchObject({ aborted: 0, inFlight: 1 });

    controller.abort();
    expect((await pending).name).toBe('AbortError');
    await waitFor(() => fake.stats.aborted === 1);
    expect(fake.stats.inFlight).toBe(0);
  });

  it("keeps count under concurrent load without exceeding the callers' concurrency", async () => {
    fake.setDelay(2);
    const total = 400;
    const concurrency = 16;
    let next = 0;
    const replies: string[] = [];
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          const model = i % 2 ? MODEL : 'qwen2.5:7b';
          replies.push((await client.chat({ model, messages: user(`n${i}`) })).message.content);
        }
      }),
    );
    expect(replies).toHaveLength(total);
    expect(new Set(replies).size).toBe(total);
    await waitFor(() => fake.stats.inFlight === 0);
    const stats = fake.stats;
    expect(stats).toMatchObject({ requests: total, byPath: { '/api/chat': total }, aborted: 0 });
    expect(stats.byModel).toEqual({ [MODEL]: total / 2, 'qwen2.5:7b': total / 2 });
    expect(stats.maxInFlight).toBeLessThanOrEqual(concurrency);

    fake.resetStats();
    expect(fake.stats).toEqual({
      requests: 0,
      byPath: {},
      byModel: {},
      aborted: 0,
      inFlight: 0,
      maxInFlight: 0,
    });
  });
});

describe('ollama-server.ts', () => {
  it('runs the fake as its own process and stops on SIGTERM', async () => {
    const entry = fileURLToPath(new URL('./ollama-server.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', entry, '--port', '0', '--models', 'tiny:1b'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const url = line.toString().match(/http:\/\/127\.0\.0\.1:\d+/)?.[0];
      expect(url).toBeDefined();
      const { models } = await new Ollama({ host: url }).list();
      expect(models.map((m) => m.name)).toEqual(['tiny:1b']);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });
});
