import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countResultsByStatus, listResults } from '../db/queries/results.ts';
import { getRun } from '../db/queries/runs.ts';
import { createSuiteHarness, harnessWorkerEnv, type SuiteHarness } from './helpers/suite.ts';
import { killHard, spawnWorker, type WorkerProcess } from './helpers/worker-process.ts';

const CARD = `
name: crash-demo
prompt: { template: "Say {{ word }}" }
models: [ollama:llama3.2:3b, ollama:qwen2.5:7b]
concurrency: 4
cases:
${Array.from({ length: 15 }, (_, i) => `  - { name: case ${i}, vars: { word: w${i} }, assert: [{ type: contains, value: w${i} }] }`).join('\n')}
`;

describe('a worker killed mid-run', () => {
  let h: SuiteHarness;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    h = await createSuiteHarness();
  });
  afterAll(async () => {
    await Promise.all(workers.map(killHard));
    await h?.close();
  });

  it('is replaced by a new worker and the run completes by itself with exactly one row per cell', async () => {
    h.fake.setDelay(150);
    const env = harnessWorkerEnv(h);
    const first = spawnWorker(env);
    workers.push(first);
    await first.ready;

    const run = await h.startRun(CARD, { overrides: { repeat: 2 } });
    const total = 60;
    await waitUntil(() => countResultsByStatus(h.database.db, run.runId).total >= total / 3);
    await killHard(first);
    const storedAtCrash = countResultsByStatus(h.database.db, run.runId).total;
    expect(storedAtCrash).toBeLessThan(total);

    const second = spawnWorker(env);
    workers.push(second);
    await second.ready;
    const result = await run.handle.result();

    expect(result.status).toBe('completed');
    const rows = listResults(h.database.db, run.runId, { limit: 1000 });
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => r.cellKey)).size).toBe(total);
    expect(rows.every((r) => r.status === 'pass')).toBe(true);
    expect(getRun(h.database.db, run.runId)?.summary).toMatchObject({ total, passed: total });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
