import { apiOrError } from '$lib/server/api.ts';
import type { CardSummary, Page } from '$lib/types.ts';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;

export const load = (async ({ cookies, url }) => {
  const search = url.searchParams.get('search')?.trim() ?? '';
  const offset = Math.max(0, Number(url.searchParams.get('offset')) || 0);
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
  if (search) query.set('search', search);
  const page = await apiOrError<Page<CardSummary>>(cookies, `/cards?${query}`);
  return { page, search };
}) satisfies PageServerLoad;
