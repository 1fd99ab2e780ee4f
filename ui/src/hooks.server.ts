import type { Handle } from '@sveltejs/kit';
import { requestContext } from '$lib/server/request-context.ts';

/** Every load, action and endpoint runs with its visitor's address at hand (for the API's rate limits). */
export const handle: Handle = ({ event, resolve }) =>
  requestContext.run({ clientAddress: event.getClientAddress() }, () => resolve(event));
