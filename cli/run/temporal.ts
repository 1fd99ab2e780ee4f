import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { checkWorker } from '../../client/health.ts';
import type { Config } from '../../core/config.ts';
import { createWorker } from '../../worker/create-worker.ts';
import { createWorkerDeps } from '../../worker/deps.ts';
import { bundleWorkflows } from '../../worker/workflow-source.ts';
import type { Child } from '../supervisor/child.ts';
import { stopChild } from '../supervisor/child.ts';
import { resolveTemporalCli, startTemporalDevServer } from '../supervisor/temporal-server.ts';
import { probeTemporal, waitFor } from '../supervisor/wait.ts';

export type CliTemporal = { client: Client; close: () => Promise<void> };

type Say = (line: string) => void;

/**
 * Temporal for `pcs run`: the configured server, else the embedded one if `npm start` is running, else
 * a dev server started for this command on the same data file. If no worker polls the task queue, one
 * runs inside this process for the duration of the command.
 */
export async function connectForRun(config: Config, say: Say): Promise<CliTemporal> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const server = await ensureServer(config, say);
    if (server) cleanups.push(() => stopChild(server));
    const connection = await Connection.connect({ address: config.temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });
    if (!(await hasWorker(client, config))) {
      say(`no worker is polling "${config.temporal.taskQueue}": starting one in this process`);
      const stopWorker = await startInProcessWorker(config);
      cleanups.push(stopWorker);
    }
    return { client, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function ensureServer(config: Config, say: Say): Promise<Child | undefined> {
  const { address, namespace, externalAddress } = config.temporal;
  const reachable = await probeTemporal(address, namespace).then(
    () => true,
    () => false,
  );
  if (reachable) return undefined;
  if (externalAddress) throw new Error(`Temporal at TEMPORAL_ADDRESS=${externalAddress} is not reachable`);
  const cli = await resolveTemporalCli(process.env);
  say(`starting a Temporal dev server for this run on ${address}`);
  const server = startTemporalDevServer(cli, config, process.env, { background: true });
  await waitFor('Temporal', () => probeTemporal(address, namespace), 60_000);
  return server;
}

/**
 * A worker that stopped a minute ago is still listed as a poller, so only a round trip through the
 * healthCheck workflow tells that one is alive.
 */
async function hasWorker(client: Client, config: Config): Promise<boolean> {
  const check = await checkWorker(client, config.temporal.taskQueue, 3000);
  return check.ok;
}

async function startInProcessWorker(config: Config): Promise<() => Promise<void>> {
  installQuietRuntime();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const { deps, close } = createWorkerDeps(config);
  const worker: Worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps,
    workflowBundle: await bundleWorkflows(),
  });
  const running = worker.run();
  return async () => {
    worker.shutdown();
    await running;
    await close();
    await connection.close();
  };
}

let runtimeInstalled = false;
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // The CLI owns the terminal: no worker chatter, and Ctrl+C is handled by the command, not the Runtime.
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
}
