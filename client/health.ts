import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { DrizzleDb } from '../db/client.ts';
import { healthCheck } from '../workflows/health.ts';

export type CheckResult = { ok: boolean; latencyMs: number; error?: string };

/** A deadline, so a server that accepts the connection but never answers cannot hang a probe. */
export async function checkTemporal(
  client: Client,
  namespace: string,
  timeoutMs = 5000,
): Promise<CheckResult> {
  return timed(async () => {
    await client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflowService.describeNamespace({ namespace }),
    );
  });
}

export async function checkSqlite(db: DrizzleDb): Promise<CheckResult> {
  return timed(async () => {
    db.get(sql`SELECT 1`);
  });
}

export async function checkRedis(redis: Redis): Promise<CheckResult> {
  return timed(async () => {
    const answer = await redis.ping();
    if (answer !== 'PONG') throw new Error(`PING answered ${answer}`);
  });
}

/** GET /api/version: answers without loading a model, so it is a fair probe of the server itself. */
export async function checkOllama(host: string, timeoutMs = 2000): Promise<CheckResult> {
  return timed(async () => {
    let response: Response;
    try {
      response = await fetch(new URL('/api/version', host), { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new Error(`no answer within ${timeoutMs} ms`);
      }
      throw error;
    }
    await response.body?.cancel();
    if (!response.ok) throw new Error(`GET /api/version answered HTTP ${response.status}`);
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
