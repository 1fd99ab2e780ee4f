import type { Readable } from 'node:stream';
import Type, { type Static, type TSchema } from 'typebox';
import { EXPORT_FORMATS } from '../../../core/export/index.ts';
import { RESULT_STATUSES, RUN_STATUSES, RUN_TRIGGERS } from '../../../db/schema.ts';
import { PageQuery } from '../../schemas/common.ts';
import { StoredVerdict } from './verdict-schemas.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const epochMs = (description = 'Epoch milliseconds') => Type.Integer({ description });

export const RunStatus = Type.Enum([...RUN_STATUSES]);
export const RunTrigger = Type.Enum([...RUN_TRIGGERS]);
export const ResultStatus = Type.Enum([...RESULT_STATUSES]);

export const RunParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const StartRunBody = Type.Object(
  {
    cardId: Type.String({ minLength: 1, description: 'The card to run' }),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'Card version; the latest when absent' })),
    models: Type.Optional(Type.Array(Type.String(), { description: "Instead of the card's models" })),
    repeat: Type.Optional(Type.Integer({ description: 'Samples per case and model' })),
    concurrency: Type.Optional(Type.Integer({ description: 'Cells generated at once' })),
    noCache: Type.Optional(Type.Boolean({ description: 'Bypass the response cache' })),
  },
  { additionalProperties: false },
);
export type StartRunBody = Static<typeof StartRunBody>;

export const RunLinks = Type.Object({
  self: Type.String(),
  events: Type.String({ description: 'Server-Sent Events: snapshot, one event per cell, end' }),
  dashboard: Type.String(),
  temporal: Type.String({ description: 'The workflow in the Temporal Web UI' }),
});

export const AcceptedRun = Type.Object({
  runId: Type.String(),
  status: Type.Literal('queued'),
  totalCells: Type.Integer({ minimum: 0 }),
  links: RunLinks,
});

const Counts = {
  total: Type.Integer(),
  done: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  errored: Type.Integer(),
  running: Type.Integer(),
};

export const RunProgress = Type.Object({
  ...Counts,
  status: RunStatus,
  perModel: Type.Record(Type.String(), Type.Object(Counts)),
  source: Type.Enum(['workflow', 'database'], {
    description: 'The live workflow while the run is active, the stored results otherwise',
  }),
});

const SummaryStats = {
  total: Type.Integer(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  errored: Type.Integer(),
  passRate: Type.Number(),
  meanScore: Type.Number(),
  latencyMs: Type.Object({ p50: Type.Number(), p95: Type.Number() }),
  tokens: Type.Object({ prompt: Type.Integer(), completion: Type.Integer() }),
  cacheHits: Type.Integer(),
};

export const RunSummary = Type.Object({
  ...SummaryStats,
  perModel: Type.Record(Type.String(), Type.Object(SummaryStats)),
});

export const RunOptions = Type.Object(
  {
    models: Type.Array(Type.String()),
    repeat: Type.Integer(),
    concurrency: Type.Integer(),
    noCache: Type.Optional(Type.Boolean()),
    timeoutMs: Type.Optional(Type.Integer()),
    retryOf: Type.Optional(Type.String({ description: 'The run whose failed cells this run repeats' })),
    cells: Type.Optional(Type.Array(Type.Integer(), { description: 'Matrix indices run; all when absent' })),
  },
  { additionalProperties: true },
);

export const Run = Type.Object({
  id: Type.String(),
  cardId: Type.String(),
  cardVersionId: Type.Integer(),
  status: RunStatus,
  trigger: RunTrigger,
  workflowId: Type.String(),
  options: RunOptions,
  totalCells: Type.Integer(),
  summary: nullable(RunSummary),
  error: nullable(Type.String()),
  scheduleId: nullable(Type.String({ description: 'The schedule that started the run' })),
  verdict: nullable(StoredVerdict),
  createdAt: epochMs(),
  startedAt: nullable(epochMs()),
  finishedAt: nullable(epochMs()),
});

export const RunDetail = Type.Object({ ...Run.properties, progress: RunProgress, links: RunLinks });

export const RunListQuery = Type.Object({
  ...PageQuery.properties,
  cardId: Type.Optional(Type.String({ minLength: 1 })),
  status: Type.Optional(RunStatus),
  trigger: Type.Optional(RunTrigger),
});

export const Result = Type.Object({
  id: Type.Integer({ description: 'Also the id of its SSE cell event' }),
  runId: Type.String(),
  cellKey: Type.String(),
  caseIndex: Type.Integer(),
  caseName: Type.String(),
  model: Type.String(),
  repeat: Type.Integer(),
  status: ResultStatus,
  score: Type.Number(),
  output: nullable(Type.String()),
  renderedPrompt: Type.String(),
  assertions: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  metrics: Type.Record(Type.String(), Type.Unknown()),
  reason: Type.String(),
  errorType: nullable(Type.String()),
  latencyMs: nullable(Type.Integer()),
  promptTokens: nullable(Type.Integer()),
  completionTokens: nullable(Type.Integer()),
  cacheHit: Type.Boolean(),
  attempts: Type.Integer(),
  createdAt: epochMs('When the result was stored, epoch milliseconds'),
});

export const ResultListQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(ResultStatus),
  model: Type.Optional(Type.String({ minLength: 1 })),
  case: Type.Optional(Type.String({ minLength: 1, description: 'Case name' })),
});

export const ExportQuery = Type.Object({
  format: Type.Optional(Type.Enum([...EXPORT_FORMATS], { default: 'json' })),
});

export const EventsHeaders = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ pattern: '^\\d{1,15}$', description: 'Resume after this cell event id' }),
  ),
});

export const EventsQuery = Type.Object({
  lastEventId: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Like Last-Event-ID, for clients that cannot set headers' }),
  ),
});

/** A body that is not JSON: the schema documents it, the route sends a string. */
export function textBody(description: string, contentTypes: readonly string[]) {
  return {
    description,
    content: Object.fromEntries(contentTypes.map((type) => [type, { schema: Type.String() }])),
  };
}

/** A body the route streams: documented as text, typed as the stream the handler sends. */
export function streamBody(description: string, contentType: string) {
  return {
    description,
    content: { [contentType]: { schema: Type.Unsafe<Readable>(Type.String()) } },
  };
}
