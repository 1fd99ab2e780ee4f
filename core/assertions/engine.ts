import { InvalidAssertionError } from './errors.ts';
import { clamp01, num } from './format.ts';
import { HANDLERS, type ParsedType, parseAssertionType } from './registry.ts';
import type { Assertion } from './schema.ts';
import type {
  AssertionResult,
  GradeContext,
  GradeInput,
  GradeResult,
  ModelAccess,
  ModelDefaults,
  Verdict,
} from './types.ts';
import { validateAssertion } from './validate.ts';

export type GradeOptions = ModelDefaults & {
  /** Case pass level for the weighted score; without it every weighted assertion must pass. */
  threshold?: number;
  models?: ModelAccess;
  signal?: AbortSignal;
};

/**
 * Grade one output against its assertions. Throws InvalidAssertionError before grading anything if an
 * assertion is invalid, and ModelAssertionError when an injected model call fails (retryable).
 */
export async function gradeOutput(
  input: GradeInput,
  assertions: Assertion[],
  opts: GradeOptions = {},
): Promise<GradeResult> {
  const defaults = { defaultJudge: opts.defaultJudge, defaultEmbedder: opts.defaultEmbedder };
  for (const a of assertions) {
    const problems = validateAssertion(a, defaults);
    if (problems.length > 0) throw new InvalidAssertionError(a, problems);
  }
  const ctx: GradeContext = { ...defaults, input, models: opts.models, signal: opts.signal };
  const results: AssertionResult[] = [];
  for (const a of assertions) {
    opts.signal?.throwIfAborted();
    results.push(await gradeAssertion(a, ctx));
  }
  return summarize(results, opts.threshold);
}

async function gradeAssertion(a: Assertion, ctx: GradeContext): Promise<AssertionResult> {
  const { base, negated } = parseAssertionType(a.type) as ParsedType;
  const graded = await HANDLERS[base].grade(a, ctx);
  const verdict = { ...graded, score: clamp01(graded.score) };
  const final = negated ? negate(verdict, base, a.type) : verdict;
  const result: AssertionResult = { type: a.type, ...final, weight: a.weight ?? 1 };
  if (a.metric) result.metric = a.metric;
  return result;
}

function negate(verdict: Verdict, base: string, type: string): Verdict {
  const reason = verdict.pass
    ? `${type} failed because ${base} passed: ${verdict.reason}`
    : `${type} passed because ${base} failed: ${verdict.reason}`;
  return { pass: !verdict.pass, score: 1 - verdict.score, reason };
}

/** Combine assertion results into the case verdict. Weight-0 results are informational only. */
export function summarize(results: AssertionResult[], threshold?: number): GradeResult {
  const counted = results.filter((r) => r.weight > 0);
  const failures = counted.filter((r) => !r.pass);
  const score = weightedMean(counted) ?? 1;
  const pass = threshold === undefined ? failures.length === 0 : score >= threshold;
  return {
    pass,
    score,
    reason: caseReason(pass, score, failures, threshold),
    assertions: results,
    metrics: metricScores(results),
  };
}

function weightedMean(results: AssertionResult[]): number | undefined {
  const total = results.reduce((sum, r) => sum + r.weight, 0);
  if (total === 0) return undefined;
  return results.reduce((sum, r) => sum + r.weight * r.score, 0) / total;
}

/** Per named metric: the weighted mean; a metric made only of weight-0 results gets the plain mean. */
function metricScores(results: AssertionResult[]): Record<string, number> {
  const groups = new Map<string, AssertionResult[]>();
  for (const r of results) {
    if (r.metric) groups.set(r.metric, [...(groups.get(r.metric) ?? []), r]);
  }
  const metrics: Record<string, number> = {};
  for (const [name, group] of groups) {
    metrics[name] = weightedMean(group) ?? group.reduce((sum, r) => sum + r.score, 0) / group.length;
  }
  return metrics;
}

function caseReason(pass: boolean, score: number, failures: AssertionResult[], threshold?: number): string {
  const failed = failures.map((r) => r.reason).join('; ');
  if (threshold === undefined) return failed || 'All assertions passed';
  if (!pass) return `Score ${num(score)} is below threshold ${threshold}${failed ? `: ${failed}` : ''}`;
  return failed
    ? `Score ${num(score)} meets threshold ${threshold} despite: ${failed}`
    : 'All assertions passed';
}
