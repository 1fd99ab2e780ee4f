import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listResults } from '../db/queries/results.ts';
import { getRun } from '../db/queries/runs.ts';
import { progressQuery } from '../workflows/shared.ts';
import { createSuiteHarness, nextTaskQueue, type SuiteHarness } from './helpers/suite.ts';

const TRIAGE = `
name: support-triage
prompt:
  system: You are a support triage assistant. Answer with one word.
  template: "Ticket: {{ ticket }}"
models: [ollama:llama3.2:3b, ollama:qwen2.5:7b]
cases:
  - name: double charge
    vars: { ticket: "I was charged twice" }
    assert: [{ type: icontains, value: billing }]
  - name: crash report
    vars: { ticket: "The app crashes on upload" }
    assert: [{ type: icontains, value: bug }, { type: not-icontains, value: billing }]
  - name: password
    vars: { ticket: "I forgot my password" }
    assert: [{ type: icontains, value: account }]
`;

/** A model that routes tickets right, except that qwen sends password tickets to "other". */
function triageReply({ messages, model }: { messages?: { content: string }[]; model: string }): string {
  const ticket = messages?.at(-1)?.content ?? '';
  if (ticket.includes('charged')) return 'Billing';
  if (ticket.includes('crashes')) return 'bug';
  return model.startsWith('qwen') ? 'other' : 'Account';
}

describe('SuiteRun workflow', () => {
  let h: SuiteHarness;

  beforeAll(async () => {
    h = await createSuiteHarness();
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    nextTaskQueue(h);
    h.fake.reset();
  });

  it('runs a card end to end: results, summary and progress stored and queryable', async () => {
    h.fake.setReply(triageReply);
    const worker = await h.worker();
    const run = await h.startRun(TRIAGE);
    const { result, progress } = await worker.runUntil(async () => ({
      result: await run.handle.result(),
      progress: await run.handle.query(progressQuery),
    }));

    expect(result.status).toBe('completed');
    const rows = listResults(h.database.db, run.runId, { limit: 100 });
    expect(rows).toHaveLength(6);
    const failing = rows.filter((r) => r.status !== 'pass');
    expect(failing.map((r) => `${r.caseName}/${r.model}`)).toEqual(['password/ollama:qwen2.5:7b']);
    expect(failing[0]?.reason).toContain('account');
    expect(failing[0]?.output).toBe('other');
    expect(rows.every((r) => r.renderedPrompt.includes('Ticket:'))).toBe(true);

    const stored = getRun(h.database.db, run.runId);
    expect(stored?.status).toBe('completed');
    expect(stored?.summary).toMatchObject({ total: 6, passed: 5, failed: 1, errored: 0 });
    expect(stored?.summary?.perModel).toMatchObject({
      'ollama:llama3.2:3b': { passRate: 1 },
      'ollama:qwen2.5:7b': { passed: 2, failed: 1 },
    });
    expect(progress).toMatchObject({
      status: 'completed',
      total: 6,
      done: 6,
      passed: 5,
      failed: 1,
      running: 0,
    });
    expect(progress.perModel['ollama:qwen2.5:7b']).toMatchObject({ done: 3, failed: 1 });
  });

  it('absorbs a model that answers 500 on every third call: no error cells', async () => {
    h.fake.setReply(triageReply);
    h.fake.failEvery(3, { status: 500, body: 'server overloaded' });
    const worker = await h.worker();
    const run = await h.startRun(TRIAGE, { overrides: { repeat: 4 } });
    const result = await worker.runUntil(run.handle.result());

    expect(result.summary).toMatchObject({ total: 24, errored: 0, passed: 20, failed: 4 });
    expect(h.fake.stats.byPath['/api/chat']).toBeGreaterThan(24);
  });

  it('stores an unknown model as error cells with the 404 reason, without a retry storm', async () => {
    h.fake.setReply(triageReply);
    const worker = await h.worker();
    const run = await h.startRun(TRIAGE, { overrides: { models: ['ollama:llama3.2:3b', 'ollama:nope:1b'] } });
    const result = await worker.runUntil(run.handle.result());

    expect(result.summary.perModel['ollama:nope:1b']).toMatchObject({ total: 3, errored: 3 });
    const errors = listResults(h.database.db, run.runId, { status: 'error', limit: 10 });
    expect(errors.map((r) => r.errorType)).toEqual(['model-not-found', 'model-not-found', 'model-not-found']);
    expect(errors[0]?.reason).toContain("model 'nope:1b' not found");
    expect(h.fake.stats.byModel['nope:1b']).toBe(3);
  });

  it('cancels a run: in-flight Ollama calls are aborted, the run ends cancelled, results are kept', async () => {
    h.fake.setReply(triageReply);
    h.fake.setDelay(300);
    h.fake.setDelay(60_000, 'qwen2.5:7b');
    const worker = await h.worker();
    const run = await h.startRun(TRIAGE, { overrides: { repeat: 2, concurrency: 4 } });
    const result = await worker.runUntil(async () => {
      await waitUntil(() => h.fake.stats.byModel['qwen2.5:7b'] !== undefined && h.fake.stats.inFlight > 0);
      await waitUntil(() => listResults(h.database.db, run.runId, { limit: 1 }).length > 0);
      await run.handle.cancel();
      return run.handle.result();
    });

    expect(result.status).toBe('cancelled');
    await waitUntil(() => h.fake.stats.aborted > 0);
    expect(h.fake.stats.inFlight).toBe(0);
    const stored = getRun(h.database.db, run.runId);
    expect(stored?.status).toBe('cancelled');
    const kept = listResults(h.database.db, run.runId, { limit: 100 });
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(12);
    expect(kept.every((r) => r.model === 'ollama:llama3.2:3b')).toBe(true);
  });

  it('continues as new when history grows, and still stores every cell exactly once', async () => {
    const worker = await h.worker();
    const card = TRIAGE.replace('models: [ollama:llama3.2:3b, ollama:qwen2.5:7b]', 'models: [echo]');
    const run = await h.startRun(card, {
      overrides: { repeat: 10 },
      tuning: { batchSize: 1, maxHistoryEvents: 40 },
    });
    const result = await worker.runUntil(run.handle.result());

    expect(result.summary.total).toBe(30);
    const rows = listResults(h.database.db, run.runId, { limit: 100 });
    expect(new Set(rows.map((r) => r.cellKey)).size).toBe(30);
    const description = await run.handle.describe();
    expect(description.runId).not.toBe(run.handle.firstExecutionRunId);
  });

  it('does not hide a bad run id: querying an unknown run fails clearly', async () => {
    const handle = h.env.client.workflow.getHandle('no-such-run');
    await expect(handle.result()).rejects.not.toBeInstanceOf(WorkflowFailedError);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
