import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../db/client.ts';
import { saveCardVersion } from '../../db/queries/cards.ts';
import { getRun } from '../../db/queries/runs.ts';
import { prepareScheduledRun } from './prepare.ts';

let dir: string;
let handle: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pcs-prepare-'));
  handle = openDatabase(join(dir, 'pcs.sqlite'));
});
afterEach(() => {
  handle.close();
  rmSync(dir, { recursive: true, force: true });
});

function store(prompt: string) {
  const spec = { name: 'nightly', prompt: { template: prompt }, models: ['echo'], cases: [{ name: 'a' }] };
  const source = JSON.stringify(spec);
  const contentHash = createHash('sha256').update(source).digest('hex');
  return saveCardVersion(handle.db, { name: 'nightly', description: '', source, spec, contentHash });
}

const FIRING = {
  scheduleId: 'pcs-nightly-abc123',
  cardId: 'nightly',
  overrides: {},
  alertOnFailure: false,
  workflowId: 'pcs-nightly-abc123-2026-11-27T03:00:00Z',
};

describe('prepareScheduledRun', () => {
  it('stores one run per firing and, when the firing is retried, keeps the version it first stored', async () => {
    const first = store('v1 says hi');
    const input = await prepareScheduledRun({ db: handle.db }, FIRING);
    expect(input.cardVersionId).toBe(first.versionId);
    expect(input.judge).toEqual({ alertOnFailure: false });

    const second = store('v2 says hi');
    expect(second.versionId).not.toBe(first.versionId);
    const retried = await prepareScheduledRun({ db: handle.db }, FIRING);
    expect(retried.runId).toBe(input.runId);
    expect(retried.cardVersionId).toBe(first.versionId);
    expect(getRun(handle.db, input.runId)?.cardVersionId).toBe(first.versionId);

    const nextFiring = await prepareScheduledRun(
      { db: handle.db },
      { ...FIRING, workflowId: 'pcs-nightly-abc123-2026-11-28T03:00:00Z' },
    );
    expect(nextFiring.cardVersionId).toBe(second.versionId);
  });
});
