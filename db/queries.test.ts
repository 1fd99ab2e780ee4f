import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cellKey } from '../core/run/cells.ts';
import { type Db, openDatabase } from './client.ts';
import { getCard, getCardVersion, listCardVersions, saveCardVersion } from './queries/cards.ts';
import {
  countResultsByStatus,
  listResults,
  type ResultInput,
  recordResult,
  resultKeysForRun,
  resultOutcomesForCells,
} from './queries/results.ts';
import { createRun, finishRun, getRun, listRuns, markRunStarted } from './queries/runs.ts';
import { listDeliveries, listEnabledWebhooks, recordDelivery } from './queries/webhooks.ts';
import { type NewRun, webhooks } from './schema.ts';

let dir: string;
let handle: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pcs-db-'));
  handle = openDatabase(join(dir, 'pcs.sqlite'));
});
afterEach(() => {
  handle.close();
  rmSync(dir, { recursive: true, force: true });
});

function cardInput(source: string) {
  return {
    name: 'support-triage',
    description: 'Route tickets.',
    source,
    spec: { name: 'support-triage', cases: [{ name: source }] },
    contentHash: `sha-${source}`,
  };
}

function seedRun(id = 'support-triage-20261126T183012-a1b2', createdAt = 1_000): NewRun {
  const { cardId, versionId } = saveCardVersion(handle.db, cardInput('v1'));
  const run: NewRun = {
    id,
    cardId,
    cardVersionId: versionId,
    trigger: 'cli',
    workflowId: id,
    options: { models: ['llama3.2:3b', 'qwen2.5:7b'], repeat: 2, concurrency: 4, noCache: false },
    totalCells: 8,
    createdAt,
  };
  createRun(handle.db, run);
  return run;
}

function cell(runId: string, caseIndex: number, model: string, repeat: number): ResultInput {
  return {
    runId,
    caseIndex,
    caseName: `case ${caseIndex}`,
    model,
    repeat,
    status: 'pass',
    score: 1,
    output: 'billing',
    renderedPrompt: 'Ticket: charged twice',
    assertions: [{ type: 'icontains', pass: true }],
    metrics: { tokensPerSecond: 42 },
    reason: 'all assertions passed',
    latencyMs: 120,
    promptTokens: 30,
    completionTokens: 2,
    cacheHit: false,
    attempts: 1,
  };
}

describe('cards', () => {
  it('numbers new content as the next version and returns the existing version for known content', () => {
    const v1 = saveCardVersion(handle.db, cardInput('v1'));
    expect(v1).toMatchObject({ cardId: 'support-triage', version: 1, created: true });

    expect(saveCardVersion(handle.db, cardInput('v1'))).toEqual({ ...v1, created: false });

    const v2 = saveCardVersion(handle.db, cardInput('v2'));
    expect(v2).toMatchObject({ cardId: 'support-triage', version: 2, created: true });
    expect(saveCardVersion(handle.db, cardInput('v1'))).toEqual({ ...v1, created: false });

    expect(getCard(handle.db, 'support-triage')?.latestVersion).toBe(2);
    expect(listCardVersions(handle.db, 'support-triage').map((v) => v.version)).toEqual([2, 1]);
    expect(getCardVersion(handle.db, v2.versionId)).toMatchObject({
      source: 'v2',
      contentHash: 'sha-v2',
      spec: { name: 'support-triage', cases: [{ name: 'v2' }] },
    });
  });

  it('gives distinct ids to names that slug the same way', () => {
    const a = saveCardVersion(handle.db, { ...cardInput('a'), name: 'Support Triage' });
    const b = saveCardVersion(handle.db, { ...cardInput('b'), name: 'support-triage' });
    expect(a.cardId).toBe('support-triage');
    expect(b.cardId).not.toBe(a.cardId);
    expect(b.version).toBe(1);
  });
});

describe('runs', () => {
  it('creates a run once; a second create with the same id keeps the first', () => {
    const run = seedRun();
    const again = createRun(handle.db, { ...run, totalCells: 99 });
    expect(again.inserted).toBe(false);
    expect(again.run.totalCells).toBe(8);
    expect(getRun(handle.db, run.id)).toMatchObject({ status: 'queued', options: run.options });
  });

  it('finishes a run once; a repeated or late finish does not overwrite it', () => {
    const { id } = seedRun();
    expect(markRunStarted(handle.db, id, 2_000)).toBe(true);
    expect(markRunStarted(handle.db, id, 3_000)).toBe(false);

    const outcome = { status: 'completed' as const, summary: { pass: 8 }, error: null };
    expect(finishRun(handle.db, id, outcome, 5_000)).toBe(true);
    expect(finishRun(handle.db, id, outcome, 6_000)).toBe(false);
    expect(finishRun(handle.db, id, { status: 'failed', error: 'late' }, 7_000)).toBe(false);

    expect(getRun(handle.db, id)).toMatchObject({
      status: 'completed',
      summary: { pass: 8 },
      error: null,
      startedAt: 2_000,
      finishedAt: 5_000,
    });
  });

  it('lists newest first, filtered by card and status', () => {
    const older = seedRun('run-a', 1_000);
    const newer = seedRun('run-b', 2_000);
    finishRun(handle.db, older.id, { status: 'failed', error: 'boom' });

    expect(listRuns(handle.db, { limit: 10 }).map((r) => r.id)).toEqual(['run-b', 'run-a']);
    expect(listRuns(handle.db, { status: 'failed', limit: 10 }).map((r) => r.id)).toEqual(['run-a']);
    expect(listRuns(handle.db, { cardId: newer.cardId, limit: 1, offset: 1 }).map((r) => r.id)).toEqual([
      'run-a',
    ]);
    expect(listRuns(handle.db, { cardId: 'other', limit: 10 })).toEqual([]);
  });
});

describe('results', () => {
  it('records a cell once: a retried write keeps one row with the same id and the first payload', () => {
    const { id: runId } = seedRun();
    const first = recordResult(handle.db, cell(runId, 0, 'llama3.2:3b', 0));
    const retry = recordResult(handle.db, { ...cell(runId, 0, 'llama3.2:3b', 0), status: 'fail', score: 0 });

    expect(first.inserted).toBe(true);
    expect(retry).toEqual({ id: first.id, inserted: false });
    const rows = listResults(handle.db, runId, { limit: 10 });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'pass', score: 1, cellKey: '0/llama3.2:3b/0', cacheHit: false });
  });

  it('gives growing ids, so a stream can resume after the last id it sent', () => {
    const { id: runId } = seedRun();
    const ids = [
      cell(runId, 0, 'llama3.2:3b', 0),
      cell(runId, 0, 'qwen2.5:7b', 0),
      { ...cell(runId, 1, 'llama3.2:3b', 1), status: 'fail' as const, score: 0 },
      { ...cell(runId, 1, 'qwen2.5:7b', 1), status: 'error' as const, score: 0, errorType: 'Timeout' },
    ].map((r) => recordResult(handle.db, r).id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(4);

    const afterSecond = listResults(handle.db, runId, { afterId: ids[1], limit: 10 });
    expect(afterSecond.map((r) => r.id)).toEqual(ids.slice(2));
    expect(listResults(handle.db, runId, { model: 'qwen2.5:7b', status: 'error', limit: 10 })).toMatchObject([
      { errorType: 'Timeout', cellKey: cellKey(1, 'qwen2.5:7b', 1) },
    ]);
    expect(countResultsByStatus(handle.db, runId)).toEqual({ pass: 2, fail: 1, error: 1, total: 4 });
    expect(resultKeysForRun(handle.db, runId)).toEqual(
      new Set(['0/llama3.2:3b/0', '0/qwen2.5:7b/0', '1/llama3.2:3b/1', '1/qwen2.5:7b/1']),
    );
    expect(resultOutcomesForCells(handle.db, runId, ['1/qwen2.5:7b/1', '9/qwen2.5:7b/0'])).toEqual([
      { key: '1/qwen2.5:7b/1', model: 'qwen2.5:7b', status: 'error' },
    ]);
  });

  it('rejects a result for a run that does not exist', () => {
    expect(() => recordResult(handle.db, cell('no-such-run', 0, 'm', 0))).toThrow(/FOREIGN KEY/);
    expect(countResultsByStatus(handle.db, 'no-such-run').total).toBe(0);
  });
});

describe('webhooks', () => {
  it('logs each attempt once per idempotency key and lists enabled hooks', () => {
    const { id: runId } = seedRun();
    const hook = handle.db
      .insert(webhooks)
      .values({ url: 'http://hooks.test/a', secret: 's', events: ['run.completed'] })
      .returning()
      .get();
    handle.db
      .insert(webhooks)
      .values({ url: 'http://hooks.test/b', secret: 's', events: ['run.failed'], enabled: false })
      .run();
    expect(listEnabledWebhooks(handle.db).map((w) => w.url)).toEqual(['http://hooks.test/a']);

    const attempt = {
      webhookId: hook.id,
      url: hook.url,
      runId,
      event: 'run.completed',
      idempotencyKey: `${runId}:run.completed:${hook.id}`,
      attempt: 1,
      statusCode: 503,
      ok: false,
      error: 'Service Unavailable',
      durationMs: 12,
    };
    const first = recordDelivery(handle.db, attempt);
    expect(recordDelivery(handle.db, attempt)).toEqual({ id: first.id, inserted: false });
    recordDelivery(handle.db, { ...attempt, attempt: 2, statusCode: 200, ok: true, error: null });
    // An env-configured URL has no webhook row.
    recordDelivery(handle.db, { ...attempt, webhookId: null, url: 'http://env.test', idempotencyKey: 'k2' });

    expect(listDeliveries(handle.db, { runId }).map((d) => [d.url, d.attempt, d.ok])).toEqual([
      ['http://hooks.test/a', 1, false],
      ['http://hooks.test/a', 2, true],
      ['http://env.test', 1, false],
    ]);
  });
});
