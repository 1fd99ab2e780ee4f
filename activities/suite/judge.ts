import { ApplicationFailure } from '@temporalio/activity';
import { compareRuns } from '../../core/run/compare.ts';
import {
  judgedVerdict,
  noBaselineVerdict,
  type RunVerdict,
  type RunVerdictName,
} from '../../core/run/run-verdict.ts';
import type { DrizzleDb } from '../../db/client.ts';
import { baselineFor } from '../../db/queries/baselines.ts';
import { compareRowsForRun } from '../../db/queries/compare.ts';
import { getRun } from '../../db/queries/runs.ts';
import { storeRunVerdict } from '../../db/queries/verdicts.ts';
import type { Run } from '../../db/schema.ts';

export type JudgeDeps = {
  db: DrizzleDb;
  /** Significance level of a regression (PCS_REGRESSION_ALPHA). */
  alpha: number;
  /** Epoch-milliseconds clock, Date.now by default. */
  now?: () => number;
};

/** What the workflow needs to decide its alerts; the full verdict stays in the database. */
export type JudgeOutcome = { verdict: RunVerdictName; baselineRunId: string | null };

/**
 * Compares a finished run with its card's baseline and stores the verdict with the run. A run that
 * already has a verdict keeps it (the activity may run twice).
 */
export function judgeRun(deps: JudgeDeps, input: { runId: string }): JudgeOutcome {
  const run = getRun(deps.db, input.runId);
  if (!run) {
    throw ApplicationFailure.nonRetryable(`run ${input.runId} does not exist`, 'RunNotFoundError');
  }
  const stored = (run.verdict ?? storeRunVerdict(deps.db, run.id, decideVerdict(deps, run))) as RunVerdict;
  return {
    verdict: stored.verdict,
    baselineRunId: 'baselineRunId' in stored ? stored.baselineRunId : null,
  };
}

function decideVerdict(deps: JudgeDeps, run: Run): RunVerdict {
  const judgedAt = (deps.now ?? Date.now)();
  const baseline = baselineFor(deps.db, run);
  if (!baseline) {
    return noBaselineVerdict(
      'No baseline: no run is pinned for this card and no earlier completed run of the same card ' +
        'version and models exists.',
      judgedAt,
    );
  }
  const comparison = compareRuns(
    compareRowsForRun(deps.db, baseline.id),
    compareRowsForRun(deps.db, run.id),
    {
      alpha: deps.alpha,
    },
  );
  return judgedVerdict(comparison, baseline.id, judgedAt);
}
