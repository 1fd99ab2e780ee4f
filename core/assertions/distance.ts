import { distance } from 'fastest-levenshtein';
import { kindOf, quote } from './format.ts';
import type { Assertion } from './schema.ts';
import type { AssertionHandler } from './types.ts';
import { checkThreshold, requireString } from './values.ts';
import { failed, passed } from './verdict.ts';

const DEFAULT_MAX_EDITS = 5;

const levenshtein: AssertionHandler = {
  validate: (a) => [
    ...requireString(a, 'the expected text'),
    ...checkThreshold(a, { required: false, min: 0, meaning: 'max edit distance' }),
  ],
  grade: (a, { input }) => {
    const expected = a.value as string;
    const maxEdits = a.threshold ?? DEFAULT_MAX_EDITS;
    const edits = distance(input.output, expected);
    const longest = Math.max(input.output.length, expected.length);
    const score = longest === 0 ? 1 : 1 - edits / longest;
    if (edits <= maxEdits) {
      return passed(
        `Output is within edit distance ${maxEdits} of ${quote(expected)} (distance ${edits})`,
        score,
      );
    }
    return failed(
      `Expected output within edit distance ${maxEdits} of ${quote(expected)}; distance was ${edits}; got ${quote(input.output)}`,
      score,
    );
  },
};

type WordRange = { min: number; max: number };

export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}

/** value: exact count or `{ min, max }`; or threshold: max words. Returns the range or the problems. */
function readWordRange(a: Assertion): WordRange | string[] {
  const { value, threshold } = a;
  if (value !== undefined && threshold !== undefined) return ['give either value or threshold, not both'];
  if (value === undefined && threshold === undefined) {
    return ['value (an exact word count or { min, max }) or threshold (max words) is required'];
  }
  if (threshold !== undefined) {
    return isCount(threshold) ? { min: 0, max: threshold } : ['threshold must be a whole number of words'];
  }
  if (typeof value === 'number') {
    return isCount(value) ? { min: value, max: value } : ['value must be a whole number of words'];
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return readMinMax(value);
  return [`value must be a number or { min, max }, got ${kindOf(value)}`];
}

function readMinMax(value: object): WordRange | string[] {
  const { min, max, ...rest } = value as { min?: unknown; max?: unknown };
  const problems: string[] = Object.keys(rest).map((key) => `value.${key} is not allowed (only min and max)`);
  if (min === undefined && max === undefined) problems.push('value needs min, max or both');
  if (min !== undefined && !isCount(min)) problems.push('value.min must be a whole number of words');
  if (max !== undefined && !isCount(max)) problems.push('value.max must be a whole number of words');
  if (problems.length > 0) return problems;
  const range = { min: (min as number | undefined) ?? 0, max: (max as number | undefined) ?? Infinity };
  return range.min <= range.max ? range : ['value.min must not exceed value.max'];
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

function describeRange({ min, max }: WordRange): string {
  if (min === max) return `exactly ${min} words`;
  if (max === Infinity) return `at least ${min} words`;
  if (min === 0) return `at most ${max} words`;
  return `between ${min} and ${max} words`;
}

const wordCount: AssertionHandler = {
  validate: (a) => {
    const range = readWordRange(a);
    return Array.isArray(range) ? range : [];
  },
  grade: (a, { input }) => {
    const range = readWordRange(a) as WordRange;
    const words = countWords(input.output);
    const wanted = describeRange(range);
    if (words >= range.min && words <= range.max) return passed(`Output has ${words} words (${wanted})`);
    // Partial credit: how close the count came to the nearest bound.
    const score = words < range.min ? words / range.min : range.max / words;
    return failed(`Expected ${wanted}; got ${words} words: ${quote(input.output)}`, score);
  },
};

export const distanceHandlers = {
  levenshtein,
  'word-count': wordCount,
};
