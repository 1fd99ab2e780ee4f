import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './client.ts';
import { saveCardVersion } from './queries/cards.ts';
import { getRun } from './queries/runs.ts';
import { runs } from './schema.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pcs-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const card = {
  name: 'support-triage',
  description: 'Route tickets.',
  source: 'name: support-triage\n',
  spec: { name: 'support-triage' },
  contentHash: 'hash-1',
};

function migrationCount(sqlite: import('better-sqlite3').Database): number {
  return sqlite.prepare('SELECT count(*) FROM __drizzle_migrations').pluck().get() as number;
}

describe('openDatabase', () => {
  it('creates missing folders, applies migrations, and re-opening changes nothing', () => {
    const file = join(dir, 'nested', 'data', 'pcs.sqlite');
    const first = openDatabase(file);
    const tables = first.sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .pluck()
      .all();
    expect(tables).toEqual([
      '__drizzle_migrations',
      'api_keys',
      'card_versions',
      'cards',
      'results',
      'runs',
      'schedules',
      'webhook_deliveries',
      'webhooks',
    ]);
    const applied = migrationCount(first.sqlite);
    expect(applied).toBeGreaterThan(0);
    saveCardVersion(first.db, card);
    first.close();

    const second = openDatabase(file);
    expect(migrationCount(second.sqlite)).toBe(applied);
    expect(second.sqlite.prepare('SELECT count(*) FROM cards').pluck().get()).toBe(1);
    second.close();
  });

  it('uses WAL, foreign keys and a busy timeout', () => {
    const file = join(dir, 'pcs.sqlite');
    const { sqlite, close } = openDatabase(file);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(sqlite.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(existsSync(`${file}-wal`)).toBe(true);
    close();
  });

  it('works in memory', () => {
    const { db, close } = openDatabase(':memory:');
    expect(saveCardVersion(db, card).version).toBe(1);
    close();
  });

  it('rejects a row that points at a missing parent', () => {
    const { db, close } = openDatabase(join(dir, 'pcs.sqlite'));
    const orphan = {
      id: 'orphan-run',
      cardId: 'no-such-card',
      cardVersionId: 999,
      trigger: 'cli' as const,
      workflowId: 'orphan-run',
      options: { models: ['m'], repeat: 1, concurrency: 1 },
      totalCells: 1,
    };
    expect(() => db.insert(runs).values(orphan).run()).toThrow(/FOREIGN KEY constraint failed/);
    expect(getRun(db, 'orphan-run')).toBeUndefined();
    close();
  });

  it('lets two connections to one file (API and worker) see each other’s writes', () => {
    const file = join(dir, 'pcs.sqlite');
    const api = openDatabase(file);
    const worker = openDatabase(file);
    const saved = saveCardVersion(api.db, card);
    expect(
      worker.sqlite.prepare('SELECT latest_version FROM cards WHERE id = ?').pluck().get(saved.cardId),
    ).toBe(1);
    const again = saveCardVersion(worker.db, { ...card, source: 'v2', contentHash: 'hash-2' });
    expect(again.version).toBe(2);
    expect(saveCardVersion(api.db, { ...card, source: 'v2', contentHash: 'hash-2' })).toEqual({
      ...again,
      created: false,
    });
    api.close();
    worker.close();
  });

  it('survives several processes opening the same fresh file at the same moment', async () => {
    const files = Array.from({ length: 8 }, (_, i) => join(dir, `fresh-${i}.sqlite`));
    const script = join(dir, 'open.ts');
    const clientUrl = new URL('./client.ts', import.meta.url).href;
    // Each child loads the module and says "ready"; it is then told the instant at which to start,
    // and opens each fresh file in turn on a shared beat so that every open overlaps.
    writeFileSync(
      script,
      [
        `import { openDatabase } from ${JSON.stringify(clientUrl)};`,
        `const files = process.argv.slice(2);`,
        `process.stdout.write('ready');`,
        `process.stdin.once('data', (data) => {`,
        `  const at = Number(String(data));`,
        `  files.forEach((file, i) => {`,
        `    while (Date.now() < at + i * 100) {}`,
        `    openDatabase(file).close();`,
        `  });`,
        `  process.exit(0);`,
        `});`,
      ].join('\n'),
    );
    const children = [0, 1, 2].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, ...files]);
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const ready = new Promise((resolve) => child.stdout.once('data', resolve));
      const exit = new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
      return { child, ready, exit };
    });
    await Promise.all(children.map((c) => c.ready));
    const at = Date.now() + 200;
    for (const c of children) c.child.stdin.write(`${at}\n`);
    const ok = { code: 0, stderr: '' };
    expect(await Promise.all(children.map((c) => c.exit))).toEqual([ok, ok, ok]);

    const reference = openDatabase(':memory:');
    for (const file of files) {
      const shared = openDatabase(file);
      expect(migrationCount(shared.sqlite)).toBe(migrationCount(reference.sqlite));
      shared.close();
    }
    reference.close();
  });
});
