import { InvalidAssertionError, ModelAssertionError } from '../../core/assertions/errors.ts';
import { TemplateError } from '../../core/card/template.ts';

/**
 * Why a cell could not be generated or graded. Permanent failures are stored as error results at once;
 * transient ones are retried (quickly in the activity, then with backoff by Temporal).
 */
export type CellFailure = { transient: boolean; type: string; message: string };

export function classifyCellError(error: unknown): CellFailure {
  if (error instanceof TemplateError) return permanent('template', error.message);
  if (error instanceof InvalidAssertionError) return permanent('invalid-assertion', error.message);
  if (error instanceof ModelAssertionError) return classifyGraderError(error);
  const status = ollamaStatus(error);
  if (status === 404) return permanent('model-not-found', messageOf(error));
  if (status !== undefined) {
    const retryable = status >= 500 || status === 408 || status === 429;
    return retryable
      ? transient(`ollama-${status}`, messageOf(error))
      : permanent('bad-request', messageOf(error));
  }
  if (isTimeout(error)) return transient('timeout', 'The model did not answer within the cell timeout');
  if (isConnectionError(error))
    return transient('connection', `Ollama is not reachable: ${messageOf(error)}`);
  return transient('unexpected', messageOf(error));
}

/** A judge or embedding model that does not exist is as permanent as a missing generation model. */
function classifyGraderError(error: ModelAssertionError): CellFailure {
  const cause = error.cause === undefined ? undefined : classifyCellError(error.cause);
  if (cause && !cause.transient) return permanent(`grader-${cause.type}`, error.message);
  return transient('grader', error.message);
}

function permanent(type: string, message: string): CellFailure {
  return { transient: false, type, message };
}

function transient(type: string, message: string): CellFailure {
  return { transient: true, type, message };
}

/** The ollama client throws `ResponseError` (not exported) carrying the HTTP status. */
function ollamaStatus(error: unknown): number | undefined {
  if (!(error instanceof Error) || error.name !== 'ResponseError') return undefined;
  const status = (error as Error & { status_code?: unknown }).status_code;
  return typeof status === 'number' ? status : undefined;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && error.name === 'TimeoutError';
}

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error.cause as { code?: string } | undefined)?.code;
  return (
    error.message === 'fetch failed' ||
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'UND_ERR_SOCKET'].includes(code ?? '')
  );
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
