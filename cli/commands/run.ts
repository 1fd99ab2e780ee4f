import { readFile, writeFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { assertValidOverrides, type RunOverrides, startSuiteRun } from '../../client/start-run.ts';
import { parseCard } from '../../core/card/parse.ts';
import { loadConfig } from '../../core/config.ts';
import { EXPORT_FORMATS, type ExportFormat, exportRun, formatFromPath } from '../../core/export/index.ts';
import type { RunSummary } from '../../core/run/summary.ts';
import { openDatabase } from '../../db/client.ts';
import { listResults } from '../../db/queries/results.ts';
import { getRun } from '../../db/queries/runs.ts';
import { progressQuery } from '../../workflows/shared.ts';
import { InputError } from '../errors.ts';
import { checkOllama, modelsOf } from '../run/preflight.ts';
import { createProgressBar } from '../run/progress-bar.ts';
import { problemList, summaryTable } from '../run/report.ts';
import { connectForRun } from '../run/temporal.ts';

export type RunCommandOptions = {
  model?: string[];
  repeat?: number;
  concurrency?: number;
  cache: boolean;
  output?: string;
  format?: ExportFormat;
  minPassRate?: number;
};

export const EXIT = { ok: 0, failedCells: 1, badInput: 2, cancelled: 130 } as const;

/** `pcs run <card>`: one suite run through Temporal with a live bar, a summary and an exit code for CI. */
export async function runCommand(file: string, options: RunCommandOptions): Promise<number> {
  const config = loadConfig(process.env);
  const format = options.output ? (options.format ?? formatFromPath(options.output)) : undefined;
  if (options.output && !format) {
    return fail(
      `Cannot tell the format of ${options.output}: use .json, .csv or .xml, or --format ${EXPORT_FORMATS.join('|')}`,
    );
  }
  const source = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    const reason = error.code === 'ENOENT' ? 'no such file' : error.message;
    throw new InputError(`Cannot read the card file ${file}: ${reason}`);
  });
  const card = parseCard(source, file);
  const overrides: RunOverrides = {
    models: options.model,
    repeat: options.repeat,
    concurrency: options.concurrency,
    noCache: !options.cache,
  };
  assertValidOverrides(card, overrides);
  await checkOllama(config.ollamaHost, modelsOf(card, options.model), (line) =>
    process.stderr.write(`${line}\n`),
  );

  const database = openDatabase(config.dbFile);
  const temporal = await connectForRun(config, (line) => process.stderr.write(`${line}\n`));
  try {
    const started = await startSuiteRun(
      {
        db: database.db,
        client: temporal.client,
        taskQueue: config.temporal.taskQueue,
        llmTaskQueue: config.temporal.llmTaskQueue,
      },
      {
        card,
        source,
        trigger: 'cli',
        overrides,
      },
    );
    process.stderr.write(
      `run ${started.runId}: ${started.totalCells} cells of ${card.name} v${started.cardVersion}\n` +
        `  Temporal UI: ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows/${started.runId}\n`,
    );
    const outcome = await followRun(started.handle, started.totalCells);
    const results = listResults(database.db, started.runId, { limit: Number.MAX_SAFE_INTEGER });
    printReport(outcome.summary, results);
    if (options.output && format) {
      const run = getRun(database.db, started.runId);
      if (run) await writeFile(options.output, exportRun(format, { run, cardName: card.name, results }));
      process.stderr.write(`wrote ${format} to ${options.output}\n`);
    }
    return exitCode(outcome.status, outcome.summary, options.minPassRate);
  } finally {
    await temporal.close();
    database.close();
  }
}

async function followRun(
  handle: Awaited<ReturnType<typeof startSuiteRun>>['handle'],
  total: number,
): Promise<{ status: string; summary: RunSummary }> {
  const bar = createProgressBar(total);
  const cancel = () => {
    process.stderr.write(
      '\ncancelling the run (in-flight model calls are aborted; stored results are kept)…\n',
    );
    handle.cancel().catch(() => undefined);
  };
  process.once('SIGINT', cancel);
  const polling = { done: false };
  const poller = pollProgress(handle, bar, polling);
  try {
    const result = await handle.result();
    return { status: result.status, summary: result.summary };
  } finally {
    polling.done = true;
    process.removeListener('SIGINT', cancel);
    // No query may still be in flight (or waiting to retry) when the connection closes.
    await poller;
    bar.stop();
  }
}

/** One query at a time: overlapping queries can fill the server's query buffer on a busy worker. */
async function pollProgress(
  handle: Awaited<ReturnType<typeof startSuiteRun>>['handle'],
  bar: ReturnType<typeof createProgressBar>,
  polling: { done: boolean },
): Promise<void> {
  while (!polling.done) {
    await handle.query(progressQuery).then(bar.update, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await handle.query(progressQuery).then(bar.update, () => undefined);
}

function printReport(summary: RunSummary, results: Parameters<typeof problemList>[0]): void {
  console.log(summaryTable(summary));
  const problems = problemList(results);
  if (problems) console.log(`\nNot passing:\n${problems}`);
  console.log(`\npass rate ${(summary.passRate * 100).toFixed(1)}% (${summary.passed}/${summary.total})`);
}

function exitCode(status: string, summary: RunSummary, minPassRate: number | undefined): number {
  if (status === 'cancelled') return EXIT.cancelled;
  if (status !== 'completed') return EXIT.failedCells;
  if (minPassRate !== undefined) return summary.passRate >= minPassRate ? EXIT.ok : EXIT.failedCells;
  return summary.passed === summary.total ? EXIT.ok : EXIT.failedCells;
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return EXIT.badInput;
}

export function parseIntegerOption(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

export function parsePassRate(value: string): number {
  const n = Number(value);
  if (Number.isNaN(n) || n < 0 || n > 1)
    throw new InvalidArgumentError('must be a number from 0 to 1, e.g. 0.9');
  return n;
}
