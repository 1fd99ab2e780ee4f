import { isJudgedVerdict, type JudgedVerdict, type VerdictCase } from '../run/run-verdict.ts';
import type { AlertContext } from './context.ts';

export type AlertTone = 'bad' | 'good' | 'neutral';

/** One labelled line of an alert, plain text (each format escapes it). */
export type AlertField = { label: string; value: string };

/** What a chat message says about a run, in plain text: Slack and Discord each render and escape it. */
export type AlertFacts = {
  headline: string;
  tone: AlertTone;
  fields: AlertField[];
  /** How the verdict was reached, when there is one. */
  reason: string | undefined;
  newlyFailing: VerdictCase[];
};

/** The facts a chat alert shows: card, outcome, pass-rate change, p-value, newly failing cases. */
export function describeAlert(context: AlertContext): AlertFacts {
  const judged = context.verdict && isJudgedVerdict(context.verdict) ? context.verdict : undefined;
  return {
    headline: headlineOf(context, judged),
    tone: toneOf(context),
    fields: fieldsOf(context, judged),
    reason: context.verdict?.reason,
    newlyFailing: judged?.newlyFailing ?? [],
  };
}

function headlineOf(context: AlertContext, judged: JudgedVerdict | undefined): string {
  const card = context.card.name;
  switch (context.event) {
    case 'run.regression':
      return judged ? `Regression in ${card}: pass rate ${passRateChange(judged)}` : `Regression in ${card}`;
    case 'run.completed':
      return `Run completed: ${card}, ${passedOfTotal(context)}`;
    case 'run.failed':
      return `Run failed: ${card}`;
    case 'run.cancelled':
      return `Run cancelled: ${card}`;
    default:
      return `${context.event}: ${card}`;
  }
}

function toneOf(context: AlertContext): AlertTone {
  if (context.event === 'run.regression' || context.event === 'run.failed') return 'bad';
  if (context.event === 'run.completed') return context.verdict?.verdict === 'regression' ? 'bad' : 'good';
  return 'neutral';
}

function fieldsOf(context: AlertContext, judged: JudgedVerdict | undefined): AlertField[] {
  const fields: AlertField[] = [];
  if (judged) {
    fields.push({ label: 'Pass rate', value: passRateChange(judged) });
    if (judged.pValue !== null) {
      fields.push({
        label: 'p-value',
        value: `${formatPValue(judged.pValue)} (${judged.test}, alpha ${judged.alpha})`,
      });
    }
  } else {
    fields.push({ label: 'Passed', value: passedOfTotal(context) });
  }
  if (context.verdict) fields.push({ label: 'Verdict', value: context.verdict.verdict });
  if (judged) fields.push({ label: 'Baseline', value: judged.baselineRunId });
  fields.push({ label: 'Run', value: context.runId });
  return fields;
}

/** "95% → 40% (−55 pts)". */
export function passRateChange(verdict: Pick<JudgedVerdict, 'passRate' | 'passRateDelta'>): string {
  const { baseline, candidate } = verdict.passRate;
  return `${formatPercent(baseline)} → ${formatPercent(candidate)} (${formatPoints(verdict.passRateDelta)})`;
}

function passedOfTotal(context: AlertContext): string {
  const { passed, total, passRate } = context.summary;
  return `${passed}/${total} passed (${formatPercent(passRate)})`;
}

/** 0.95 → "95%", 0.9375 → "93.8%". */
export function formatPercent(rate: number): string {
  return `${Number((rate * 100).toFixed(1))}%`;
}

/** −0.55 → "−55 pts" (a real minus sign), 0.05 → "+5 pts". */
export function formatPoints(delta: number): string {
  const points = Number((Math.abs(delta) * 100).toFixed(1));
  if (points === 0) return '±0 pts';
  return `${delta < 0 ? '−' : '+'}${points} pts`;
}

/** Four decimals, or scientific notation below 0.0001. */
export function formatPValue(p: number): string {
  return p < 0.0001 ? p.toExponential(1) : p.toFixed(4);
}

/** At most `limit` "double charge on ollama:llama3.2:3b" lines, and how many more cases there are. */
export function caseLines(cases: readonly VerdictCase[], limit: number): { lines: string[]; more: number } {
  return {
    lines: cases.slice(0, limit).map((c) => `${c.caseName} on ${c.model}`),
    more: Math.max(0, cases.length - limit),
  };
}

/** Cuts text to `max` characters, ending with "…" when cut (chat services refuse longer fields). */
export function clipText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
