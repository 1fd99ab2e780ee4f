// `pcs run` end to end, as a user runs it: the real CLI in its own process (which starts its own worker
// and bundles the workflows), a real Temporal dev server, real SQLite files, and the fake Ollama.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client.ts';
import { getRun, listRuns } from '../db/queries/runs.ts';
import type { Run } from '../db/schema.ts';
import { type FakeOllama, type ReplyRequest, startFakeOllama } from './fakes/ollama.ts';
import { type CliProcess, parseCsv, REPO_ROOT, runCli, spawnCli, stopCli } from './helpers/cli.ts';
import { startTemporal, uniqueTaskQueue } from './helpers/temporal.ts';

// Each invocation starts a worker and bundles the workflows: several seconds apiece.
const CLI_TEST_TIMEOUT = 120_000;

const ECHO_DEMO = path.join(REPO_ROOT, 'examples/echo-demo.yaml');

/** Two triage cases on an Ollama model; the reply below makes "crash report" fail its assertion. */
const TRIAGE_CARD = `name: cli-triage
prompt:
  template: "Route this ticket to billing, bug or account: {{ ticket }}"
models: [ollama:llama3.2:3b]
cases:
  - name: double charge
    vars: { ticket: I was charged twice this month }
    assert:
      - { type: icontains, value: billing }
  - name: crash report
    vars: { ticket: The app crashes when I upload a photo }
    assert:
      - { type: icontains, value: bug }
`;

/** The model always answers "billing": right for the double charge, wrong for the crash report. */
const alwaysBilling = (_request: ReplyRequest) => 'billing';

/** A model that routes both tickets right. */
const router = (request: ReplyRequest) =>
  (request.prompt ?? JSON.stringify(request.messages)).includes('crashes') ? 'bug' : 'billing';

let env: TestWorkflowEnvironment;
let fake: FakeOllama;
let dir: string;
let dbFile: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  [env, fake] = await Promise.all([startTemporal(), startFakeOllama()]);
});

afterAll(async () => {
  await Promise.allSettled([env?.teardown(), fake?.close()]);
});

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pcs-cli-'));
  dbFile = path.join(dir, 'data', 'pcs.sqlite');
  fake.reset();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map(stopCli));
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh task queue per invocation unless given: each CLI runs its own worker. */
function cliEnv(taskQueue = uniqueTaskQueue('cli')): Record<string, string> {
  return {
    TEMPORAL_ADDRESS: env.address,
    PCS_TASK_QUEUE: taskQueue,
    PCS_DATA_DIR: path.join(dir, 'data'),
    PCS_DB_FILE: dbFile,
    OLLAMA_HOST: fake.url,
    LOG_LEVEL: 'warn',
  };
}

function pcsRun(...args: string[]) {
  return runCli(['run', ...args], cliEnv());
}

function writeCard(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Every run stored in the results database; none when the CLI never created the file. */
function storedRuns(): Run[] {
  if (!existsSync(dbFile)) return [];
  const database = openDatabase(dbFile);
  try {
    return listRuns(database.db, { limit: 100 });
  } finally {
    database.close();
  }
}

function storedRun(runId: string): Run | undefined {
  const database = openDatabase(dbFile);
  try {
    return getRun(database.db, runId);
  } finally {
    database.close();
  }
}

type ExportedJson = {
  run: { id: string; status: string; options: { models: string[] }; totalCells: number };
  results: { case: string; model: string; status: string; reason: string }[];
};

function readJson(file: string): ExportedJson {
  return JSON.parse(readFileSync(file, 'utf8')) as ExportedJson;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('pcs run', () => {
  it(
    'runs the echo demo: exit 0, a summary table on stdout, a JUnit report with one testcase per cell',
    async () => {
      const out = path.join(dir, 'results.xml');
      const result = await pcsRun(ECHO_DEMO, '-o', out);

      expect(result.code, result.stderr).toBe(0);
      const tableRow = result.stdout.split('\n').find((line) => /│\s*echo\s*│/.test(line));
      expect(tableRow, result.stdout).toBeDefined();
      // model, cells, pass, fail, error, pass rate
      expect(tableRow).toMatch(/│\s*echo\s*│\s*3\s*│\s*3\s*│\s*0\s*│\s*0\s*│\s*100\.0%\s*│/);
      expect(result.stdout).toContain('pass rate 100.0% (3/3)');
      expect(result.stdout).not.toContain('Not passing');
      // Progress and the run id go to stderr, keeping stdout for the report.
      expect(result.stderr).toMatch(/^run echo-demo-\S+: 3 cells of echo-demo v1$/m);
      expect(result.stdout).not.toContain('cells of echo-demo');
      expect(result.stderr).toContain(`wrote junit to ${out}`);

      const xml = readFileSync(out, 'utf8');
      expect(xml).toContain('<testsuites');
      expect(xml.match(/<testcase /g)).toHaveLength(3);
      expect(xml).not.toContain('<failure');
      expect(xml).not.toContain('<error');
      for (const name of ['default tone #', 'formal with plan #', 'empty plan is left out #']) {
        expect(xml).toContain(`name="${name}`);
      }
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'writes the results as JSON with -o results.json',
    async () => {
      const out = path.join(dir, 'results.json');
      const result = await pcsRun(ECHO_DEMO, '-o', out);

      expect(result.code, result.stderr).toBe(0);
      const json = readJson(out);
      expect(json.run.status).toBe('completed');
      expect(json.run.totalCells).toBe(3);
      expect(json.results).toHaveLength(3);
      expect(json.results.map((r) => [r.case, r.model, r.status])).toEqual([
        ['default tone', 'echo', 'pass'],
        ['formal with plan', 'echo', 'pass'],
        ['empty plan is left out', 'echo', 'pass'],
      ]);
      // The file describes the run that was stored.
      expect(storedRun(json.run.id)?.status).toBe('completed');
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'writes the results as CSV with -o results.csv: a header and one row per cell',
    async () => {
      const out = path.join(dir, 'results.csv');
      const result = await pcsRun(ECHO_DEMO, '-o', out);

      expect(result.code, result.stderr).toBe(0);
      const [header, ...rows] = parseCsv(readFileSync(out, 'utf8'));
      expect(header?.slice(0, 6)).toEqual(['run_id', 'case_index', 'case', 'model', 'repeat', 'status']);
      expect(rows).toHaveLength(3);
      const column = (name: string) => header?.indexOf(name) ?? -1;
      expect(rows.map((row) => row[column('case')])).toEqual([
        'default tone',
        'formal with plan',
        'empty plan is left out',
      ]);
      expect(rows.every((row) => row[column('status')] === 'pass' && row[column('model')] === 'echo')).toBe(
        true,
      );
      // The output holds a line break: it must survive quoting.
      expect(rows[0]?.[column('output')]).toBe('Write a friendly greeting for Ada.\n');
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'exits 1 when a case fails and names it with the reason; --min-pass-rate 0.5 lets it through',
    async () => {
      fake.setReply(alwaysBilling);
      const card = writeCard('triage.yaml', TRIAGE_CARD);

      const strict = await pcsRun(card);
      expect(strict.code, strict.stderr).toBe(1);
      expect(strict.stdout).toMatch(
        /│\s*ollama:llama3\.2:3b\s*│\s*2\s*│\s*1\s*│\s*1\s*│\s*0\s*│\s*50\.0%\s*│/,
      );
      const problems = strict.stdout.split('Not passing:\n')[1] ?? '';
      expect(problems, strict.stdout).toMatch(
        /^ {2}FAIL {2}crash report × ollama:llama3\.2:3b #\d+: .*Expected output to contain "bug".*got "billing"/m,
      );
      expect(problems).not.toContain('double charge');
      expect(strict.stdout).toContain('pass rate 50.0% (1/2)');

      const lenient = await pcsRun(card, '--min-pass-rate', '0.5');
      expect(lenient.code, lenient.stderr).toBe(0);
      // The failure is still reported, just not fatal.
      expect(lenient.stdout).toMatch(/FAIL {2}crash report × ollama:llama3\.2:3b/);

      const stricter = await pcsRun(card, '--min-pass-rate', '0.51');
      expect(stricter.code, stricter.stderr).toBe(1);

      expect(storedRuns().map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    },
    CLI_TEST_TIMEOUT * 2,
  );

  it(
    'rejects an invalid card with exit 2 and every problem at file:line:col, storing nothing',
    async () => {
      const card = writeCard(
        'invalid.yaml',
        `name: cli-invalid
prompt:
  template: "Ticket: {{ ticket }}"
models: [ollama:llama3.2:3b, gpt-4o]
retries: 3
cases:
  - name: billing
    vars: { ticket: charged twice }
    assert:
      - { type: icontain, value: billing }
  - name: crash
    vars: { ticket: app crashes }
    expect: bug
    assert:
      - { type: contains-any, value: bug }
`,
      );
      const result = await pcsRun(card);

      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        `${card}:4:30 models[1]: must be "echo" or "ollama:<model>", e.g. ollama:llama3.2:3b`,
        `${card}:5:1 retries: unknown property "retries"; allowed: name, description, prompt, models, options, defaults, cases, repeat, concurrency, timeoutMs`,
        `${card}:10:17 cases[0].assert[0].type: must be one of equals, contains, icontains, contains-any, ` +
          'contains-all, starts-with, regex, is-json, json-schema, levenshtein, word-count, latency, ' +
          'token-limit, similar, llm-rubric (or not-<type>), got "icontain" (did you mean "icontains"?)',
        `${card}:13:5 cases[1].expect: unknown property "expect"; allowed: name, description, vars, assert, threshold`,
        `${card}:15:38 cases[1].assert[0].value: must be a list of strings, got string`,
      ]);
      expect(result.stdout).toBe('');
      expect(storedRuns()).toEqual([]);
      expect(fake.stats.requests).toBe(0);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'rejects a card whose cases miss template variables, naming each case, storing nothing',
    async () => {
      // Variables are checked by rendering every case, once the card is otherwise well-formed.
      const card = writeCard(
        'missing-var.yaml',
        `name: cli-missing-var
prompt:
  system: You route tickets for {{ team }}.
  template: "Ticket: {{ ticket }}"
models: [echo]
defaults:
  vars: { team: support }
cases:
  - name: has everything
    vars: { ticket: charged twice }
  - name: misspelt
    vars: { tikcet: app crashes }
  - name: no vars at all
`,
      );
      const result = await pcsRun(card);

      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        `${card}:12:11 cases[1].vars: template variable "ticket" is not defined (used in prompt.template)`,
        `${card}:13:5 cases[2].vars: template variable "ticket" is not defined (used in prompt.template)`,
      ]);
      expect(storedRuns()).toEqual([]);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'exits 2 naming the file when the card does not exist',
    async () => {
      const missing = path.join(dir, 'no-such-card.yaml');
      const result = await pcsRun(missing);

      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(missing);
      expect(result.stderr).toContain('Cannot read the card file');
      expect(result.stderr).toContain('no such file');
      expect(result.stdout).toBe('');
      expect(storedRuns()).toEqual([]);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    "rejects an unknown --format with commander's message",
    async () => {
      const result = await pcsRun(ECHO_DEMO, '-o', path.join(dir, 'out.txt'), '--format', 'xml');

      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        "error: option '-f, --format <format>' argument 'xml' is invalid. Allowed choices are json, csv, junit.",
      );
      expect(existsSync(path.join(dir, 'out.txt'))).toBe(false);
      expect(storedRuns()).toEqual([]);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'runs twice in a row on one task queue: the stopped worker of the first run is not trusted',
    async () => {
      const queue = uniqueTaskQueue('cli-twice');
      const first = await runCli(['run', ECHO_DEMO], cliEnv(queue));
      const second = await runCli(['run', ECHO_DEMO], cliEnv(queue));

      expect([first.code, second.code]).toEqual([0, 0]);
      expect(second.stderr).toContain('starting one in this process');
      expect(storedRuns().map((r) => r.status)).toEqual(['completed', 'completed']);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    'cancels the run on Ctrl+C: says so, exits 130, the run is stored as cancelled and model calls are aborted',
    async () => {
      fake.setDelay(30_000);
      const card = writeCard('slow.yaml', TRIAGE_CARD);
      const cli = spawnCli(['run', card, '-c', '2'], cliEnv());
      running.push(cli);

      await waitUntil(() => /^run (\S+): 2 cells/m.test(cli.stderr()), 'the run id line');
      const runId = /^run (\S+): 2 cells/m.exec(cli.stderr())?.[1] ?? '';
      // The run is under way: the model calls have reached Ollama.
      await waitUntil(() => fake.stats.inFlight > 0, 'a model call in flight');
      cli.child.kill('SIGINT');
      const result = await cli.exited;

      expect(result.stderr).toContain('cancelling the run');
      expect(result.code, result.stderr).toBe(130);
      expect(storedRun(runId)?.status).toBe('cancelled');
      // The CLI's sockets closed with it; the fake may see the aborts a moment later.
      await waitUntil(() => fake.stats.aborted > 0, 'aborted model calls', 10_000);
      expect(fake.stats.inFlight).toBe(0);
    },
    CLI_TEST_TIMEOUT,
  );

  it(
    "runs the model given with -m instead of the card's",
    async () => {
      fake.setReply(router);
      const card = writeCard('triage.yaml', TRIAGE_CARD);
      const out = path.join(dir, 'results.json');
      const result = await pcsRun(card, '-m', 'ollama:qwen2.5:7b', '-o', out);

      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/│\s*ollama:qwen2\.5:7b\s*│/);
      expect(result.stdout).not.toContain('llama3.2:3b');
      const json = readJson(out);
      expect(json.run.options.models).toEqual(['ollama:qwen2.5:7b']);
      expect(json.results.map((r) => [r.model, r.status])).toEqual([
        ['ollama:qwen2.5:7b', 'pass'],
        ['ollama:qwen2.5:7b', 'pass'],
      ]);
      expect(fake.stats.byModel).toEqual({ 'qwen2.5:7b': 2 });
    },
    CLI_TEST_TIMEOUT,
  );
});
