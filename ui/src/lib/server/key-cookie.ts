import type { Cookies } from '@sveltejs/kit';
import { base } from '$app/paths';
import { KEY_COOKIE } from './api.ts';

/** The key lives in an httpOnly cookie scoped to the dashboard: page scripts never see it. */
export function setKeyCookie(cookies: Cookies, key: string, secure: boolean): void {
  cookies.set(KEY_COOKIE, key, {
    path: base || '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: 60 * 60 * 24 * 30,
  });
}

export function clearKeyCookie(cookies: Cookies): void {
  cookies.delete(KEY_COOKIE, { path: base || '/' });
}
