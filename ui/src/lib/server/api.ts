import { type Cookies, error } from '@sveltejs/kit';
import { env } from '$env/dynamic/private';
import type { ApiIssue } from '../types.ts';
import { requestContext } from './request-context.ts';

/** Read by the API's rate limiter, from loopback only (api/plugins/allowed-hosts.ts). */
const CLIENT_ADDRESS_HEADER = 'x-pcs-client-address';

/** The httpOnly cookie that holds the user's API key; the browser never reads it, this server forwards it. */
export const KEY_COOKIE = 'pcs_api_key';

/** Where the API answers. The API process that serves the dashboard sets it to its own address. */
export function apiBase(): string {
  return (env.PCS_API_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
}

/** A 4xx/5xx answer of the API, with the API's own message and field issues. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: ApiIssue[] = [],
  ) {
    super(message);
  }
}

type ApiRequest = { method?: string; body?: unknown; contentType?: string; signal?: AbortSignal };

/** Calls the API with the user's key (when set) and returns the raw response, whatever its status. */
export async function apiResponse(cookies: Cookies, path: string, init: ApiRequest = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = cookies.get(KEY_COOKIE);
  if (key) headers['x-api-key'] = key;
  // Without a key, the API counts requests per address: tell it whose this one is.
  const visitor = requestContext.getStore()?.clientAddress;
  if (visitor) headers[CLIENT_ADDRESS_HEADER] = visitor;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = init.contentType ?? 'application/json';
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  }
  try {
    return await fetch(`${apiBase()}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body,
      signal: init.signal,
    });
  } catch (cause) {
    throw new ApiFailure(
      503,
      `The API at ${apiBase()} is not reachable: ${String((cause as Error).cause ?? cause)}`,
    );
  }
}

/** Calls the API and parses its JSON reply; a 4xx/5xx becomes an ApiFailure with the API's message. */
export async function api<T>(cookies: Cookies, path: string, init: ApiRequest = {}): Promise<T> {
  const response = await apiResponse(cookies, path, init);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const parsed = text === '' ? undefined : safeJson(text);
  if (!response.ok) {
    const reply = (parsed ?? {}) as { message?: string; issues?: ApiIssue[] };
    throw new ApiFailure(
      response.status,
      reply.message ?? `The API answered ${response.status}.`,
      reply.issues,
    );
  }
  return parsed as T;
}

/** For load functions: an API failure becomes the error page with the API's status and message. */
export async function apiOrError<T>(cookies: Cookies, path: string): Promise<T> {
  try {
    return await api<T>(cookies, path);
  } catch (failure) {
    if (failure instanceof ApiFailure) error(failure.status, failure.message);
    throw failure;
  }
}

/** For form actions: what the page shows after a refused action. */
export function actionFailure(failure: unknown): { status: number; message: string; issues: ApiIssue[] } {
  if (failure instanceof ApiFailure) {
    const hint = failure.status === 401 || failure.status === 403 ? ' Set a valid API key in Settings.' : '';
    return { status: failure.status, message: `${failure.message}${hint}`, issues: failure.issues };
  }
  throw failure;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 500) };
  }
}
