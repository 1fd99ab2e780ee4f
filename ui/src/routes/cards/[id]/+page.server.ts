import { fail, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { ApiFailure, actionFailure, api, apiOrError } from '$lib/server/api.ts';
import { saveCardAction } from '$lib/server/cards.ts';
import type { CardDetail, CardVersion, Model, Page, Run, Schedule, TrendPoint } from '$lib/types.ts';
import type { Actions, PageServerLoad } from './$types';

type ModelsReply = { ollamaHost: string; models: Model[] };

export const load = (async ({ cookies, params, url }) => {
  const id = encodeURIComponent(params.id);
  const detail = await apiOrError<CardDetail>(cookies, `/cards/${id}`);
  const versionParam = Number(url.searchParams.get('version'));
  const shown =
    versionParam && versionParam !== detail.latest.version
      ? await apiOrError<CardVersion>(cookies, `/cards/${id}/versions/${versionParam}`)
      : detail.latest;
  const [runs, models, trend, baseline, schedules] = await Promise.all([
    apiOrError<Page<Run>>(cookies, `/runs?cardId=${id}&limit=50`),
    listModels(cookies),
    apiOrError<{ points: TrendPoint[] }>(cookies, `/cards/${id}/trend?limit=50`),
    currentBaseline(cookies, id),
    apiOrError<Page<Schedule>>(cookies, `/schedules?cardId=${id}&limit=50`),
  ]);
  return {
    ...detail,
    shown,
    runs: runs.items,
    models,
    trend: trend.points,
    baseline,
    schedules: schedules.items,
    saved: url.searchParams.get('saved'),
  };
}) satisfies PageServerLoad;

/** The pinned baseline, else the default one (latest completed run of the latest version); null if none. */
async function currentBaseline(cookies: Parameters<typeof api>[0], id: string) {
  try {
    return await api<{ pinned: boolean; run: Run }>(cookies, `/cards/${id}/baseline`);
  } catch (failure) {
    if (failure instanceof ApiFailure && failure.status === 404) return null;
    throw failure;
  }
}

/** The model picker's choices; when Ollama is down, the reason instead of a list. */
async function listModels(cookies: Parameters<typeof api>[0]) {
  try {
    const reply = await api<ModelsReply>(cookies, '/models');
    return { available: reply.models.map((m) => m.id), unreachable: null };
  } catch (failure) {
    if (!(failure instanceof ApiFailure)) throw failure;
    return { available: ['echo'], unreachable: failure.message };
  }
}

export const actions = {
  save: async ({ request, cookies }) => saveCardAction(cookies, await request.formData()),
  run: async ({ request, cookies, params }) => {
    const form = await request.formData();
    const body = runBody(params.id, form);
    let started: { runId: string };
    try {
      started = await api<{ runId: string }>(cookies, '/runs', { method: 'POST', body });
    } catch (failure) {
      const { status, message, issues } = actionFailure(failure);
      return fail(status, { action: 'run', message, issues });
    }
    redirect(303, resolve('/runs/[id]', { id: started.runId }));
  },
  pinBaseline: async ({ request, cookies, params }) => {
    const runId = String((await request.formData()).get('runId') ?? '');
    try {
      await api(cookies, `/cards/${encodeURIComponent(params.id)}/baseline`, {
        method: 'PUT',
        body: { runId },
      });
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'baseline', message, issues: [] });
    }
    return { action: 'baseline', ok: true, message: `Run ${runId} is now the baseline.` };
  },
  unpinBaseline: async ({ cookies, params }) => {
    try {
      await api(cookies, `/cards/${encodeURIComponent(params.id)}/baseline`, { method: 'DELETE' });
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'baseline', message, issues: [] });
    }
    return { action: 'baseline', ok: true, message: 'Baseline unpinned: the latest completed run counts.' };
  },
  archive: async ({ cookies, params }) => {
    try {
      await api(cookies, `/cards/${encodeURIComponent(params.id)}`, { method: 'DELETE' });
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'archive', message, issues: [] });
    }
    redirect(303, resolve('/cards'));
  },
} satisfies Actions;

function runBody(cardId: string, form: FormData) {
  const number = (name: string) => {
    const value = String(form.get(name) ?? '').trim();
    return value === '' ? undefined : Number(value);
  };
  const models = form.getAll('models').map(String);
  return {
    cardId,
    version: number('version'),
    models: models.length > 0 ? models : undefined,
    repeat: number('repeat'),
    concurrency: number('concurrency'),
    noCache: form.get('noCache') === 'on' ? true : undefined,
  };
}
