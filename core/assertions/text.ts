import { jsonSnippet, quote } from './format.ts';
import { jsonEqual, parseJson } from './json.ts';
import type { AssertionHandler, Verdict } from './types.ts';
import { requireString, requireStringList } from './values.ts';
import { failed, passed } from './verdict.ts';

// String checks on the raw output. All are case-sensitive except icontains, as in promptfoo.

const equals: AssertionHandler = {
  validate: (a) =>
    a.value === undefined ? ['value is required (the exact expected output, or a JSON value)'] : [],
  grade: (a, { input }) =>
    typeof a.value === 'string' ? equalsText(a.value, input.output) : equalsJson(a.value, input.output),
};

function equalsText(expected: string, output: string): Verdict {
  if (output === expected) return passed(`Output equals ${quote(expected)}`);
  const hint = output.trim() === expected.trim() ? ' (differs only in surrounding whitespace)' : '';
  return failed(`Expected output to equal ${quote(expected)}; got ${quote(output)}${hint}`);
}

/** A non-string value (object, array, number...) is compared as JSON with the parsed output. */
function equalsJson(expected: unknown, output: string): Verdict {
  const wanted = jsonSnippet(expected);
  const parsed = parseJson(output);
  if (!parsed.ok) {
    return failed(`Expected output to be JSON equal to ${wanted}; it is not JSON: ${parsed.error}`);
  }
  if (jsonEqual(parsed.value, expected)) return passed(`Output is JSON equal to ${wanted}`);
  return failed(`Expected output to be JSON equal to ${wanted}; got ${jsonSnippet(parsed.value)}`);
}

/** `verb` reads "Output <found> X" on success and "Expected output to <expect> X" on failure. */
type Verb = { found: string; expect: string };
const CONTAIN: Verb = { found: 'contains', expect: 'contain' };
const START_WITH: Verb = { found: 'starts with', expect: 'start with' };

function substring(
  test: (output: string, expected: string) => boolean,
  verb: Verb,
  note = '',
): AssertionHandler {
  return {
    validate: (a) => requireString(a),
    grade: (a, { input }) => {
      const expected = a.value as string;
      if (test(input.output, expected)) return passed(`Output ${verb.found} ${quote(expected)}${note}`);
      return failed(
        `Expected output to ${verb.expect} ${quote(expected)}${note}; got ${quote(input.output)}`,
      );
    },
  };
}

const containsAny: AssertionHandler = {
  validate: requireStringList,
  grade: (a, { input }) => {
    const expected = a.value as string[];
    const found = expected.find((s) => input.output.includes(s));
    if (found !== undefined) return passed(`Output contains ${quote(found)}`);
    return failed(`Expected output to contain any of ${quoteList(expected)}; got ${quote(input.output)}`);
  },
};

const containsAll: AssertionHandler = {
  validate: requireStringList,
  grade: (a, { input }) => {
    const expected = a.value as string[];
    const missing = expected.filter((s) => !input.output.includes(s));
    if (missing.length === 0) return passed(`Output contains all of ${quoteList(expected)}`);
    return failed(
      `Expected output to contain all of ${quoteList(expected)}; missing ${quoteList(missing)}; got ${quote(input.output)}`,
    );
  },
};

function quoteList(items: string[]): string {
  const shown = items.slice(0, 5).map((s) => quote(s, 40));
  const more = items.length > 5 ? `, … ${items.length - 5} more` : '';
  return `[${shown.join(', ')}${more}]`;
}

// Only valid flag letters count, so a path like `/api/users` stays a bare pattern.
const SLASH_FORM = /^\/(.+)\/([dgimsuvy]*)$/s;

/** Compile a regex value: a bare pattern, or `/pattern/flags`. Throws SyntaxError when invalid. */
export function parseRegex(source: string): RegExp {
  const slashed = SLASH_FORM.exec(source);
  if (slashed) return new RegExp(slashed[1] as string, slashed[2]);
  return new RegExp(source);
}

const regex: AssertionHandler = {
  validate: (a) => {
    const problems = requireString(a, 'a regular expression');
    if (problems.length > 0) return problems;
    try {
      parseRegex(a.value as string);
      return [];
    } catch (error) {
      return [`value is not a valid regular expression: ${(error as Error).message}`];
    }
  },
  grade: (a, { input }) => {
    const pattern = parseRegex(a.value as string);
    const match = pattern.exec(input.output);
    if (match) return passed(`Output matches ${pattern} at ${quote(match[0])}`);
    return failed(`Expected output to match ${pattern}; got ${quote(input.output)}`);
  },
};

export const textHandlers = {
  equals,
  contains: substring((output, expected) => output.includes(expected), CONTAIN),
  icontains: substring(
    (output, expected) => output.toLowerCase().includes(expected.toLowerCase()),
    CONTAIN,
    ' (case-insensitive)',
  ),
  'contains-any': containsAny,
  'contains-all': containsAll,
  'starts-with': substring((output, expected) => output.startsWith(expected), START_WITH),
  regex,
};
