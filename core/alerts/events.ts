import type { RunStatus } from '../run/progress.ts';
import type { RunVerdictName } from '../run/run-verdict.ts';

/** The webhook event of a run's end: `run.completed`, `run.failed` or `run.cancelled`. */
export function statusEvent(status: RunStatus): string {
  return status === 'completed' ? 'run.completed' : `run.${status}`;
}

/**
 * The events a judged run fires: its end as usual, except that a failure is announced only with
 * `alertOnFailure`, plus `run.regression` when its verdict is a regression. Deterministic (workflow code).
 */
export function judgedRunEvents(input: {
  status: RunStatus;
  alertOnFailure: boolean;
  verdict: RunVerdictName | undefined;
}): string[] {
  if (input.status === 'failed' && !input.alertOnFailure) return [];
  const events = [statusEvent(input.status)];
  if (input.verdict === 'regression') events.push('run.regression');
  return events;
}
