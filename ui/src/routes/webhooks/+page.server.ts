import { fail } from '@sveltejs/kit';
import { ApiFailure, actionFailure, api } from '$lib/server/api.ts';
import type { Delivery, Page, Webhook } from '$lib/types.ts';
import type { Actions, PageServerLoad } from './$types';

const EVENTS = ['run.completed', 'run.failed', 'run.cancelled', 'run.regression'];
const FORMATS = ['json', 'slack', 'discord'];

/** Webhooks need a key even to list (their URLs can be private); without one the page says so. */
export const load = (async ({ cookies, url }) => {
  const open = Number(url.searchParams.get('deliveries')) || null;
  try {
    const hooks = await api<Page<Webhook>>(cookies, '/webhooks?limit=200');
    const deliveries = open
      ? (await api<Page<Delivery>>(cookies, `/webhooks/${open}/deliveries?limit=50`)).items
      : [];
    return { webhooks: hooks.items, problem: null, open, deliveries, events: EVENTS, formats: FORMATS };
  } catch (failure) {
    if (!(failure instanceof ApiFailure)) throw failure;
    return { webhooks: [], problem: failure.message, open, deliveries: [], events: EVENTS, formats: FORMATS };
  }
}) satisfies PageServerLoad;

export const actions = {
  create: async ({ request, cookies }) => {
    const form = await request.formData();
    const events = form.getAll('events').map(String);
    const secret = String(form.get('secret') ?? '').trim();
    const body = {
      url: String(form.get('url') ?? '').trim(),
      events,
      format: String(form.get('format') ?? 'json'),
      ...(secret ? { secret } : {}),
    };
    try {
      const created = await api<Webhook & { secret?: string }>(cookies, '/webhooks', {
        method: 'POST',
        body,
      });
      return {
        action: 'create',
        ok: true,
        message: `Webhook ${created.id} created.`,
        secret: created.secret ?? null,
      };
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'create', message });
    }
  },
  remove: async ({ request, cookies }) => {
    const id = Number((await request.formData()).get('id'));
    try {
      await api(cookies, `/webhooks/${id}`, { method: 'DELETE' });
      return { action: 'remove', ok: true, message: `Webhook ${id} deleted; its delivery log is kept.` };
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'remove', message });
    }
  },
  ping: async ({ request, cookies }) => {
    const id = Number((await request.formData()).get('id'));
    try {
      const reply = await api<{ ok: boolean; statusCode?: number; error?: string; durationMs: number }>(
        cookies,
        `/webhooks/${id}/test`,
        { method: 'POST' },
      );
      const outcome = reply.ok
        ? `answered ${reply.statusCode} in ${reply.durationMs} ms`
        : `failed: ${reply.error ?? `status ${reply.statusCode}`}`;
      return { action: 'ping', ok: reply.ok, message: `Test ping to webhook ${id} ${outcome}.` };
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'ping', message });
    }
  },
} satisfies Actions;
