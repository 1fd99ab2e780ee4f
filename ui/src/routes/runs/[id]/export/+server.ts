import { error } from '@sveltejs/kit';
import { apiResponse } from '$lib/server/api.ts';
import type { RequestHandler } from './$types';

const PASSED_HEADERS = ['content-type', 'content-disposition'];

/** The run's export (JSON, CSV or JUnit XML) as a download, fetched with the user's key. */
export const GET = (async ({ cookies, params, url }) => {
  const format = url.searchParams.get('format') ?? 'json';
  const path = `/runs/${encodeURIComponent(params.id)}/export?format=${encodeURIComponent(format)}`;
  const upstream = await apiResponse(cookies, path);
  if (!upstream.ok || !upstream.body) error(upstream.status, await upstream.text());
  const headers = new Headers();
  for (const name of PASSED_HEADERS) {
    const value = upstream.headers.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(upstream.body, { headers });
}) satisfies RequestHandler;
