import { fail } from '@sveltejs/kit';
import { ApiFailure, actionFailure, api, apiBase, KEY_COOKIE } from '$lib/server/api.ts';
import { clearKeyCookie, setKeyCookie } from '$lib/server/key-cookie.ts';
import type { ApiKey, Page } from '$lib/types.ts';
import type { Actions, PageServerLoad } from './$types';

export const load = (async ({ cookies }) => {
  const hasKey = Boolean(cookies.get(KEY_COOKIE));
  if (!hasKey) return { hasKey, keys: null, keysProblem: null, apiUrl: apiBase() };
  try {
    const keys = await api<Page<ApiKey>>(cookies, '/keys?limit=200');
    return { hasKey, keys: keys.items, keysProblem: null, apiUrl: apiBase() };
  } catch (failure) {
    if (!(failure instanceof ApiFailure)) throw failure;
    return { hasKey, keys: null, keysProblem: failure.message, apiUrl: apiBase() };
  }
}) satisfies PageServerLoad;

export const actions = {
  /** Stores the key for this browser after checking that the API accepts it. */
  useKey: async ({ request, cookies, url }) => {
    const key = String((await request.formData()).get('key') ?? '').trim();
    if (key === '') return fail(400, { action: 'useKey', message: 'Paste an API key first.' });
    const response = await fetch(`${apiBase()}/keys?limit=1`, { headers: { 'x-api-key': key } });
    if (!response.ok) {
      const reason = response.status === 403 ? 'it was revoked' : 'the API does not know it';
      return fail(400, {
        action: 'useKey',
        message: `That key was refused (${response.status}): ${reason}.`,
      });
    }
    setKeyCookie(cookies, key, url.protocol === 'https:');
    return { action: 'useKey', ok: true, message: 'Key saved for this browser.' };
  },
  forgetKey: async ({ cookies }) => {
    clearKeyCookie(cookies);
    return { action: 'forgetKey', ok: true, message: 'This browser no longer sends a key.' };
  },
  /** Creates a key; the first key of an install needs none, and this browser then uses it. */
  createKey: async ({ request, cookies, url }) => {
    const name = String((await request.formData()).get('name') ?? '').trim();
    try {
      const created = await api<ApiKey & { key: string }>(cookies, '/keys', {
        method: 'POST',
        body: { name },
      });
      const adopt = !cookies.get(KEY_COOKIE);
      if (adopt) setKeyCookie(cookies, created.key, url.protocol === 'https:');
      return { action: 'createKey', created: { name: created.name, key: created.key, adopted: adopt } };
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'createKey', message });
    }
  },
  revokeKey: async ({ request, cookies }) => {
    const id = Number((await request.formData()).get('id'));
    try {
      await api(cookies, `/keys/${id}`, { method: 'DELETE' });
      return { action: 'revokeKey', ok: true, message: `Key ${id} revoked.` };
    } catch (failure) {
      const { status, message } = actionFailure(failure);
      return fail(status, { action: 'revokeKey', message });
    }
  },
} satisfies Actions;
