/**
 * When a schedule fires, as a user writes it: cron expressions or an interval, a timezone and an overlap
 * policy. Checked here before Temporal sees it, so a mistake names its field; Temporal's own parser still
 * has the last word on cron ranges (see client/schedules.ts).
 */

export const OVERLAP_POLICIES = [
  'skip',
  'buffer-one',
  'buffer-all',
  'cancel-other',
  'terminate-other',
  'allow-all',
] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

export const DEFAULT_OVERLAP: OverlapPolicy = 'skip';
export const DEFAULT_TIMEZONE = 'UTC';

/** Temporal's name of each overlap policy (the values of its ScheduleOverlapPolicy). */
const TEMPORAL_OVERLAP = {
  skip: 'SKIP',
  'buffer-one': 'BUFFER_ONE',
  'buffer-all': 'BUFFER_ALL',
  'cancel-other': 'CANCEL_OTHER',
  'terminate-other': 'TERMINATE_OTHER',
  'allow-all': 'ALLOW_ALL',
} as const satisfies Record<OverlapPolicy, string>;

export function temporalOverlap(policy: OverlapPolicy): (typeof TEMPORAL_OVERLAP)[OverlapPolicy] {
  return TEMPORAL_OVERLAP[policy];
}

/** A timetable as given: `cron` (one expression or several) xor `every`, and an optional timezone. */
export type TimingInput = { cron?: string | readonly string[]; every?: string; timezone?: string };

/** One problem with a schedule's input: the field (`cron`, `cron[1]`, `every`, `timezone`) and what is wrong. */
export type ScheduleIssue = { path: string; message: string };

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const INTERVAL = /^(?:\d+[smhd])+$/;
const INTERVAL_EXAMPLES = 'e.g. 30s, 15m, 1h, 1h30m or 1d';

/** `1h30m` → 5,400,000 ms; undefined when the text is not a whole number of s, m, h and d parts. */
export function parseInterval(text: string): number | undefined {
  const compact = text.trim();
  if (!INTERVAL.test(compact)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of compact.matchAll(/(\d+)([smhd])/g))
    ms += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return ms;
}

/** Every problem with the timetable; empty when Temporal can be asked. */
export function findTimingProblems(input: TimingInput): ScheduleIssue[] {
  const issues: ScheduleIssue[] = [];
  const hasCron = input.cron !== undefined;
  if (hasCron && input.every !== undefined)
    issues.push({ path: 'every', message: 'give either cron or every, not both' });
  else if (!hasCron && input.every === undefined)
    issues.push({
      path: 'cron',
      message: `give cron (e.g. "0 3 * * *") or every (an interval, ${INTERVAL_EXAMPLES})`,
    });
  if (input.every !== undefined) issues.push(...intervalProblems(input.every));
  if (input.cron !== undefined) issues.push(...cronListProblems(input.cron));
  if (input.timezone !== undefined && !isKnownTimeZone(input.timezone))
    issues.push({
      path: 'timezone',
      message: `"${input.timezone}" is not an IANA time zone (e.g. UTC, Europe/Paris, America/New_York)`,
    });
  return issues;
}

/** The expressions as a list, whether one string or several were given. */
export function cronList(cron: string | readonly string[]): string[] {
  return typeof cron === 'string' ? [cron] : [...cron];
}

/** Where a problem with the i-th expression is reported: `cron` for a lone string, `cron[i]` in a list. */
export function cronPath(cron: string | readonly string[], index: number): string {
  return typeof cron === 'string' ? 'cron' : `cron[${index}]`;
}

function intervalProblems(every: string): ScheduleIssue[] {
  const ms = parseInterval(every);
  if (ms === undefined)
    return [{ path: 'every', message: `"${every}" is not an interval (${INTERVAL_EXAMPLES})` }];
  if (ms < UNIT_MS.s) return [{ path: 'every', message: 'must be at least 1s' }];
  return [];
}

function cronListProblems(cron: string | readonly string[]): ScheduleIssue[] {
  const list = cronList(cron);
  if (list.length === 0) return [{ path: 'cron', message: 'give at least one cron expression' }];
  return list.flatMap((expression, i) => {
    const message = cronProblem(expression);
    return message ? [{ path: cronPath(cron, i), message }] : [];
  });
}

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const FIELD = /^[\w*?,/-]+$/;

/**
 * The shape Temporal's cron parser accepts: 5 to 7 fields (minute hour day-of-month month day-of-week
 * [year], or second first with 7), a macro such as `@daily`, or `@every 90s`; a trailing `# comment`.
 */
function cronProblem(expression: string): string | undefined {
  const text = expression.split('#')[0]?.trim() ?? '';
  if (/^(CRON_)?TZ=/.test(text)) return 'set the time zone with timezone, not inside the expression';
  if (text.startsWith('@every ')) {
    const [interval] = text.slice('@every '.length).trim().split('/');
    return parseInterval(interval ?? '') === undefined ? `"${expression}" has no valid interval` : undefined;
  }
  if (text.startsWith('@'))
    return MACROS.has(text)
      ? undefined
      : `"${text}" is not one of ${[...MACROS].join(', ')} or @every <interval>`;
  const fields = text.split(/\s+/).filter(Boolean);
  if (fields.length < 5 || fields.length > 7)
    return `"${expression}" has ${fields.length} fields; a cron expression has 5 (minute hour day-of-month month day-of-week), 6 (… year) or 7 (second first)`;
  const odd = fields.find((field) => !FIELD.test(field));
  return odd ? `"${odd}" is not a cron field (digits, names, * ? , / and -)` : undefined;
}

function isKnownTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
