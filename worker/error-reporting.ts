import { CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { ErrorReporter } from '../telemetry/errors.ts';

/**
 * Reports every failed activity attempt (not cancellations) with the activity, the attempt, the run and
 * its card. A failure Temporal will retry is reported too: a fault that heals on retry still happened.
 */
export function reportActivityFailures(
  errors: ErrorReporter,
  cardOfRun: (runId: string) => string | undefined,
): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        try {
          return await next(input);
        } catch (error) {
          if (!isCancelled(error)) {
            const runId = runIdOf(input.args[0]) ?? ctx.info.workflowExecution?.workflowId;
            errors.capture(error, {
              activity: ctx.info.activityType,
              attempt: String(ctx.info.attempt),
              runId,
              card: runId === undefined ? undefined : cardOfRun(runId),
            });
          }
          throw error;
        }
      },
    },
  });
}

function runIdOf(argument: unknown): string | undefined {
  const runId = (argument as { runId?: unknown } | null | undefined)?.runId;
  return typeof runId === 'string' ? runId : undefined;
}

/** A cancelled run aborts its activities: that is the user's choice, not a fault to report. */
function isCancelled(error: unknown): boolean {
  return error instanceof CancelledFailure || (error instanceof Error && error.name === 'AbortError');
}
