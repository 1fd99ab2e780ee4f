import Type, { type Static, type TSchema } from 'typebox';
import { OVERLAP_POLICIES } from '../../../core/schedule/spec.ts';
import { RUN_STATUSES } from '../../../db/schema.ts';
import { PageQuery } from '../../schemas/common.ts';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const epochMs = (description = 'Epoch milliseconds') => Type.Integer({ description });
const cronExpression = Type.String({ minLength: 1, maxLength: 200 });
const note = Type.String({ maxLength: 500 });

export const OverlapPolicy = Type.Enum([...OVERLAP_POLICIES], {
  description:
    'What a firing does while an earlier run of the schedule is still going: skip (default), buffer-one, ' +
    'buffer-all, cancel-other, terminate-other or allow-all',
});

const RunOverrides = {
  models: Type.Optional(Type.Array(Type.String(), { description: "Instead of the card's models" })),
  repeat: Type.Optional(Type.Integer({ description: 'Samples per case and model' })),
  concurrency: Type.Optional(Type.Integer({ description: 'Cells generated at once' })),
  noCache: Type.Optional(Type.Boolean({ description: 'Bypass the response cache' })),
};

export const CreateScheduleBody = Type.Object(
  {
    cardId: Type.String({
      minLength: 1,
      description: 'The card to run; each firing runs its latest version',
    }),
    cron: Type.Optional(
      Type.Union([cronExpression, Type.Array(cronExpression, { minItems: 1, maxItems: 20 })], {
        description: 'A cron expression (`0 3 * * *`, `@daily`) or several; give this or `every`',
      }),
    ),
    every: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 50,
        description: 'An interval: `30s`, `15m`, `1h`, `1h30m`, `1d`',
      }),
    ),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'IANA time zone of cron times; UTC by default',
      }),
    ),
    overlap: Type.Optional(OverlapPolicy),
    ...RunOverrides,
    alertOnFailure: Type.Optional(
      Type.Boolean({ description: 'Also alert when a scheduled run fails, not only when it regresses' }),
    ),
    note: Type.Optional(Type.String({ ...note, description: 'Shown with the schedule (Temporal note)' })),
    paused: Type.Optional(Type.Boolean({ description: 'Create it paused' })),
  },
  { additionalProperties: false },
);
export type CreateScheduleBody = Static<typeof CreateScheduleBody>;

export const ScheduleParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const ScheduleListQuery = Type.Object({
  ...PageQuery.properties,
  cardId: Type.Optional(Type.String({ minLength: 1, description: "Only this card's schedules" })),
});

export const NoteBody = Type.Union(
  [Type.Object({ note: Type.Optional(note) }, { additionalProperties: false }), Type.Null()],
  { description: 'An optional note saying why (replaces the current one)' },
);

const ScheduleAction = Type.Object({
  scheduledAt: epochMs('When the firing was due'),
  takenAt: epochMs('When Temporal took it'),
  workflowId: Type.String({ description: 'The scheduledRun workflow of this firing' }),
  runId: nullable(Type.String({ description: 'Its suite run; null until stored, or if none could be' })),
});

const ScheduleState = Type.Object({
  paused: Type.Boolean(),
  note: nullable(Type.String()),
  nextActionTimes: Type.Array(epochMs(), { description: 'The next firings; empty while paused' }),
  recentActions: Type.Array(ScheduleAction, { description: 'The latest firings, oldest first' }),
  runningRunIds: Type.Array(Type.String(), { description: 'Runs of firings still in progress' }),
  actionsTaken: Type.Integer(),
  actionsSkippedOverlap: Type.Integer({ description: 'Firings skipped by the overlap policy' }),
});

const ScheduleRun = Type.Object({
  id: Type.String(),
  status: Type.Enum([...RUN_STATUSES]),
  passRate: nullable(Type.Number({ description: 'Share of cells that passed, once finished' })),
  createdAt: epochMs(),
  finishedAt: nullable(epochMs()),
  verdict: nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description: "How the run compares with its card's baseline (as in GET /runs/:id)",
    }),
  ),
});

export const Schedule = Type.Object({
  id: Type.String({ description: 'The Temporal schedule id, `pcs-<card>-<hex>`' }),
  cardId: Type.String(),
  cardName: Type.String(),
  cron: nullable(Type.Array(Type.String())),
  every: nullable(Type.String()),
  timezone: Type.String(),
  overlap: OverlapPolicy,
  overrides: Type.Object(RunOverrides),
  alertOnFailure: Type.Boolean(),
  createdAt: epochMs(),
  state: nullable(ScheduleState),
  lastRuns: Type.Array(ScheduleRun, { description: 'Its latest runs, newest first (up to 10)' }),
  links: Type.Object({
    self: Type.String(),
    temporal: Type.String({ description: 'The schedule in the Temporal Web UI' }),
  }),
});

export const TriggerReply = Type.Object({
  id: Type.String(),
  overlap: OverlapPolicy,
  message: Type.String(),
});
