import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FAKE_OLLAMA = fileURLToPath(new URL('../test/fakes/ollama-server.ts', import.meta.url));
const WORKER = fileURLToPath(new URL('../worker/main.ts', import.meta.url));

export type Proc = { child: ChildProcess; stop: () => Promise<void> };

/** Starts a tsx entry point and resolves once a line of its output matches `readyLine`. */
function startEntry(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  readyLine: RegExp,
  nodeArgs: string[] = [],
): Promise<Proc & { line: string }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', entry, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
    });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => readyLine.test(l));
      if (line) resolve({ child, stop, line });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${entry} exited with ${code}:\n${output}`)));
  });
}

export async function startFakeOllamaProcess(delayMs: number): Promise<Proc & { url: string }> {
  const started = await startEntry(
    FAKE_OLLAMA,
    ['--port', '0', '--delay', String(delayMs)],
    process.env,
    /listening on/,
  );
  const url = /(http:\/\/\S+)/.exec(started.line)?.[1];
  if (!url) throw new Error(`no URL in "${started.line}"`);
  return { ...started, url };
}

export function startWorkerProcess(env: Record<string, string>): Promise<Proc> {
  // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const workerEnv = { ...process.env, LOG_LEVEL: 'warn', LOG_FORMAT: 'json', ...env };
  return startEntry(WORKER, [], workerEnv, /worker serving/, nodeArgs);
}

/** Peak resident set size of a live process (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}
