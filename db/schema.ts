// Tables only. Timestamps are epoch milliseconds stored as plain numbers (not Date): rows travel through
// Temporal payloads and JSON responses, where a Date would silently turn into a string.
import { sql } from 'drizzle-orm';
import { index, integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = () => Date.now();
const createdAt = () => integer('created_at').notNull().$defaultFn(now);

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const RUN_TRIGGERS = ['cli', 'api', 'schedule', 'retry'] as const;
export const RESULT_STATUSES = ['pass', 'fail', 'error'] as const;

export type RunStatus = (typeof RUN_STATUSES)[number];
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export type ResultStatus = (typeof RESULT_STATUSES)[number];

export interface RunOptions {
  models: string[];
  repeat: number;
  concurrency: number;
  noCache?: boolean;
  timeoutMs?: number;
  [key: string]: unknown;
}

export const cards = sqliteTable('cards', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  description: text('description').notNull().default(''),
  createdAt: createdAt(),
  updatedAt: integer('updated_at').notNull().$defaultFn(now),
  archivedAt: integer('archived_at'),
  latestVersion: integer('latest_version').notNull().default(0),
  // A run pinned as the card's baseline; null means "the latest completed run of the same version and models".
  baselineRunId: text('baseline_run_id'),
});

export const cardVersions = sqliteTable(
  'card_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    cardId: text('card_id')
      .notNull()
      .references(() => cards.id),
    version: integer('version').notNull(),
    contentHash: text('content_hash').notNull(),
    source: text('source').notNull(),
    // The parsed card; kept as a plain record so db/ does not depend on core/.
    spec: text('spec', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('card_versions_card_version_uq').on(t.cardId, t.version),
    uniqueIndex('card_versions_card_hash_uq').on(t.cardId, t.contentHash),
  ],
);

export const runs = sqliteTable(
  'runs',
  {
    id: text('id').primaryKey(),
    cardId: text('card_id')
      .notNull()
      .references(() => cards.id),
    cardVersionId: integer('card_version_id')
      .notNull()
      .references(() => cardVersions.id),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('queued'),
    trigger: text('trigger', { enum: RUN_TRIGGERS }).notNull(),
    workflowId: text('workflow_id').notNull(),
    options: text('options', { mode: 'json' }).$type<RunOptions>().notNull(),
    totalCells: integer('total_cells').notNull(),
    summary: text('summary', { mode: 'json' }).$type<Record<string, unknown>>(),
    error: text('error'),
    // The Temporal Schedule that started the run (trigger `schedule`).
    scheduleId: text('schedule_id'),
    // How the run compares with its card's baseline: stored when a compared run finishes.
    verdict: text('verdict', { mode: 'json' }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    index('runs_card_created_idx').on(t.cardId, t.createdAt),
    index('runs_status_idx').on(t.status),
    index('runs_schedule_created_idx').on(t.scheduleId, t.createdAt),
  ],
);

export const results = sqliteTable(
  'results',
  {
    // AUTOINCREMENT: ids are never reused, so they can serve as SSE event ids (Last-Event-ID resume).
    id: integer('id').primaryKey({ autoIncrement: true }),
    runId: text('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    cellKey: text('cell_key').notNull(),
    caseIndex: integer('case_index').notNull(),
    caseName: text('case_name').notNull(),
    model: text('model').notNull(),
    repeat: integer('repeat').notNull(),
    status: text('status', { enum: RESULT_STATUSES }).notNull(),
    score: real('score').notNull(),
    output: text('output'),
    renderedPrompt: text('rendered_prompt').notNull(),
    assertions: text('assertions', { mode: 'json' })
      .$type<Record<string, unknown>[]>()
      .notNull()
      .default(sql`'[]'`),
    metrics: text('metrics', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default(sql`'{}'`),
    reason: text('reason').notNull().default(''),
    errorType: text('error_type'),
    latencyMs: integer('latency_ms'),
    promptTokens: integer('prompt_tokens'),
    completionTokens: integer('completion_tokens'),
    cacheHit: integer('cache_hit', { mode: 'boolean' }).notNull().default(false),
    attempts: integer('attempts').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('results_cell_uq').on(t.runId, t.caseIndex, t.model, t.repeat),
    // Pages and event streams read a run's results in id order; progress counts group by model and status.
    index('results_run_id_idx').on(t.runId, t.id),
    index('results_run_model_status_idx').on(t.runId, t.model, t.status),
  ],
);

export const WEBHOOK_FORMATS = ['json', 'slack', 'discord'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const webhooks = sqliteTable('webhooks', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
  // The body's shape: signed generic JSON, or a Slack / Discord incoming-webhook message.
  format: text('format', { enum: WEBHOOK_FORMATS }).notNull().default('json'),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  createdAt: createdAt(),
});

export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    // Null for URLs configured by environment rather than stored in `webhooks`.
    webhookId: integer('webhook_id').references(() => webhooks.id, { onDelete: 'set null' }),
    url: text('url').notNull(),
    runId: text('run_id').references(() => runs.id, { onDelete: 'cascade' }),
    event: text('event').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    attempt: integer('attempt').notNull(),
    statusCode: integer('status_code'),
    ok: integer('ok', { mode: 'boolean' }).notNull(),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index('webhook_deliveries_run_idx').on(t.runId),
    // Also serves lookups by idempotency key; one row per attempt even if the activity re-runs.
    uniqueIndex('webhook_deliveries_key_attempt_uq').on(t.idempotencyKey, t.attempt),
  ],
);

/**
 * Our record of each Temporal Schedule (id = the schedule id): which card it runs and with what. Its
 * timetable, paused state and next runs live in Temporal and are read from there.
 */
export const schedules = sqliteTable(
  'schedules',
  {
    id: text('id').primaryKey(),
    cardId: text('card_id')
      .notNull()
      .references(() => cards.id),
    // What the schedule was created with (cron or interval, timezone, overlap, run options, alerts).
    spec: text('spec', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    deletedAt: integer('deleted_at'),
  },
  (t) => [index('schedules_card_idx').on(t.cardId)],
);

export const apiKeys = sqliteTable('api_keys', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  prefix: text('prefix').notNull(),
  createdAt: createdAt(),
  revokedAt: integer('revoked_at'),
});

export type Card = typeof cards.$inferSelect;
export type CardVersion = typeof cardVersions.$inferSelect;
export type Run = typeof runs.$inferSelect;
export type NewRun = typeof runs.$inferInsert;
export type Result = typeof results.$inferSelect;
export type NewResult = typeof results.$inferInsert;
export type Webhook = typeof webhooks.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
export type NewWebhookDelivery = typeof webhookDeliveries.$inferInsert;
export type ApiKey = typeof apiKeys.$inferSelect;
export type Schedule = typeof schedules.$inferSelect;
