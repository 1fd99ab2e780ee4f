import type { AlertContext } from './context.ts';

/** The generic, signed JSON body: the run's end (event, card, status, summary), its verdict and a link. */
export function jsonAlert(context: AlertContext) {
  return {
    event: context.event,
    runId: context.runId,
    card: context.card.id,
    status: context.status,
    summary: context.summary,
    verdict: context.verdict,
    links: { dashboard: context.runUrl },
  };
}
