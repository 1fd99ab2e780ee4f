import { createResponseCache } from '../activities/cache/index.ts';
import { redisEventPublisher, tableOnlyPublisher } from '../activities/events/publisher.ts';
import type { ActivityDeps } from '../activities/index.ts';
import type { Config } from '../core/config.ts';
import { openDatabase } from '../db/client.ts';

/** Opens what the activities need from the validated config; `close` releases all of it. */
export function createWorkerDeps(config: Config): { deps: ActivityDeps; close: () => Promise<void> } {
  const database = openDatabase(config.dbFile);
  const cache = createResponseCache({ redisUrl: config.redisUrl });
  const events = config.redisUrl ? redisEventPublisher(config.redisUrl) : tableOnlyPublisher;
  return {
    deps: {
      db: database.db,
      cache,
      events,
      ollamaHost: config.ollamaHost,
      modelDefaults: { defaultJudge: config.models.judge, defaultEmbedder: config.models.embedder },
      webhooks: config.webhooks,
      publicUrl: config.http.publicUrl,
      regressionAlpha: config.regression.alpha,
      llmTaskQueue: config.temporal.llmTaskQueue,
    },
    close: async () => {
      await Promise.allSettled([cache.close(), events.close()]);
      database.close();
    },
  };
}
