import Table from 'cli-table3';
import { loadConfig } from '../../core/config.ts';
import { type Db, openDatabase } from '../../db/client.ts';
import {
  API_KEY_NAME_MAX_LENGTH,
  createApiKey,
  getApiKey,
  listApiKeys,
  revokeApiKey,
} from '../../db/queries/api-keys.ts';
import { InputError } from '../errors.ts';

/**
 * `pcs keys create <name>`: the key goes to stdout alone (so `KEY=$(pcs keys create ci)` works), the note
 * to stderr. Only its hash is stored, so this is the one time it can be shown.
 */
export function keysCreateCommand(name: string): void {
  const trimmed = name.trim();
  if (trimmed === '') throw new InputError('The key needs a name, e.g. pcs keys create ci');
  if (trimmed.length > API_KEY_NAME_MAX_LENGTH) {
    throw new InputError(`The key name must be at most ${API_KEY_NAME_MAX_LENGTH} characters`);
  }
  withDatabase((database) => {
    const created = createApiKey(database.db, trimmed);
    process.stdout.write(`${created.key}\n`);
    process.stderr.write(
      `Created API key ${created.id} "${created.name}" (prefix ${created.prefix}).\n` +
        'Store it now: it is shown only this once. Send it as "Authorization: Bearer <key>".\n',
    );
  });
}

/** `pcs keys list`: every key, live or revoked, without the secret part. */
export function keysListCommand(): void {
  withDatabase((database) => {
    const keys = listApiKeys(database.db);
    if (keys.length === 0) {
      process.stdout.write('No API keys yet. Create one with: pcs keys create <name>\n');
      return;
    }
    const table = new Table({ head: ['id', 'name', 'prefix', 'created', 'revoked'] });
    for (const key of keys) {
      table.push([key.id, key.name, `${key.prefix}…`, isoTime(key.createdAt), isoTime(key.revokedAt)]);
    }
    process.stdout.write(`${table.toString()}\n`);
  });
}

/** `pcs keys revoke <id>`: requests with the key get 403 from now on. */
export function keysRevokeCommand(id: number): void {
  withDatabase((database) => {
    if (revokeApiKey(database.db, id)) {
      process.stdout.write(`Revoked API key ${id}.\n`);
      return;
    }
    const key = getApiKey(database.db, id);
    if (!key) throw new InputError(`There is no API key ${id}; see pcs keys list.`);
    throw new InputError(`API key ${id} ("${key.name}") was already revoked at ${isoTime(key.revokedAt)}.`);
  });
}

function withDatabase(work: (database: Db) => void): void {
  const database = openDatabase(loadConfig(process.env).dbFile);
  try {
    work(database);
  } finally {
    database.close();
  }
}

function isoTime(epochMs: number | null): string {
  return epochMs === null ? '-' : new Date(epochMs).toISOString();
}
