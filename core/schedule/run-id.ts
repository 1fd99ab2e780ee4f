import { createHash } from 'node:crypto';

/** Temporal names a scheduled workflow `<action workflow id>-<the action's time, RFC 3339>`. */
const ACTION_TIME = /(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)Z$/;

/**
 * The run id of the suite run a scheduled workflow starts, a function of that workflow's id alone: a
 * retried activity finds the run it stored, and a schedule's recent actions map to their runs without a
 * lookup. Shaped like other run ids (`<card>-<UTC stamp>-<hex>`), the stamp being the action's time.
 */
export function scheduledRunId(cardName: string, scheduledWorkflowId: string): string {
  const time = ACTION_TIME.exec(scheduledWorkflowId);
  const stamp = time ? `${time.slice(1, 4).join('')}T${time.slice(4, 7).join('')}Z` : 'scheduled';
  const hash = createHash('sha256').update(scheduledWorkflowId).digest('hex').slice(0, 6);
  return `${cardName}-${stamp}-${hash}`;
}
