import { fail, redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { actionFailure, api } from './api.ts';

type SavedCard = { card: { id: string }; version: { version: number } };

/** The editor's Save: stores the YAML as a new version (or finds it unchanged) and opens the card page. */
export async function saveCardAction(cookies: Parameters<typeof api>[0], form: FormData) {
  const source = String(form.get('source') ?? '');
  let saved: SavedCard;
  try {
    saved = await api<SavedCard>(cookies, '/cards', {
      method: 'POST',
      body: source,
      contentType: 'application/yaml',
    });
  } catch (failure) {
    const { status, message, issues } = actionFailure(failure);
    return fail(status, { action: 'save', message, issues, source });
  }
  redirect(303, `${resolve('/cards/[id]', { id: saved.card.id })}?saved=${saved.version.version}`);
}
