import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import Table from 'cli-table3';
import { type Command, Option } from 'commander';
import { checkWorker } from '../../client/health.ts';
import { CardUnavailableError } from '../../client/runnable-card.ts';
import {
  createSchedule,
  deleteSchedule,
  describeSchedule,
  InvalidScheduleError,
  listSchedules,
  type ScheduleDeps,
  type ScheduleView,
  setSchedulePaused,
  triggerSchedule,
  UnknownScheduleError,
} from '../../client/schedules.ts';
import { parseCard } from '../../core/card/parse.ts';
import { type Config, loadConfig } from '../../core/config.ts';
import { OVERLAP_POLICIES, type OverlapPolicy } from '../../core/schedule/spec.ts';
import { type DrizzleDb, openDatabase } from '../../db/client.ts';
import { restoreCard, saveCardVersion } from '../../db/queries/cards.ts';
import { InputError } from '../errors.ts';
import { parseIntegerOption } from './run.ts';

type CreateOptions = {
  every?: string;
  cron?: string[];
  tz?: string;
  overlap: OverlapPolicy;
  model?: string[];
  repeat?: number;
  concurrency?: number;
  cache: boolean;
  alertOnFailure?: boolean;
  note?: string;
  paused?: boolean;
};

/** `pcs schedule ...`: Temporal Schedules that run a card on a timetable. */
export function registerScheduleCommands(schedule: Command): void {
  schedule.description('Run a card on a timetable (Temporal Schedules): create, list, show, pause, trigger');
  schedule
    .command('create')
    .description("Schedule runs of a card's latest version; prints the schedule id")
    .argument(
      '<card>',
      'a card file (YAML or JSON; stored as a new version if it changed) or a stored card id',
    )
    .addOption(new Option('--every <interval>', 'run every 30s, 15m, 1h, 1h30m, 1d…').conflicts('cron'))
    .option('--cron <expression>', 'cron expression, e.g. "0 3 * * *" (repeat for several)', collect)
    .option('--tz <zone>', 'IANA time zone of cron times (default UTC)')
    .addOption(
      new Option('--overlap <policy>', 'while a run of the schedule is still going')
        .choices(OVERLAP_POLICIES)
        .default('skip'),
    )
    .option('-m, --model <model...>', "run these models instead of the card's")
    .option('-r, --repeat <n>', 'runs per case and model', parseIntegerOption(1, 100))
    .option('-c, --concurrency <n>', 'cells generated at once', parseIntegerOption(1, 64))
    .option('--no-cache', 'bypass the response cache in these runs')
    .option('--alert-on-failure', 'alert when a run fails, not only when it regresses')
    .option('--note <text>', 'a note shown with the schedule')
    .option('--paused', 'create it paused')
    .action(scheduleCreateCommand);
  schedule
    .command('list')
    .description('Live schedules with their state, next and last run')
    .option('--card <id>', "only this card's schedules")
    .action(scheduleListCommand);
  schedule
    .command('show')
    .description('One schedule: settings, state, recent firings and last runs')
    .argument('<id>')
    .action(scheduleShowCommand);
  for (const [name, paused, description] of [
    ['pause', true, 'Pause: no firing until unpaused'],
    ['unpause', false, 'Unpause: firings resume at the next scheduled time'],
  ] as const) {
    schedule
      .command(name)
      .description(description)
      .argument('<id>')
      .option('--note <text>', 'why')
      .action((id: string, options: { note?: string }) =>
        withSchedules(async (deps) => {
          const note = options.note || `${paused ? 'Paused' : 'Unpaused'} with pcs schedule ${name}`;
          const view = await setSchedulePaused(deps, id, paused, note);
          const next = paused ? '' : `; next run ${isoTime(view.state?.nextActionTimes[0])}`;
          process.stdout.write(
            `${paused ? 'Paused' : 'Unpaused'} ${id} (${view.state?.note ?? ''})${next}\n`,
          );
        }),
      );
  }
  schedule
    .command('trigger')
    .description('Fire now, even while paused, under the overlap policy')
    .argument('<id>')
    .action((id: string) =>
      withSchedules(async (deps) => {
        const { overlap } = await triggerSchedule(deps, id);
        const unless =
          overlap === 'allow-all' ? '' : `, unless a run of it is still going (overlap ${overlap})`;
        process.stdout.write(`Triggered ${id}: a run starts now${unless}.\n`);
      }),
    );
  schedule
    .command('delete')
    .description('Delete the schedule; runs keep its id')
    .argument('<id>')
    .action((id: string) =>
      withSchedules(async (deps) => {
        await deleteSchedule(deps, id);
        process.stdout.write(`Deleted ${id}.\n`);
      }),
    );
}

/** The id goes to stdout alone (`ID=$(pcs schedule create ...)`), the details to stderr. */
async function scheduleCreateCommand(card: string, options: CreateOptions): Promise<void> {
  await withSchedules(async (deps, config) => {
    const cardId = await cardIdOf(deps.db, card);
    const view = await createSchedule(deps, {
      cardId,
      cron: options.cron,
      every: options.every,
      timezone: options.tz,
      overlap: options.overlap,
      overrides: {
        models: options.model,
        repeat: options.repeat,
        concurrency: options.concurrency,
        noCache: options.cache ? undefined : true,
      },
      alertOnFailure: options.alertOnFailure,
      note: options.note,
      paused: options.paused,
    });
    process.stdout.write(`${view.id}\n`);
    process.stderr.write(`${describeLines(view).join('\n')}\n`);
    const worker = await checkWorker(deps.client, config.temporal.taskQueue, 3000);
    if (!worker.ok)
      process.stderr.write(
        `note: no worker is serving "${config.temporal.taskQueue}" now; runs start when one is (npm start)\n`,
      );
  });
}

async function scheduleListCommand(options: { card?: string }): Promise<void> {
  await withSchedules(async (deps) => {
    const { items } = await listSchedules(deps, { cardId: options.card, limit: 200, offset: 0 });
    if (items.length === 0) {
      process.stdout.write('No schedules. Create one with: pcs schedule create <card> --every 1h\n');
      return;
    }
    const table = new Table({ head: ['id', 'card', 'when', 'overlap', 'state', 'next run', 'last run'] });
    for (const view of items) {
      const last = view.lastRuns[0];
      table.push([
        view.id,
        view.cardId,
        timing(view),
        view.overlap,
        stateWord(view),
        isoTime(view.state?.nextActionTimes[0]),
        last ? `${last.status} ${passRate(last.passRate)}`.trim() : '-',
      ]);
    }
    process.stdout.write(`${table.toString()}\n`);
  });
}

async function scheduleShowCommand(id: string): Promise<void> {
  await withSchedules(async (deps) => {
    const view = await describeSchedule(deps, id);
    process.stdout.write(`${describeLines(view).join('\n')}\n`);
    if (view.lastRuns.length === 0) return;
    const table = new Table({ head: ['run', 'status', 'pass rate', 'started', 'finished'] });
    for (const run of view.lastRuns)
      table.push([
        run.id,
        run.status,
        passRate(run.passRate),
        isoTime(run.createdAt),
        isoTime(run.finishedAt),
      ]);
    process.stdout.write(`last runs:\n${table.toString()}\n`);
  });
}

function describeLines(view: ScheduleView): string[] {
  const overrides = Object.entries(view.overrides).map(([key, value]) => `${key}=${String(value)}`);
  return [
    `schedule ${view.id}: card ${view.cardId}, ${timing(view)}, overlap ${view.overlap}`,
    `  state: ${stateWord(view)}${view.state?.note ? ` (${view.state.note})` : ''}`,
    `  next runs: ${view.state?.nextActionTimes.slice(0, 3).map(isoTime).join(', ') || '-'}`,
    `  run options: ${overrides.join(' ') || "the card's"}; alert on failure: ${view.alertOnFailure ? 'yes' : 'no'}`,
  ];
}

function timing(view: ScheduleView): string {
  if (view.every) return `every ${view.every}`;
  return `cron ${(view.cron ?? []).join(' | ')} (${view.timezone})`;
}

function stateWord(view: ScheduleView): string {
  if (!view.state) return 'missing in Temporal';
  return view.state.paused ? 'paused' : 'active';
}

function passRate(rate: number | null): string {
  return rate === null ? '' : `${(rate * 100).toFixed(1)}%`;
}

function isoTime(epochMs: number | null | undefined): string {
  return epochMs === null || epochMs === undefined ? '-' : new Date(epochMs).toISOString();
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** A path to a file stores that card (a new version when it changed); anything else is a card id. */
async function cardIdOf(db: DrizzleDb, argument: string): Promise<string> {
  if (!existsSync(argument) && !/\.(ya?ml|json)$/i.test(argument)) return argument;
  const source = await readFile(argument, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new InputError(
      `Cannot read the card file ${argument}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
    );
  });
  const card = parseCard(source, argument);
  const saved = saveCardVersion(db, {
    name: card.name,
    description: card.description ?? '',
    source,
    spec: card as Record<string, unknown>,
    contentHash: createHash('sha256').update(source).digest('hex'),
  });
  restoreCard(db, saved.cardId);
  process.stderr.write(`card ${saved.cardId} v${saved.version}${saved.created ? ' (new version)' : ''}\n`);
  return saved.cardId;
}

/** Opens the database and Temporal for one command; what the user got wrong exits 2 with the reason. */
async function withSchedules(work: (deps: ScheduleDeps, config: Config) => Promise<void>): Promise<void> {
  const config = loadConfig(process.env);
  const { address, namespace, taskQueue } = config.temporal;
  const connection = await Connection.connect({ address, connectTimeout: '5 seconds' }).catch(
    (error: Error) => {
      throw new Error(
        `Temporal at ${address} is not reachable (${error.message}); start it with npm start or set TEMPORAL_ADDRESS`,
      );
    },
  );
  const database = openDatabase(config.dbFile);
  try {
    await work({ db: database.db, client: new Client({ connection, namespace }), taskQueue }, config);
  } catch (error) {
    if (error instanceof UnknownScheduleError || error instanceof CardUnavailableError)
      throw new InputError(error.message);
    if (error instanceof InvalidScheduleError) throw new InputError(withFlagNames(error));
    throw error;
  } finally {
    database.close();
    await connection.close();
  }
}

const FLAGS: Record<string, string> = {
  cron: '--cron',
  every: '--every',
  timezone: '--tz',
  models: '--model',
  repeat: '--repeat',
  concurrency: '--concurrency',
};

function withFlagNames(error: InvalidScheduleError): string {
  const lines = error.issues.map(
    (issue) => `${issue.path.replace(/^\w+/, (key) => FLAGS[key] ?? key)}: ${issue.message}`,
  );
  return `Invalid schedule:\n  ${lines.join('\n  ')}`;
}
