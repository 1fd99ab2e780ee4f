import { execFile } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOW_TRACING_MODULE } from '../telemetry/workflow-module.ts';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
const THIS_FILE = fileURLToPath(import.meta.url);
const TRACING_FLAG = '--tracing';

/**
 * Bundling takes seconds; tests bundle once per file and share the result between workers. With
 * `tracing`, the OpenTelemetry workflow interceptors are bundled in (the worker then needs the plugin).
 */
export function bundleWorkflows(options: { tracing?: boolean } = {}): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: quietBundlerLogger,
    ...(options.tracing ? { workflowInterceptorModules: [WORKFLOW_TRACING_MODULE] } : {}),
  });
}

/**
 * Bundles in a short-lived child process and returns the bundle's path. Webpack needs well over 100 MB
 * while it runs; doing it in the worker process would leave that high-water mark on the worker for good.
 */
export async function bundleWorkflowsToFile(
  dir: string,
  options: { tracing?: boolean } = {},
): Promise<{ codePath: string }> {
  const codePath = path.join(dir, 'workflow-bundle.js');
  const args = ['--import', 'tsx', THIS_FILE, codePath, ...(options.tracing ? [TRACING_FLAG] : [])];
  await promisify(execFile)(process.execPath, args, {
    maxBuffer: 1 << 20,
  });
  return { codePath };
}

const noop = () => {};
const quietBundlerLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: console.error,
  log: noop,
};

if (process.argv[1] === THIS_FILE && process.argv[2]) {
  const target = process.argv[2];
  const { code } = await bundleWorkflows({ tracing: process.argv.includes(TRACING_FLAG) });
  mkdirSync(path.dirname(target), { recursive: true });
  // Write then rename: workers starting together each replace the file whole, never half-written.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, code);
  renameSync(partial, target);
}
