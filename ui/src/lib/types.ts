// The API's reply shapes the dashboard reads (see the API's OpenAPI document at /docs). Shapes the API
// takes from core/ are imported from there: types only, so nothing of core/ is bundled.

import type { RunComparison as CoreRunComparison } from '../../../core/run/compare.ts';
import type { CellStatus, RunProgress, RunStatus } from '../../../core/run/progress.ts';
import type { RunSummary } from '../../../core/run/summary.ts';

export type { GroupComparison, RateComparison, SideStats } from '../../../core/run/compare.ts';
export type { CellEvent } from '../../../core/run/events.ts';
export type { CellStatus, Counts, RunStatus } from '../../../core/run/progress.ts';
export type { SummaryStats } from '../../../core/run/summary.ts';

export type ApiIssue = { path: string; message: string; line?: number };

export type Page<T> = { items: T[]; total: number; limit: number; offset: number };

export type Progress = RunProgress & { source?: string };

export type Summary = RunSummary;

export type RunLinks = { self: string; events: string; dashboard: string; temporal: string };

export type Run = {
  id: string;
  cardId: string;
  cardVersionId: number;
  status: RunStatus;
  trigger: string;
  options: { models: string[]; repeat: number; concurrency: number; noCache?: boolean; retryOf?: string };
  totalCells: number;
  summary: Summary | null;
  error: string | null;
  scheduleId?: string | null;
  verdict?: StoredVerdict | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
};

export type VerdictCase = { caseName: string; model: string };

/** How a judged run (a scheduled one) compares with its card's baseline; stored when it ends. */
export type StoredVerdict = {
  verdict: 'regression' | 'within-noise' | 'improvement' | 'no-change' | 'insufficient-data' | 'no-baseline';
  reason: string;
  judgedAt: number;
  baselineRunId?: string;
  pValue?: number | null;
  test?: string;
  alpha?: number;
  passRateDelta?: number;
  newlyFailing?: VerdictCase[];
  newlyPassing?: VerdictCase[];
};

export type RunDetail = Run & { progress: Progress; links: RunLinks };

export type AssertionResult = {
  type?: string;
  pass?: boolean;
  score?: number;
  reason?: string;
  [key: string]: unknown;
};

export type Result = {
  id: number;
  cellKey: string;
  caseIndex: number;
  caseName: string;
  model: string;
  repeat: number;
  status: CellStatus;
  score: number;
  output: string | null;
  renderedPrompt: string;
  assertions: AssertionResult[];
  reason: string;
  errorType: string | null;
  latencyMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cacheHit: boolean;
  attempts: number;
};

export type CardSummary = {
  id: string;
  name: string;
  description: string;
  latestVersion: number;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
};

export type CardVersionHeader = { id: number; version: number; createdAt: number; contentHash: string };

export type CardVersion = CardVersionHeader & { source: string; spec: Record<string, unknown> };

export type CardDetail = { card: CardSummary; latest: CardVersion; versions: CardVersionHeader[] };

export type Model = { id: string; provider: 'ollama' | 'echo'; name: string; parameterSize?: string };

export type Webhook = {
  id: number;
  url: string;
  events: string[];
  format?: 'json' | 'slack' | 'discord';
  enabled: boolean;
  createdAt: number;
};

export type Delivery = {
  id: number;
  event: string;
  runId: string | null;
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  createdAt: number;
};

type RunRef = { id: string; cardId: string; cardVersionId: number; status: RunStatus };

/** GET /runs/:id/compare: core/run/compare.ts's comparison and the two runs it is about. */
export type RunComparison = CoreRunComparison & { baseline: RunRef; candidate: RunRef };

export type ApiKey = {
  id: number;
  name: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
};

export type TrendPoint = {
  runId: string;
  createdAt: number;
  passRate: number;
  perModel: Record<string, number>;
  metrics: Record<string, number>;
  verdict?: string;
};

export type ScheduleRun = {
  id: string;
  status: RunStatus;
  passRate: number | null;
  createdAt: number;
  finishedAt: number | null;
  verdict: StoredVerdict | null;
};

export type Schedule = {
  id: string;
  cardId: string;
  cardName: string;
  cron: string[] | null;
  every: string | null;
  timezone: string;
  overlap: string;
  overrides: { models?: string[]; repeat?: number; concurrency?: number; noCache?: boolean };
  alertOnFailure: boolean;
  createdAt: number;
  state: { paused: boolean; note: string | null; nextActionTimes: number[]; actionsTaken: number } | null;
  lastRuns: ScheduleRun[];
  links: { self: string; temporal: string };
};
