import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Child = {
  name: string;
  process: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process has ended. */
  exited: Promise<number | string>;
};

/** Starts a process whose every output line is written to our stdout as `name | line`. */
export function startChild(
  name: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { background?: boolean; cwd?: string } = {},
): Child {
  // A background child has its own process group (a Ctrl+C meant for `pcs run` must not kill the server
  // before the run is cancelled) and its output is dropped.
  const output = options.background ? 'ignore' : 'pipe';
  const child = spawn(command, args, {
    env,
    cwd: options.cwd,
    stdio: ['ignore', output, output],
    detached: options.background,
  });
  prefixLines(name, child);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => {
      writePrefixed(name, `could not start ${command}: ${error.message}`);
      resolve(1);
    });
  });
  return { name, process: child, exited };
}

/** SIGTERM, then SIGKILL if it has not ended within the grace period. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => {
    writePrefixed(child.name, `did not stop within ${graceMs / 1000}s; killing it`);
    child.process.kill('SIGKILL');
  }, graceMs);
  await child.exited;
  clearTimeout(timer);
}

export function writePrefixed(name: string, line: string): void {
  process.stdout.write(`${name.padEnd(8)} | ${line}\n`);
}

function prefixLines(name: string, child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
      writePrefixed(name, line),
    );
  }
}
