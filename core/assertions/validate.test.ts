import { describe, expect, it } from 'vitest';
import { InvalidAssertionError } from './errors.ts';
import type { Assertion } from './schema.ts';
import { validateAssertion } from './validate.ts';

describe('validateAssertion', () => {
  it.each<Assertion>([
    { type: 'equals', value: 'bug' },
    { type: 'equals', value: { queue: 'bug' } },
    { type: 'not-contains', value: 'billing' },
    { type: 'contains-all', value: ['a', 'b'] },
    { type: 'regex', value: '/^bug$/i' },
    { type: 'is-json' },
    { type: 'json-schema', value: { type: 'object' } },
    { type: 'levenshtein', value: 'bug', threshold: 2 },
    { type: 'word-count', value: { max: 10 } },
    { type: 'word-count', threshold: 10 },
    { type: 'latency', threshold: 5000, weight: 0, metric: 'speed' },
    { type: 'token-limit', threshold: 8 },
    { type: 'similar', value: ['refund'], threshold: 0.8 },
    { type: 'llm-rubric', value: 'Is polite', provider: 'ollama:llama3.2:3b' },
  ])('accepts $type', (assertion) => {
    expect(validateAssertion(assertion)).toEqual([]);
  });

  it.each<[Assertion, string]>([
    [{ type: 'contains' }, 'contains: value is required (the text to look for)'],
    [
      { type: 'icontains', value: 404 },
      'icontains: value must be a string, got number; quote numbers in YAML',
    ],
    [{ type: 'contains-any', value: [] }, 'contains-any: value must list at least one string'],
    [{ type: 'contains-all', value: ['a', 1] }, 'contains-all: value[1] must be a string, got number'],
    [{ type: 'contains-any', value: 'a' }, 'contains-any: value must be a list of strings, got string'],
    [
      { type: 'regex', value: '[a-' },
      'regex: value is not a valid regular expression: Invalid regular expression: /[a-/: Unterminated character class',
    ],
    [{ type: 'json-schema' }, 'json-schema: value is required (a JSON Schema object)'],
    [{ type: 'json-schema', value: '{}' }, 'json-schema: value must be a JSON Schema object, got string'],
    [{ type: 'latency' }, 'latency: threshold is required (max milliseconds)'],
    [
      { type: 'latency', value: 5000, threshold: 5000 },
      'latency: value is not used; set threshold to the max milliseconds',
    ],
    [
      { type: 'token-limit', threshold: 0 },
      'token-limit: threshold must be at least 1 (max completion tokens), got 0',
    ],
    [
      { type: 'similar', value: 'x', threshold: 75 },
      'similar: threshold must be between 0 and 1 (min cosine similarity), got 75',
    ],
    [
      { type: 'llm-rubric', value: '  ' },
      'llm-rubric: value must not be empty (the rubric the judge applies)',
    ],
    [
      { type: 'word-count' },
      'word-count: value (an exact word count or { min, max }) or threshold (max words) is required',
    ],
    [{ type: 'word-count', value: { min: 5, max: 2 } }, 'word-count: value.min must not exceed value.max'],
    [{ type: 'word-count', value: 2.5 }, 'word-count: value must be a whole number of words'],
    [{ type: 'contains', value: 'a', weight: -1 }, 'contains: weight must be a number ≥ 0, got -1'],
    [{ type: 'nope' as Assertion['type'] }, 'unknown assertion type "nope"'],
  ])('reports %j', (assertion, problem) => {
    expect(validateAssertion(assertion)).toEqual([problem]);
  });

  it('reports a JSON Schema that does not compile', () => {
    const [problem] = validateAssertion({ type: 'json-schema', value: { type: 'strng' } });
    expect(problem).toMatch(
      /^json-schema: value is not a valid JSON Schema: schema is invalid: data\/type must be equal/,
    );
  });

  it('reports a model assertion with no provider only when the defaults are known to be missing', () => {
    const similar: Assertion = { type: 'similar', value: 'refund' };
    const rubric: Assertion = { type: 'not-llm-rubric', value: 'Is rude' };
    expect(validateAssertion(similar)).toEqual([]);
    expect(validateAssertion(similar, {})).toEqual([
      'similar: no embedding model: set provider (e.g. ollama:nomic-embed-text) or configure a default embedder',
    ]);
    expect(validateAssertion(similar, { defaultEmbedder: 'nomic-embed-text' })).toEqual([]);
    expect(validateAssertion(rubric, { defaultEmbedder: 'nomic-embed-text' })).toEqual([
      'not-llm-rubric: no judge model: set provider (e.g. ollama:llama3.2:3b) or configure a default judge',
    ]);
  });

  it('InvalidAssertionError lists the problems', () => {
    const error = new InvalidAssertionError({ type: 'latency' }, [
      'latency: threshold is required (max milliseconds)',
    ]);
    expect(error.message).toBe('Invalid assertion: latency: threshold is required (max milliseconds)');
    expect(error.name).toBe('InvalidAssertionError');
  });
});
