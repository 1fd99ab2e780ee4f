import { describe, expect, it } from 'vitest';
import { countWords } from './distance.ts';
import { gradeOutput } from './engine.ts';
import type { Assertion } from './schema.ts';
import type { AssertionResult } from './types.ts';

async function grade(output: string, assertion: Assertion): Promise<AssertionResult> {
  const input = { output, prompt: '', vars: {}, latencyMs: 10, tokens: { prompt: 1, completion: 1 } };
  const result = await gradeOutput(input, [assertion]);
  return result.assertions[0] as AssertionResult;
}

describe('levenshtein', () => {
  it('passes within the default distance of 5 and scores by relative distance', async () => {
    const r = await grade('billing!', { type: 'levenshtein', value: 'billing' });
    expect(r.pass).toBe(true);
    expect(r.score).toBeCloseTo(1 - 1 / 8);
    expect(r.reason).toBe('Output is within edit distance 5 of "billing" (distance 1)');
  });

  it('fails beyond the threshold', async () => {
    const r = await grade('account', { type: 'levenshtein', value: 'billing', threshold: 2 });
    expect(r.pass).toBe(false);
    expect(r.reason).toMatch(
      /^Expected output within edit distance 2 of "billing"; distance was \d+; got "account"$/,
    );
  });

  it('not-levenshtein passes when far apart', async () => {
    const r = await grade('completely different', { type: 'not-levenshtein', value: 'bug', threshold: 1 });
    expect(r.pass).toBe(true);
  });
});

describe('word-count', () => {
  it('counts whitespace-separated words', () => {
    expect(countWords('  one two\n three\t')).toBe(3);
    expect(countWords('   ')).toBe(0);
  });

  it('checks an exact count', async () => {
    expect((await grade('one two three', { type: 'word-count', value: 3 })).pass).toBe(true);
    const r = await grade('one two', { type: 'word-count', value: 4 });
    expect(r).toMatchObject({ pass: false, score: 0.5 });
    expect(r.reason).toBe('Expected exactly 4 words; got 2 words: "one two"');
  });

  it('checks a { min, max } range', async () => {
    expect((await grade('a b c', { type: 'word-count', value: { min: 2, max: 4 } })).pass).toBe(true);
    const r = await grade('a b c d e f g h', { type: 'word-count', value: { min: 2, max: 4 } });
    expect(r).toMatchObject({ pass: false, score: 0.5 });
    expect(r.reason).toContain('Expected between 2 and 4 words; got 8 words');
  });

  it('treats threshold as the max words', async () => {
    expect((await grade('a b', { type: 'word-count', threshold: 2 })).pass).toBe(true);
    expect((await grade('a b c', { type: 'word-count', threshold: 2 })).reason).toMatch(
      /^Expected at most 2 words/,
    );
  });

  it('not-word-count inverts', async () => {
    expect((await grade('a b', { type: 'not-word-count', value: 1 })).pass).toBe(true);
  });
});
