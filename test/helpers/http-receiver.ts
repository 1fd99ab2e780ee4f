import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it; `body` is the raw text, the bytes a signature covers. */
export type ReceivedRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
};

/** What the receiver answers; `index` is 0 for the first request since start (or the last reset). */
export type Responder = (request: ReceivedRequest, index: number) => { status: number; body?: string };

export type HttpReceiver = {
  /** http://127.0.0.1:PORT/hooks/pcs */
  readonly url: string;
  /** A copy of every request received so far, oldest first. */
  readonly requests: ReceivedRequest[];
  /** Changes the answer for later requests; the default answers 200. */
  respondWith(responder: Responder): void;
  /** Forgets the requests received and restores the default answer. */
  reset(): void;
  close(): Promise<void>;
};

const OK: Responder = () => ({ status: 200, body: 'ok' });

/** A real HTTP server on 127.0.0.1 (random port) that records what it receives, e.g. webhooks. */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  let requests: ReceivedRequest[] = [];
  let responder = OK;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      const { status, body } = responder(request, requests.length - 1);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body ?? '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/pcs`,
    get requests() {
      return [...requests];
    },
    respondWith(next) {
      responder = next;
    },
    reset() {
      requests = [];
      responder = OK;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
