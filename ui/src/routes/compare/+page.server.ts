import { ApiFailure, api, apiOrError } from '$lib/server/api.ts';
import type { Page, Run, RunComparison } from '$lib/types.ts';
import type { PageServerLoad } from './$types';

/** `?base=<run>&run=<run>`: how the second run differs from the first. Without both, a picker. */
export const load = (async ({ cookies, url }) => {
  const base = url.searchParams.get('base') ?? '';
  const run = url.searchParams.get('run') ?? '';
  const recent = await apiOrError<Page<Run>>(cookies, '/runs?limit=100');
  if (!base || !run)
    return { base, run, recent: recent.items, comparison: null, stored: null, problem: null };
  try {
    const [comparison, candidate] = await Promise.all([
      api<RunComparison>(
        cookies,
        `/runs/${encodeURIComponent(run)}/compare?baseline=${encodeURIComponent(base)}`,
      ),
      api<Run>(cookies, `/runs/${encodeURIComponent(run)}`),
    ]);
    // The verdict stored when the run ended, if it was judged against this same base run.
    const stored = candidate.verdict?.baselineRunId === base ? candidate.verdict : null;
    return { base, run, recent: recent.items, comparison, stored, problem: null };
  } catch (failure) {
    if (!(failure instanceof ApiFailure)) throw failure;
    return { base, run, recent: recent.items, comparison: null, stored: null, problem: failure.message };
  }
}) satisfies PageServerLoad;
