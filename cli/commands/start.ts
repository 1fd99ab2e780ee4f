import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Config, loadConfig } from '../../core/config.ts';
import { type Child, startChild, stopChild, writePrefixed } from '../supervisor/child.ts';
import { ensureDashboardBuilt } from '../supervisor/dashboard-build.ts';
import { assertPortFree } from '../supervisor/ports.ts';
import { resolveTemporalCli, startTemporalDevServer } from '../supervisor/temporal-server.ts';
import { probeHealth, probeTemporal, waitFor } from '../supervisor/wait.ts';

const WORKER_ENTRY = fileURLToPath(new URL('../../worker/main.ts', import.meta.url));
const API_ENTRY = fileURLToPath(new URL('../../api/server.ts', import.meta.url));

/**
 * `pcs start`: the embedded default on one machine. Builds the dashboard if needed, starts the Temporal
 * dev server (unless TEMPORAL_ADDRESS names one), the worker and the API (which serves the dashboard), prefixes their logs, and stops them all on
 * Ctrl+C / SIGTERM or when any of them dies.
 */
export async function startCommand(): Promise<void> {
  const config = loadConfig(process.env);
  mkdirSync(config.dataDir, { recursive: true });
  const children: Child[] = [];
  let stopping = false;
  const stopAll = once(async (code: number) => {
    stopping = true;
    for (const child of [...children].reverse()) await stopChild(child);
    process.exit(code);
  });
  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));

  try {
    await ensureDashboardBuilt(config.ui.buildDir);
    if (!config.temporal.externalAddress) children.push(await startEmbeddedTemporal(config));
    await waitFor(
      'Temporal',
      () => probeTemporal(config.temporal.address, config.temporal.namespace),
      60_000,
    );
    await assertPortFree(config.api.host, config.api.port, 'the API', 'Set API_PORT to another port.');
    children.push(startNodeProcess('worker', WORKER_ENTRY));
    children.push(startNodeProcess('api', API_ENTRY));
    for (const child of children) exitAllWhenItDies(child, () => stopping, stopAll);
    await waitFor('The API', () => probeHealth(healthUrl(config)), 120_000);
    printReady(config);
  } catch (error) {
    writePrefixed('pcs', error instanceof Error ? error.message : String(error));
    await stopAll(1);
  }
}

async function startEmbeddedTemporal(config: Config): Promise<Child> {
  const { port, uiPort } = config.temporal;
  const hint = `Is another Temporal dev server running? Use it with TEMPORAL_ADDRESS=127.0.0.1:${port}, or choose free ports with TEMPORAL_PORT and TEMPORAL_UI_PORT.`;
  await assertPortFree('127.0.0.1', port, 'the Temporal dev server', hint);
  await assertPortFree('127.0.0.1', uiPort, 'the Temporal Web UI', hint);
  const cli = await resolveTemporalCli(process.env);
  writePrefixed('pcs', `starting the Temporal dev server (${cli}) on 127.0.0.1:${port}, UI on :${uiPort}`);
  return startTemporalDevServer(cli, config, process.env);
}

function startNodeProcess(name: string, entry: string): Child {
  return startChild(name, process.execPath, ['--import', 'tsx', entry], process.env);
}

function exitAllWhenItDies(
  child: Child,
  isStopping: () => boolean,
  stopAll: (code: number) => Promise<void>,
): void {
  child.exited.then((code) => {
    if (isStopping()) return;
    writePrefixed('pcs', `${child.name} exited (${code}); stopping everything`);
    return stopAll(1);
  });
}

function healthUrl(config: Config): string {
  return `http://${config.api.host}:${config.api.port}/health`;
}

function printReady(config: Config): void {
  writePrefixed('pcs', 'ready:');
  writePrefixed('pcs', `  Dashboard    http://${config.api.host}:${config.api.port}/ui/`);
  writePrefixed(
    'pcs',
    `  API          http://${config.api.host}:${config.api.port}  (health: /health, docs: /docs)`,
  );
  writePrefixed('pcs', `  Temporal     ${config.temporal.address}  namespace "${config.temporal.namespace}"`);
  if (!config.temporal.externalAddress) writePrefixed('pcs', `  Temporal UI  ${config.temporal.uiUrl}`);
  writePrefixed('pcs', 'Press Ctrl+C to stop.');
}

function once<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  let running: Promise<void> | undefined;
  return (...args) => {
    running ??= fn(...args);
    return running;
  };
}
