import { describe, expect, it } from 'vitest';
import { gradeOutput } from './engine.ts';
import type { Assertion } from './schema.ts';
import type { AssertionResult } from './types.ts';

async function grade(latencyMs: number, completion: number, assertion: Assertion): Promise<AssertionResult> {
  const input = { output: 'bug', prompt: '', vars: {}, latencyMs, tokens: { prompt: 20, completion } };
  const result = await gradeOutput(input, [assertion]);
  return result.assertions[0] as AssertionResult;
}

describe('latency', () => {
  it('passes at or under the threshold', async () => {
    expect(await grade(5000, 1, { type: 'latency', threshold: 5000 })).toMatchObject({
      pass: true,
      score: 1,
    });
  });

  it('fails over it with a proportional score', async () => {
    const r = await grade(8000, 1, { type: 'latency', threshold: 2000 });
    expect(r).toMatchObject({ pass: false, score: 0.25 });
    expect(r.reason).toBe('Expected latency at most 2000 ms; took 8000 ms');
  });

  it('not-latency passes when slower than the threshold', async () => {
    expect((await grade(8000, 1, { type: 'not-latency', threshold: 2000 })).pass).toBe(true);
  });
});

describe('token-limit', () => {
  it('checks completion tokens only', async () => {
    expect((await grade(1, 8, { type: 'token-limit', threshold: 8 })).pass).toBe(true);
    const r = await grade(1, 16, { type: 'token-limit', threshold: 8 });
    expect(r).toMatchObject({
      pass: false,
      score: 0.5,
      reason: 'Expected at most 8 completion tokens; used 16',
    });
  });

  it('not-token-limit inverts', async () => {
    expect((await grade(1, 16, { type: 'not-token-limit', threshold: 8 })).pass).toBe(true);
  });
});
