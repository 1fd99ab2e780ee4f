import { error } from '@sveltejs/kit';
import { apiResponse } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

/**
 * The run's SSE stream, relayed from the API with the user's key (an EventSource cannot send headers).
 * Closing the page aborts the upstream request.
 */
export const GET = (async ({ cookies, params, url, request }) => {
  const lastEventId = request.headers.get('last-event-id') ?? url.searchParams.get('lastEventId') ?? '0';
  const path = `/runs/${encodeURIComponent(params.id)}/events?lastEventId=${encodeURIComponent(lastEventId)}`;
  const upstream = await apiResponse(cookies, path, { signal: request.signal });
  if (!upstream.ok || !upstream.body) error(upstream.status, await upstream.text());
  return new Response(upstream.body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
    },
  });
}) satisfies RequestHandler;
