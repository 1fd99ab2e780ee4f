import { describe, expect, it } from 'vitest';
import { gradeOutput } from './engine.ts';
import type { Assertion } from './schema.ts';
import type { AssertionResult } from './types.ts';

async function grade(output: string, assertion: Assertion): Promise<AssertionResult> {
  const input = { output, prompt: '', vars: {}, latencyMs: 10, tokens: { prompt: 1, completion: 1 } };
  const result = await gradeOutput(input, [assertion]);
  return result.assertions[0] as AssertionResult;
}

describe('equals', () => {
  it('passes on the exact string and fails otherwise, noting whitespace-only differences', async () => {
    expect((await grade('billing', { type: 'equals', value: 'billing' })).pass).toBe(true);
    const miss = await grade('billing\n', { type: 'equals', value: 'billing' });
    expect(miss).toMatchObject({ pass: false, score: 0 });
    expect(miss.reason).toBe(
      'Expected output to equal "billing"; got "billing\\n" (differs only in surrounding whitespace)',
    );
  });

  it('compares object values as JSON, ignoring key order', async () => {
    const value = { queue: 'bug', tags: ['crash'] };
    expect((await grade('{"tags":["crash"],"queue":"bug"}', { type: 'equals', value })).pass).toBe(true);
    const wrong = await grade('{"queue":"billing","tags":["crash"]}', { type: 'equals', value });
    expect(wrong.pass).toBe(false);
    expect(wrong.reason).toBe(
      'Expected output to be JSON equal to {"queue":"bug","tags":["crash"]}; got {"queue":"billing","tags":["crash"]}',
    );
    const notJson = await grade('bug', { type: 'equals', value });
    expect(notJson.reason).toContain('it is not JSON');
  });

  it('not-equals inverts', async () => {
    const r = await grade('bug', { type: 'not-equals', value: 'bug' });
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.reason).toBe('not-equals failed because equals passed: Output equals "bug"');
  });
});

describe('contains family', () => {
  it('contains is case-sensitive', async () => {
    expect((await grade('Queue: billing', { type: 'contains', value: 'billing' })).pass).toBe(true);
    const r = await grade('Queue: Billing', { type: 'contains', value: 'billing' });
    expect(r.pass).toBe(false);
    expect(r.reason).toBe('Expected output to contain "billing"; got "Queue: Billing"');
  });

  it('icontains ignores case and says so', async () => {
    expect((await grade('BILLING', { type: 'icontains', value: 'billing' })).pass).toBe(true);
    const r = await grade('Bug', { type: 'icontains', value: 'billing' });
    expect(r.reason).toBe('Expected output to contain "billing" (case-insensitive); got "Bug"');
  });

  it('not-icontains passes when the text is absent', async () => {
    const r = await grade('bug', { type: 'not-icontains', value: 'billing' });
    expect(r).toMatchObject({ pass: true, score: 1 });
    expect(r.reason).toMatch(/^not-icontains passed because icontains failed: Expected output to contain/);
    expect((await grade('Billing', { type: 'not-icontains', value: 'billing' })).pass).toBe(false);
  });

  it('starts-with checks the beginning', async () => {
    expect((await grade('bug: crash', { type: 'starts-with', value: 'bug' })).pass).toBe(true);
    const r = await grade('a bug', { type: 'starts-with', value: 'bug' });
    expect(r.reason).toBe('Expected output to start with "bug"; got "a bug"');
    expect((await grade('a bug', { type: 'not-starts-with', value: 'bug' })).pass).toBe(true);
  });

  it('contains-any passes on one match', async () => {
    const r = await grade('route to account', { type: 'contains-any', value: ['billing', 'account'] });
    expect(r).toMatchObject({ pass: true, reason: 'Output contains "account"' });
    const miss = await grade('other', { type: 'contains-any', value: ['billing', 'account'] });
    expect(miss.reason).toBe('Expected output to contain any of ["billing", "account"]; got "other"');
    expect((await grade('other', { type: 'not-contains-any', value: ['billing'] })).pass).toBe(true);
  });

  it('contains-all names what is missing', async () => {
    expect((await grade('a b c', { type: 'contains-all', value: ['a', 'c'] })).pass).toBe(true);
    const r = await grade('a b', { type: 'contains-all', value: ['a', 'c', 'd'] });
    expect(r.pass).toBe(false);
    expect(r.reason).toContain('missing ["c", "d"]');
    expect((await grade('a b', { type: 'not-contains-all', value: ['a', 'c'] })).pass).toBe(true);
  });

  it('truncates long outputs in reasons', async () => {
    const r = await grade('x'.repeat(500), { type: 'contains', value: 'y' });
    expect(r.reason).toContain('… (500 chars)');
    expect(r.reason.length).toBeLessThan(150);
  });
});

describe('regex', () => {
  it('matches a bare pattern and quotes the match', async () => {
    const r = await grade('Ticket #4521 opened', { type: 'regex', value: '#\\d+' });
    expect(r).toMatchObject({ pass: true, reason: 'Output matches /#\\d+/ at "#4521"' });
  });

  it('supports /pattern/flags', async () => {
    expect((await grade('BUG', { type: 'regex', value: '/^bug$/i' })).pass).toBe(true);
    const r = await grade('BUG', { type: 'regex', value: '/^bug$/' });
    expect(r.reason).toBe('Expected output to match /^bug$/; got "BUG"');
  });

  it('keeps a slash-delimited path with no valid flags as a bare pattern', async () => {
    expect((await grade('GET /api/users', { type: 'regex', value: '/api/users' })).pass).toBe(true);
  });

  it('not-regex passes when nothing matches', async () => {
    expect((await grade('no digits', { type: 'not-regex', value: '\\d' })).pass).toBe(true);
    expect((await grade('1 digit', { type: 'not-regex', value: '\\d' })).pass).toBe(false);
  });
});
