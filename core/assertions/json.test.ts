import { describe, expect, it } from 'vitest';
import { gradeOutput } from './engine.ts';
import { jsonEqual, parseJson } from './json.ts';
import type { Assertion } from './schema.ts';
import type { AssertionResult } from './types.ts';

async function grade(output: string, assertion: Assertion): Promise<AssertionResult> {
  const input = { output, prompt: '', vars: {}, latencyMs: 10, tokens: { prompt: 1, completion: 1 } };
  const result = await gradeOutput(input, [assertion]);
  return result.assertions[0] as AssertionResult;
}

const ticketSchema = {
  type: 'object',
  properties: {
    queue: { enum: ['billing', 'bug', 'account', 'other'] },
    confidence: { type: 'number', minimum: 0, maximum: 1 },
  },
  required: ['queue', 'confidence'],
  additionalProperties: false,
};

describe('is-json', () => {
  it('accepts the whole output as JSON, surrounding whitespace allowed', async () => {
    expect(await grade('  {"queue": "bug"}\n', { type: 'is-json' })).toMatchObject({ pass: true, score: 1 });
  });

  it('reports where parsing failed', async () => {
    const r = await grade('{"queue": "bug"}\nDone!', { type: 'is-json' });
    expect(r.pass).toBe(false);
    expect(r.reason).toContain('line 2, column 1');
  });

  it('rejects a fenced block: the output must be JSON itself', async () => {
    expect((await grade('```json\n{"a":1}\n```', { type: 'is-json' })).pass).toBe(false);
  });

  it('checks an optional schema, as promptfoo does', async () => {
    expect((await grade('{"queue":"nope"}', { type: 'is-json', value: ticketSchema })).pass).toBe(false);
  });

  it('not-is-json passes on prose', async () => {
    expect((await grade('bug', { type: 'not-is-json' })).pass).toBe(true);
  });
});

describe('json-schema', () => {
  it('passes a conforming object', async () => {
    const r = await grade('{"queue":"bug","confidence":0.9}', { type: 'json-schema', value: ticketSchema });
    expect(r).toMatchObject({ pass: true, reason: 'Output is JSON matching the schema' });
  });

  it('lists the first errors with their instance paths', async () => {
    const r = await grade('{"queue":"sales","confidence":2,"extra":1}', {
      type: 'json-schema',
      value: ticketSchema,
    });
    expect(r.pass).toBe(false);
    expect(r.reason).toContain('(root) must NOT have additional properties: "extra"');
    expect(r.reason).toContain(
      '/queue must be equal to one of the allowed values: ["billing","bug","account","other"]',
    );
    expect(r.reason).toContain('/confidence must be <= 1');
  });

  it('fails output that is not JSON with the parse error', async () => {
    const r = await grade('bug', { type: 'json-schema', value: ticketSchema });
    expect(r.reason).toMatch(/^Expected output to be valid JSON; Unexpected token/);
  });

  it('supports formats and draft 2020-12 schemas', async () => {
    const email = { type: 'string', format: 'email' };
    expect((await grade('"a@b.co"', { type: 'json-schema', value: email })).pass).toBe(true);
    expect((await grade('"not mail"', { type: 'json-schema', value: email })).pass).toBe(false);
    const draft2020 = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'array',
      prefixItems: [{ type: 'string' }],
    };
    expect((await grade('[1]', { type: 'json-schema', value: draft2020 })).pass).toBe(false);
  });

  it('not-json-schema passes a non-conforming object', async () => {
    expect((await grade('{"queue":"bug"}', { type: 'not-json-schema', value: ticketSchema })).pass).toBe(
      true,
    );
  });
});

describe('JSON helpers', () => {
  it('jsonEqual compares deeply and strictly', () => {
    expect(jsonEqual({ a: [1, { b: null }] }, { a: [1, { b: null }] })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
  });

  it('parseJson calls empty output empty', () => {
    expect(parseJson('  ')).toEqual({ ok: false, error: 'output is empty' });
  });
});
