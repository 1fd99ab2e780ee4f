import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../core/config.ts';
import { DEV_SERVER_DYNAMIC_CONFIG, SEARCH_ATTRIBUTES } from '../../workflows/shared.ts';
import { type Child, startChild, writePrefixed } from './child.ts';

const CLI_SCRIPT = fileURLToPath(new URL('../../scripts/temporal-cli.sh', import.meta.url));

/** Runs scripts/temporal-cli.sh (which may build the CLI), relaying its progress as `setup | ...`. */
export function resolveTemporalCli(env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [CLI_SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    createInterface({ input: child.stderr }).on('line', (line) => writePrefixed('setup', line));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 && stdout.trim()) resolve(stdout.trim());
      else reject(new Error('No Temporal CLI is available (see the setup lines above).'));
    });
  });
}

/** The embedded Temporal dev server: SQLite file in the data folder, so a restart keeps its history. */
export function startTemporalDevServer(
  cli: string,
  config: Config,
  env: NodeJS.ProcessEnv,
  options: { background?: boolean } = {},
): Child {
  const { temporal } = config;
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(temporal.port),
    '--ui-port',
    String(temporal.uiPort),
    '--namespace',
    temporal.namespace,
    '--db-filename',
    path.join(config.dataDir, 'temporal.sqlite'),
    '--log-level',
    'error',
    ...Object.values(SEARCH_ATTRIBUTES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]),
    ...DEV_SERVER_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]),
  ];
  return startChild('temporal', cli, args, env, options);
}
