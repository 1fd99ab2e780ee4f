import { Redis } from 'ioredis';
import { type RunEvent, runEventsChannel } from '../../core/run/events.ts';

export type EventPublisher = {
  publish(event: RunEvent): Promise<void>;
  close(): Promise<void>;
};

/** Without Redis there is no one to tell across processes: readers tail the results table instead. */
export const tableOnlyPublisher: EventPublisher = {
  publish: async () => {},
  close: async () => {},
};

/** Publishes on Redis pub/sub. A Redis outage must not fail a cell that is already stored: it only logs. */
export function redisEventPublisher(
  url: string,
  onError: (error: unknown) => void = () => {},
): EventPublisher {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: true });
  redis.on('error', onError);
  return {
    async publish(event) {
      try {
        await redis.publish(runEventsChannel(event.runId), JSON.stringify(event));
      } catch (error) {
        onError(error);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
