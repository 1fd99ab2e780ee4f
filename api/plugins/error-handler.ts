import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { formatPath, type PathSegment, pointerToPath } from '../../core/card/path.ts';
import type { ErrorReporter } from '../../telemetry/errors.ts';
import type { ErrorReply, Issue } from '../schemas/common.ts';

/**
 * An error a route throws to answer with `{ error, message, issues? }`. 4xx messages reach the client;
 * a 5xx message reaches it only with `expose: true` (e.g. "Temporal is not reachable").
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly issues?: Issue[],
    readonly expose = statusCode < 500,
  ) {
    super(message);
  }
}

/** Where a value came from in the request: `body`, `query`, `params` or `headers`. */
export type RequestPart = 'body' | 'query' | 'params' | 'headers';

/**
 * `('body', ['cases', 0, 'name'])` → `body.cases[0].name`; `('body', [])` → `body`. A path already
 * formatted (`cases[0].name`, as in a CardIssue) is accepted too.
 */
export function fieldPath(part: RequestPart, path: readonly PathSegment[] | string): string {
  const rest = typeof path === 'string' ? path : formatPath(path);
  if (rest === '') return part;
  return rest.startsWith('[') ? `${part}${rest}` : `${part}.${rest}`;
}

/** A readable message listing the issues, for clients that show only `message`. */
export function issuesMessage(issues: readonly Issue[]): string {
  const lines = issues.map((i) => `${i.line === undefined ? '' : `line ${i.line}: `}${i.path} ${i.message}`);
  return lines.join('; ');
}

type AjvError = {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
};

type ValidationError = FastifyError & { validation: AjvError[]; validationContext?: string };

export type ErrorHandlerOptions = {
  /** Where 5xx go besides the log (Sentry), with the route and the run or card they were about. */
  errors?: ErrorReporter;
  /** The card of a run, for the report's `card` tag. */
  cardOfRun?: (runId: string) => string | undefined;
};

/**
 * One error handler: 4xx say what was wrong, 5xx are logged (and reported) and never leak details to the
 * client.
 */
async function errorHandler(fastify: FastifyInstance, options: ErrorHandlerOptions): Promise<void> {
  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    if (isValidationError(error)) return sendValidationError(error, reply);
    const status = statusOf(error);
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      options.errors?.capture(error, reportTags(request, status, options));
      const message = error instanceof ApiError && error.expose ? error.message : 'Something went wrong.';
      return send(reply, status, message);
    }
    return send(reply, status, clientMessage(error, request), issuesOf(error));
  });
  fastify.setNotFoundHandler((request, reply) =>
    send(reply, 404, `No route for ${request.method} ${request.url.split('?')[0]}`),
  );
}

function reportTags(
  request: FastifyRequest,
  status: number,
  options: ErrorHandlerOptions,
): Record<string, string | undefined> {
  const route = request.routeOptions.url ?? 'unmatched';
  const id = (request.params as { id?: unknown } | undefined)?.id;
  const runId = route.startsWith('/runs/:id') && typeof id === 'string' ? id : undefined;
  const cardId = route.startsWith('/cards/:id') && typeof id === 'string' ? id : undefined;
  return {
    route: `${request.method} ${route}`,
    status: String(status),
    runId,
    card: cardId ?? (runId ? options.cardOfRun?.(runId) : undefined),
  };
}

function send(reply: FastifyReply, status: number, message: string, issues?: Issue[]): FastifyReply {
  const body: ErrorReply = { error: STATUS_CODES[status] ?? 'Error', message };
  if (issues && issues.length > 0) body.issues = issues;
  return reply.status(status).send(body);
}

function statusOf(error: FastifyError): number {
  const status = error.statusCode;
  return status !== undefined && status >= 400 && status <= 599 ? status : 500;
}

/** Fastify's own 4xx messages, made to say what to do about them. */
function clientMessage(error: FastifyError, request: FastifyRequest): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': {
      const limit = request.routeOptions.bodyLimit;
      return `The request body is larger than the limit of ${limit} bytes (${formatBytes(limit)}).`;
    }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return (
        `Content-Type "${request.headers['content-type'] ?? ''}" is not supported by ` +
        `${request.method} ${request.routeOptions.url ?? request.url}; see /docs for what it accepts.`
      );
    default:
      return error.message;
  }
}

function issuesOf(error: FastifyError): Issue[] | undefined {
  const issues = (error as { issues?: unknown }).issues;
  return Array.isArray(issues) ? (issues as Issue[]) : undefined;
}

function isValidationError(error: FastifyError): error is ValidationError {
  return Array.isArray((error as { validation?: unknown }).validation);
}

function sendValidationError(error: ValidationError, reply: FastifyReply): FastifyReply {
  const part = requestPart(error.validationContext);
  const issues = error.validation.map((e) => validationIssue(part, e));
  return send(reply, 400, issuesMessage(issues), issues);
}

function requestPart(context: string | undefined): RequestPart {
  if (context === 'querystring') return 'query';
  if (context === 'params' || context === 'headers') return context;
  return 'body';
}

/** An Ajv error as the field it is about: a missing or unknown property is named in the path. */
function validationIssue(part: RequestPart, error: AjvError): Issue {
  const path = pointerToPath(error.instancePath);
  if (error.keyword === 'required') {
    return { path: fieldPath(part, [...path, String(error.params.missingProperty)]), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    const key = String(error.params.additionalProperty);
    return { path: fieldPath(part, [...path, key]), message: 'is not an allowed property' };
  }
  return { path: fieldPath(part, path), message: error.message ?? 'is invalid' };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1 << 20) return `${+(bytes / (1 << 20)).toFixed(1)} MiB`;
  if (bytes >= 1 << 10) return `${+(bytes / (1 << 10)).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export default fp(errorHandler, { name: 'error-handler' });
