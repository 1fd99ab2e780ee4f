import { ApiFailure, api, apiOrError } from '$lib/server/api.ts';
import type { Page, Run, RunComparison } from '$lib/types.ts';
import type { PageServerLoad } from './$types';

/** `?base=<run>&run=<run>`: how the second run differs from the first. Without both, a picker. */
export const load = (async ({ cookies, url }) => {
  const base = url.searchParams.get('base') ?? '';
  const run = url.searchParams.get('run') ?? '';
  const recent = await apiOrError<Page<Run>>(cookies, '/runs?limit=100');
  if (!base || !run) return { base, run, recent: recent.items, comparison: null, problem: null };
  try {
    const comparison = await api<RunComparison>(
      cookies,
      `/runs/${encodeURIComponent(run)}/compare?baseline=${encodeURIComponent(base)}`,
    );
    return { base, run, recent: recent.items, comparison, problem: null };
  } catch (failure) {
    if (!(failure instanceof ApiFailure)) throw failure;
    return { base, run, recent: recent.items, comparison: null, problem: failure.message };
  }
}) satisfies PageServerLoad;
