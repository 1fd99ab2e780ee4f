import { json } from '@sveltejs/kit';
import { apiOrError } from '$lib/server/api.ts';
import type { Page, Result } from '$lib/types.ts';
import type { RequestHandler } from './$types';

/** Every repeat of one case on one model, in full: what the cell panel shows. */
export const GET = (async ({ cookies, params, url }) => {
  const query = new URLSearchParams({
    case: url.searchParams.get('case') ?? '',
    model: url.searchParams.get('model') ?? '',
    limit: '200',
  });
  const page = await apiOrError<Page<Result>>(
    cookies,
    `/runs/${encodeURIComponent(params.id)}/results?${query}`,
  );
  return json(page.items);
}) satisfies RequestHandler;
