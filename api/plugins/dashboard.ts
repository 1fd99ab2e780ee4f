import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hostAllowed, requestHostName } from './allowed-hosts.ts';
import { ApiError } from './error-handler.ts';

export type DashboardOptions = {
  /** The SvelteKit adapter-node output (ui/build). */
  buildDir: string;
  /** Where the dashboard's server code calls the API: this process's own address. */
  apiUrl: string;
  /** Host names the dashboard answers to (config http.allowedHosts); any other gets 421. */
  allowedHosts: readonly string[];
};

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const BASE = '/ui';
const PROTOCOL_HEADER = 'x-pcs-dashboard-protocol';

/**
 * Serves the SvelteKit dashboard under /ui from the same port as the API, and sends a browser that opens
 * `/` there. Requests are handed to SvelteKit's Node handler before Fastify parses a body, so its form
 * actions read the raw request. Without a build, /ui answers 503 saying how to build it.
 */
async function dashboard(fastify: FastifyInstance, options: DashboardOptions): Promise<void> {
  const handlerFile = path.join(options.buildDir, 'handler.js');
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
  fastify.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect(`${BASE}/`));
  if (!existsSync(handlerFile)) {
    const notBuilt = async () => {
      throw new ApiError(
        503,
        'The dashboard is not built: run `npm run ui:build` (npm start does it for you).',
      );
    };
    fastify.route({ method: [...methods], url: BASE, schema: { hide: true }, handler: notBuilt });
    fastify.route({ method: [...methods], url: `${BASE}/*`, schema: { hide: true }, handler: notBuilt });
    return;
  }
  const handler = await loadHandler(handlerFile, options.apiUrl);
  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    // DNS rebinding: a page on another name that resolves to this address must not drive the dashboard.
    if (!hostAllowed(request, options.allowedHosts)) return misdirected(request, reply);
    // SvelteKit checks that a form's Origin is the page's own origin; tell it the protocol Fastify saw
    // (any client-sent value is overwritten), and it takes the host from the Host header.
    request.raw.headers[PROTOCOL_HEADER] = request.protocol;
    reply.hijack();
    handler(request.raw, reply.raw, () => {
      reply.raw.statusCode = 404;
      reply.raw.end('Not found');
    });
  };
  const unreachable = async () => undefined;
  for (const url of [BASE, `${BASE}/*`]) {
    fastify.route({
      method: [...methods],
      url,
      schema: { hide: true },
      onRequest: serve,
      handler: unreachable,
    });
  }
}

function misdirected(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const message = `This dashboard does not answer to the host "${requestHostName(request)}": open it at PCS_PUBLIC_URL, or add the name to PCS_ALLOWED_HOSTS.`;
  return reply.status(421).type('text/plain; charset=utf-8').send(message);
}

/**
 * adapter-node's handler reads its settings from process.env (with the PCS_UI_ prefix set in
 * ui/svelte.config.js) when it is first imported.
 */
async function loadHandler(handlerFile: string, apiUrl: string): Promise<NodeHandler> {
  process.env.PCS_API_URL ||= apiUrl;
  process.env.PCS_UI_PROTOCOL_HEADER = PROTOCOL_HEADER;
  const module = (await import(pathToFileURL(handlerFile).href)) as { handler: NodeHandler };
  return module.handler;
}

export default fp(dashboard, { name: 'pcs-dashboard' });
