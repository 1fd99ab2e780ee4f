import { fail, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { actionFailure, api, apiOrError } from '$lib/server/api.ts';
import { allResults, toMatrixCell } from '$lib/server/results.ts';
import type { RunDetail } from '$lib/types.ts';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ cookies, params }) => {
  const run = await apiOrError<RunDetail>(cookies, `/runs/${encodeURIComponent(params.id)}`);
  const results = await allResults(cookies, run.id);
  return {
    run,
    cells: results.map(toMatrixCell),
    lastEventId: results.reduce((max, r) => Math.max(max, r.id), 0),
  };
}) satisfies PageServerLoad;

export const actions = {
  cancel: async ({ cookies, params }) => {
    try {
      await api(cookies, `/runs/${encodeURIComponent(params.id)}/cancel`, { method: 'POST' });
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'cancel', message });
    }
    return { action: 'cancel', message: 'Cancel requested: in-flight model calls are being stopped.' };
  },
  retry: async ({ cookies, params }) => {
    let started: { runId: string };
    try {
      started = await api<{ runId: string }>(cookies, `/runs/${encodeURIComponent(params.id)}/retry`, {
        method: 'POST',
      });
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'retry', message });
    }
    redirect(303, resolve('/runs/[id]', { id: started.runId }));
  },
} satisfies Actions;
