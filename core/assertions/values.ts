import { kindOf } from './format.ts';
import type { Assertion } from './schema.ts';

// Checks shared by the per-type validators. Each returns problems without the type prefix.

export function requireString(a: Assertion, what = 'the text to look for'): string[] {
  if (typeof a.value === 'string') return [];
  if (a.value === undefined) return [`value is required (${what})`];
  const hint = typeof a.value === 'number' ? '; quote numbers in YAML' : '';
  return [`value must be a string, got ${kindOf(a.value)}${hint}`];
}

export function requireNonEmptyString(a: Assertion, what: string): string[] {
  const problems = requireString(a, what);
  if (problems.length === 0 && (a.value as string).trim() === '')
    return [`value must not be empty (${what})`];
  return problems;
}

export function requireStringList(a: Assertion): string[] {
  const { value } = a;
  if (value === undefined) return ['value is required (a list of strings)'];
  if (!Array.isArray(value)) return [`value must be a list of strings, got ${kindOf(value)}`];
  if (value.length === 0) return ['value must list at least one string'];
  const bad = value.findIndex((item) => typeof item !== 'string');
  return bad === -1 ? [] : [`value[${bad}] must be a string, got ${kindOf(value[bad])}`];
}

export function forbidValue(a: Assertion, hint: string): string[] {
  return a.value === undefined ? [] : [`value is not used; ${hint}`];
}

type ThresholdRule = { required: boolean; min: number; max?: number; meaning: string };

export function checkThreshold(a: Assertion, rule: ThresholdRule): string[] {
  const { threshold } = a;
  if (threshold === undefined) return rule.required ? [`threshold is required (${rule.meaning})`] : [];
  if (!Number.isFinite(threshold)) return [`threshold must be a finite number (${rule.meaning})`];
  if (threshold < rule.min || (rule.max !== undefined && threshold > rule.max)) {
    const range = rule.max === undefined ? `at least ${rule.min}` : `between ${rule.min} and ${rule.max}`;
    return [`threshold must be ${range} (${rule.meaning}), got ${threshold}`];
  }
  return [];
}
