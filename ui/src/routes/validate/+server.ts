import { json } from '@sveltejs/kit';
import { ApiFailure, api } from '$lib/server/api.ts';
import type { ApiIssue } from '$lib/types.ts';
import type { RequestHandler } from './$types';

/** The editor's as-you-type check: the card YAML against the card schema, through the API. */
export const POST = (async ({ request, cookies }) => {
  const source = await request.text();
  try {
    return json(
      await api<{ valid: boolean; issues: ApiIssue[] }>(cookies, '/cards/validate', {
        method: 'POST',
        body: source,
        contentType: 'application/yaml',
      }),
    );
  } catch (failure) {
    if (!(failure instanceof ApiFailure)) throw failure;
    return json(
      { valid: false, issues: failure.issues, message: failure.message },
      { status: failure.status },
    );
  }
}) satisfies RequestHandler;
