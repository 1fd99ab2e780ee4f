import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.ts';

export type DrizzleDb = BetterSQLite3Database<typeof schema>;

export interface Db {
  db: DrizzleDb;
  sqlite: Database.Database;
  close(): void;
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Opens (creating if needed) a SQLite file, or `':memory:'`, and brings it to the latest migration. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  try {
    sqlite.pragma('busy_timeout = 5000');
    enableWal(sqlite);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    const db = drizzle(sqlite, { schema });
    applyMigrations(db);
    return { db, sqlite, close: () => sqlite.close() };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}

function enableWal(sqlite: Database.Database): void {
  // Two processes switching a fresh file to WAL at once can each hold the lock the other needs; SQLite
  // then answers SQLITE_BUSY straight away instead of using busy_timeout, so wait a little and retry.
  for (let attempt = 1; ; attempt++) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'SQLITE_BUSY' || attempt >= 100) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 40);
    }
  }
}

function applyMigrations(db: DrizzleDb): void {
  try {
    migrate(db, { migrationsFolder });
  } catch {
    // The API and the worker may open a fresh file at the same moment. Drizzle reads the applied list
    // before taking the write lock, so the slower process fails on CREATE TABLE once the faster one has
    // committed; a second pass then sees the migrations applied and does nothing. Real errors repeat.
    migrate(db, { migrationsFolder });
  }
}
