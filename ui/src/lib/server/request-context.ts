import { AsyncLocalStorage } from 'node:async_hooks';

/** What the API calls of one dashboard request need to know about it: the visitor's address. */
export type RequestContext = { clientAddress: string };

export const requestContext = new AsyncLocalStorage<RequestContext>();
