import { describe, expect, it } from 'vitest';
import { gradeOutput } from './engine.ts';
import { InvalidAssertionError } from './errors.ts';
import type { GradeInput, ModelAccess } from './types.ts';

const input: GradeInput = {
  output: 'Queue: bug',
  prompt: 'Route this ticket',
  vars: {},
  latencyMs: 1200,
  tokens: { prompt: 40, completion: 4 },
};

const PASS = { type: 'icontains', value: 'bug' } as const;
const FAIL = { type: 'icontains', value: 'billing' } as const;

describe('gradeOutput', () => {
  it('passes with score 1 when there are no assertions', async () => {
    expect(await gradeOutput(input, [])).toEqual({
      pass: true,
      score: 1,
      reason: 'All assertions passed',
      assertions: [],
      metrics: {},
    });
  });

  it('requires every assertion to pass and joins the failing reasons', async () => {
    const result = await gradeOutput(input, [PASS, FAIL, { type: 'latency', threshold: 1000 }]);
    expect(result.pass).toBe(false);
    expect(result.reason).toBe(
      'Expected output to contain "billing" (case-insensitive); got "Queue: bug"; Expected latency at most 1000 ms; took 1200 ms',
    );
    expect(result.assertions.map((a) => [a.type, a.pass, a.weight])).toEqual([
      ['icontains', true, 1],
      ['icontains', false, 1],
      ['latency', false, 1],
    ]);
  });

  it('scores the weighted mean of assertion scores', async () => {
    const result = await gradeOutput(input, [
      { ...PASS, weight: 3 },
      { ...FAIL, weight: 1 },
    ]);
    expect(result.score).toBe(0.75);
    expect(result.pass).toBe(false);
  });

  it('ignores weight-0 assertions for pass and score but still reports them', async () => {
    const result = await gradeOutput(input, [PASS, { ...FAIL, weight: 0 }]);
    expect(result).toMatchObject({ pass: true, score: 1, reason: 'All assertions passed' });
    expect(result.assertions[1]).toMatchObject({ pass: false, weight: 0 });
  });

  it('scores 1 when every assertion is weight 0', async () => {
    expect((await gradeOutput(input, [{ ...FAIL, weight: 0 }])).score).toBe(1);
  });

  it('lets a case threshold override all-must-pass', async () => {
    const assertions = [{ ...PASS, weight: 3 }, FAIL];
    const lenient = await gradeOutput(input, assertions, { threshold: 0.7 });
    expect(lenient.pass).toBe(true);
    expect(lenient.reason).toMatch(
      /^Score 0\.75 meets threshold 0\.7 despite: Expected output to contain "billing"/,
    );
    const strict = await gradeOutput(input, assertions, { threshold: 0.8 });
    expect(strict.pass).toBe(false);
    expect(strict.reason).toMatch(
      /^Score 0\.75 is below threshold 0\.8: Expected output to contain "billing"/,
    );
  });

  it('reports each named metric as the weighted mean of its assertions', async () => {
    const result = await gradeOutput(input, [
      { ...PASS, metric: 'routing', weight: 3 },
      { ...FAIL, metric: 'routing' },
      { type: 'word-count', value: 4, metric: 'brevity' },
      { type: 'latency', threshold: 600, metric: 'speed', weight: 0 },
    ]);
    expect(result.metrics).toEqual({ routing: 0.75, brevity: 0.5, speed: 0.5 });
    expect(result.assertions[0]?.metric).toBe('routing');
  });

  it('refuses an invalid assertion before grading anything', async () => {
    let calls = 0;
    const models: ModelAccess = {
      embed: async (_model, texts) => {
        calls++;
        return texts.map(() => [1]);
      },
      chat: async () => '{}',
    };
    const error = await gradeOutput(
      input,
      [
        { type: 'similar', value: 'bug', provider: 'ollama:e' },
        { type: 'regex', value: '(' },
      ],
      { models },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAssertionError);
    expect((error as InvalidAssertionError).problems).toEqual([
      'regex: value is not a valid regular expression: Invalid regular expression: /(/: Unterminated group',
    ]);
    expect(calls).toBe(0);
  });

  it('stops when the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(gradeOutput(input, [PASS], { signal: controller.signal })).rejects.toThrow(/abort/i);
  });
});
