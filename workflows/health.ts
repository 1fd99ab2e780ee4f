import { proxyActivities } from '@temporalio/workflow';
import type { HealthActivities } from '../activities/health.ts';

const { ping } = proxyActivities<HealthActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumAttempts: 1 },
});

/** Round trip through a worker: proves the server, the task queue and a worker are all alive. */
export async function healthCheck(): Promise<{ workerPid: number }> {
  return ping();
}
