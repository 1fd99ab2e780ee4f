// HTTP plumbing for the fake Ollama server (see ./ollama.ts): one Exchange per request, which knows
// whether the client went away so that pending timers are cleared and nothing more is written.
import type { IncomingMessage, ServerResponse } from 'node:http';

export class Exchange {
  /** True once the client disconnected before the response was finished. */
  aborted = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: ((ok: boolean) => void) | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    onClose: (aborted: boolean) => void,
  ) {
    res.once('close', () => {
      this.aborted = !res.writableEnded;
      if (this.aborted) this.cancelSleep();
      onClose(this.aborted);
    });
  }

  /** Resolves true after `ms`, or false as soon as the client disconnects. */
  sleep(ms: number): Promise<boolean> {
    if (this.aborted) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.wake = undefined;
        resolve(true);
      }, ms);
    });
  }

  private cancelSleep(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wake?.(false);
    this.wake = undefined;
  }

  async readJson(): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of this.req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() === '') throw new BadRequest('missing request body');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new BadRequest((err as Error).message);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new BadRequest('request body must be a JSON object');
    }
    return body as Record<string, unknown>;
  }

  json(status: number, body: unknown): void {
    if (this.aborted || this.res.headersSent) return;
    this.res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    this.res.end(JSON.stringify(body));
  }

  text(status: number, text: string): void {
    if (this.aborted || this.res.headersSent) return;
    this.res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
    this.res.end(text);
  }

  /** Writes one NDJSON line, sending the streaming headers first if needed. */
  line(body: unknown): void {
    if (this.aborted) return;
    if (!this.res.headersSent) this.res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    this.res.write(`${JSON.stringify(body)}\n`);
  }

  end(): void {
    if (!this.aborted) this.res.end();
  }
}

export class BadRequest extends Error {}
