import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { healthCheck } from '../workflows/health.ts';

export type CheckResult = { ok: boolean; latencyMs: number; error?: string };

export async function checkTemporal(client: Client, namespace: string): Promise<CheckResult> {
  return timed(async () => {
    await client.workflowService.describeNamespace({ namespace });
  });
}

/** Runs the trivial healthCheck workflow: only a live worker polling the queue can complete it. */
export async function checkWorker(client: Client, taskQueue: string, timeoutMs = 5000): Promise<CheckResult> {
  return timed(async () => {
    await client.workflow.execute(healthCheck, {
      taskQueue,
      workflowId: `health-${randomUUID()}`,
      workflowExecutionTimeout: timeoutMs,
    });
  });
}

async function timed(check: () => Promise<void>): Promise<CheckResult> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: elapsed(started) };
  } catch (error) {
    return { ok: false, latencyMs: elapsed(started), error: describe(error) };
  }
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.cause instanceof Error ? error.cause.message : error.message;
  return String(error);
}
