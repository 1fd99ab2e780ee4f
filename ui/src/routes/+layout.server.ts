import { KEY_COOKIE } from '$lib/server/api.ts';
import type { LayoutServerLoad } from './$types';

export const load = (({ cookies }) => ({
  hasKey: Boolean(cookies.get(KEY_COOKIE)),
})) satisfies LayoutServerLoad;
