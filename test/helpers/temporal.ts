import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DEV_SERVER_DYNAMIC_CONFIG, SEARCH_ATTRIBUTES } from '../../workflows/shared.ts';

const CLI_SCRIPT = fileURLToPath(new URL('../../scripts/temporal-cli.sh', import.meta.url));

let cliPath: Promise<string> | undefined;

/** The project's script finds (or builds) the Temporal CLI; the test helpers must never download one. */
export function temporalCliPath(): Promise<string> {
  cliPath ??= promisify(execFile)('bash', [CLI_SCRIPT], { maxBuffer: 1 << 20 }).then(({ stdout }) =>
    stdout.trim(),
  );
  return cliPath;
}

/** An ephemeral Temporal dev server for one test file: in-memory, random port, our search attributes. */
export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  quietTemporalRuntime();
  const path = await temporalCliPath();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      extraArgs: [
        '--log-level',
        'error',
        ...searchAttributeArgs(),
        ...DEV_SERVER_DYNAMIC_CONFIG.flatMap((value) => ['--dynamic-config-value', value]),
      ],
    },
  });
}

export function searchAttributeArgs(): string[] {
  return Object.values(SEARCH_ATTRIBUTES).flatMap((name) => ['--search-attribute', `${name}=Keyword`]);
}

let queueCounter = 0;
/** A fresh task queue per test keeps workers of different tests from stealing each other's tasks. */
export function uniqueTaskQueue(prefix = 'test'): string {
  queueCounter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${queueCounter}`;
}

let runtimeInstalled = false;
/** Worker state changes at INFO drown test output; keep warnings and errors. */
function quietTemporalRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}
