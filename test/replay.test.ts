import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSuiteHarness, type SuiteHarness } from './helpers/suite.ts';
import { temporalCliPath } from './helpers/temporal.ts';

/**
 * Determinism guard. The committed history was recorded from a real run (cancelled half way, so both
 * the cell path and the cancellation path are in it); replaying it against today's workflow code fails
 * when a change would break runs in flight. Re-record on purpose with RECORD_HISTORY=1 and commit it.
 */
const FIXTURE = fileURLToPath(new URL('./fixtures/suite-run-history.json', import.meta.url));

const CARD = `
name: replay-demo
prompt: { template: "Echo {{ word }}" }
models: [ollama:llama3.2:3b, echo]
cases:
  - { name: one, vars: { word: alpha }, assert: [{ type: contains, value: alpha }] }
  - { name: two, vars: { word: beta }, assert: [{ type: contains, value: beta }] }
  - { name: three, vars: { word: gamma }, assert: [{ type: contains, value: nope }] }
`;

describe('SuiteRun replay', () => {
  let h: SuiteHarness;

  beforeAll(async () => {
    h = await createSuiteHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('replays a freshly recorded run with the current code', async () => {
    const history = await recordRun(h, false);
    await expect(Worker.runReplayHistory({ workflowBundle: h.bundle }, history)).resolves.toBeUndefined();
  });

  it('replays a cancelled run with the current code, and the committed history too', async () => {
    const history = await recordRun(h, true);
    await Worker.runReplayHistory({ workflowBundle: h.bundle }, history);
    if (process.env.RECORD_HISTORY === '1' || !existsSync(FIXTURE)) {
      writeFileSync(FIXTURE, await historyJsonFromCli(h, history.events?.[0] ? runIdOf(h) : ''));
    }
    // runReplayHistory converts history JSON itself (with the proto classes the worker uses).
    const committed = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { events: unknown[] };
    expect(committed.events.length).toBeGreaterThan(10);
    await expect(Worker.runReplayHistory({ workflowBundle: h.bundle }, committed)).resolves.toBeUndefined();
  });
});

let lastRunId = '';
function runIdOf(_h: SuiteHarness): string {
  return lastRunId;
}

/** `temporal workflow show --output json` is the canonical history JSON (what the Web UI downloads too). */
async function historyJsonFromCli(h: SuiteHarness, workflowId: string): Promise<string> {
  const cli = await temporalCliPath();
  const args = [
    'workflow',
    'show',
    '--workflow-id',
    workflowId,
    '--address',
    h.env.address,
    '--output',
    'json',
  ];
  const { stdout } = await promisify(execFile)(cli, args, { maxBuffer: 64 << 20 });
  return stdout;
}

async function recordRun(h: SuiteHarness, cancelHalfway: boolean) {
  h.fake.reset();
  h.fake.setDelay(cancelHalfway ? 400 : 0, 'llama3.2:3b');
  const worker = await h.worker();
  const run = await h.startRun(CARD, { overrides: { concurrency: 2 }, tuning: { batchSize: 1 } });
  lastRunId = run.runId;
  await worker.runUntil(async () => {
    if (cancelHalfway) {
      await new Promise((r) => setTimeout(r, 600));
      await run.handle.cancel();
    }
    return run.handle.result();
  });
  return run.handle.fetchHistory();
}
