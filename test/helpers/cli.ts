import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Variables core/config.ts reads: a test passes its own and must not inherit the developer's. */
const CONFIG_VARIABLE = /^(PCS_|TEMPORAL_|OLLAMA_|API_|WEBHOOK_|LOG_)|^REDIS_URL$/;

export type CliOutcome = {
  /** Exit code; null when the process died of a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
};

export type CliProcess = {
  child: ChildProcess;
  /** Output so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited and its pipes are drained. */
  exited: Promise<CliOutcome>;
};

/** The real `pcs` CLI (`node --import tsx cli/main.ts ...`) as a child process, run from the repo root. */
export function spawnCli(args: string[], env: Record<string, string>): CliProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !CONFIG_VARIABLE.test(key)),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...inherited, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<CliOutcome>((resolve, reject) => {
    child.once('error', reject);
    // 'close' (not 'exit') fires after stdout and stderr are fully read.
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * Runs the CLI to completion. A CLI that hangs is killed after `timeoutMs` and reported with its output,
 * so the test fails with something to read rather than a bare test timeout.
 */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 90_000,
): Promise<CliOutcome> {
  const cli = spawnCli(args, env);
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.child.kill('SIGKILL');
      reject(
        new Error(
          `pcs ${args.join(' ')} did not exit within ${timeoutMs} ms\n` +
            `--- stdout ---\n${cli.stdout()}\n--- stderr ---\n${cli.stderr()}`,
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([cli.exited, hung]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stops a CLI process a test left running (a failed assertion mid-test), so it cannot outlive the file. */
export async function stopCli(cli: CliProcess): Promise<void> {
  if (cli.child.exitCode !== null || cli.child.signalCode !== null) return;
  cli.child.kill('SIGKILL');
  await cli.exited.catch(() => undefined);
}

/** A minimal RFC 4180 reader (quoted fields may hold commas, quotes and line breaks), for CSV exports. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
