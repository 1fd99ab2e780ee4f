import type { ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The responses of open event streams. On shutdown the server closes only idle connections, so it
 * waits here until the ended streams have flushed their last bytes and their connections are idle.
 */
export type OpenStreams = {
  add(response: ServerResponse): void;
  /** Resolves when every stream response has closed, or after `timeoutMs`. */
  ended(timeoutMs: number): Promise<void>;
};

export function createOpenStreams(): OpenStreams {
  const open = new Set<Promise<void>>();
  return {
    add(response) {
      const closed = new Promise<void>((resolve) => response.once('close', () => resolve()));
      open.add(closed);
      void closed.then(() => open.delete(closed));
    },
    async ended(timeoutMs) {
      if (open.size === 0) return;
      await Promise.race([Promise.all(open), delay(timeoutMs, undefined, { ref: false })]);
    },
  };
}
