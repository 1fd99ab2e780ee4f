import { fail } from '@sveltejs/kit';
import { actionFailure, api, apiOrError } from '$lib/server/api.ts';
import type { CardSummary, Page, Schedule } from '$lib/types.ts';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ cookies }) => {
  const [schedules, cards] = await Promise.all([
    apiOrError<Page<Schedule>>(cookies, '/schedules?limit=200'),
    apiOrError<Page<CardSummary>>(cookies, '/cards?limit=200'),
  ]);
  return { schedules: schedules.items, cards: cards.items };
}) satisfies PageServerLoad;

function text(form: FormData, name: string): string | undefined {
  const value = String(form.get(name) ?? '').trim();
  return value === '' ? undefined : value;
}

/** The create form: `when` says whether `timing` is an interval or a cron expression. */
function createBody(form: FormData) {
  const timing = text(form, 'timing');
  const models = text(form, 'models')
    ?.split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const repeat = text(form, 'repeat');
  return {
    cardId: text(form, 'cardId'),
    ...(form.get('when') === 'cron' ? { cron: timing } : { every: timing }),
    timezone: text(form, 'timezone'),
    overlap: text(form, 'overlap'),
    models,
    repeat: repeat === undefined ? undefined : Number(repeat),
    alertOnFailure: form.get('alertOnFailure') === 'on',
    note: text(form, 'note'),
  };
}

/** One action per button: a message on success, the API's reason (with field paths) on failure. */
async function act(cookies: Parameters<typeof api>[0], action: string, path: string, body?: unknown) {
  try {
    await api(cookies, path, { method: 'POST', body: body ?? {} });
    return { action, ok: true, message: `${action}: done.` };
  } catch (failure) {
    const { status, message, issues } = actionFailure(failure);
    return fail(status, { action, message, issues });
  }
}

export const actions = {
  create: async ({ request, cookies }) => {
    const form = await request.formData();
    try {
      const created = await api<Schedule>(cookies, '/schedules', { method: 'POST', body: createBody(form) });
      return { action: 'create', ok: true, message: `Schedule ${created.id} created.` };
    } catch (failure) {
      const { status, message, issues } = actionFailure(failure);
      return fail(status, { action: 'create', message, issues });
    }
  },
  pause: async ({ request, cookies }) => {
    const form = await request.formData();
    return act(cookies, 'pause', `/schedules/${encodeURIComponent(String(form.get('id')))}/pause`, {
      note: text(form, 'note'),
    });
  },
  unpause: async ({ request, cookies }) => {
    const form = await request.formData();
    return act(cookies, 'unpause', `/schedules/${encodeURIComponent(String(form.get('id')))}/unpause`, {
      note: text(form, 'note'),
    });
  },
  trigger: async ({ request, cookies }) => {
    const form = await request.formData();
    return act(cookies, 'trigger', `/schedules/${encodeURIComponent(String(form.get('id')))}/trigger`);
  },
  remove: async ({ request, cookies }) => {
    const id = String((await request.formData()).get('id'));
    try {
      await api(cookies, `/schedules/${encodeURIComponent(id)}`, { method: 'DELETE' });
      return { action: 'remove', ok: true, message: `Schedule ${id} deleted; its runs are kept.` };
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'remove', message, issues: [] });
    }
  },
} satisfies Actions;
