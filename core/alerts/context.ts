import type { RunVerdict } from '../run/run-verdict.ts';
import type { RunSummary } from '../run/summary.ts';

/** The body shapes a webhook can ask for (the `webhooks.format` column). */
export type AlertFormat = 'json' | 'slack' | 'discord';

/** Everything an alert body is built from, gathered by the delivering activity. */
export type AlertContext = {
  /** `run.completed`, `run.failed`, `run.cancelled` or `run.regression`. */
  event: string;
  runId: string;
  card: { id: string; name: string };
  /** The run's stored status; undefined if the run row is gone. */
  status: string | undefined;
  summary: RunSummary;
  verdict: RunVerdict | null;
  /** The run's page in the dashboard. */
  runUrl: string;
};
