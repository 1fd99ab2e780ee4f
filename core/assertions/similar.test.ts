import { describe, expect, it } from 'vitest';
import { gradeOutput } from './engine.ts';
import { InvalidAssertionError, ModelAssertionError } from './errors.ts';
import type { Assertion } from './schema.ts';
import { cosineSimilarity } from './similar.ts';
import type { AssertionResult, GradeInput, ModelAccess } from './types.ts';

// A deterministic stand-in for an embedding model: this tests grading logic, not the Ollama wire format.
const VECTORS: Record<string, number[]> = {
  'I want my money back': [1, 0, 0],
  'refund request': [0.9, 0.3, 0],
  'billing question': [0.6, 0.8, 0],
  'the app crashes': [0, 0, 1],
};

function stubEmbedder(embed?: ModelAccess['embed']) {
  const calls: { model: string; texts: string[] }[] = [];
  const models: ModelAccess = {
    embed: async (model, texts, signal) => {
      calls.push({ model, texts });
      if (embed) return embed(model, texts, signal);
      return texts.map((t) => VECTORS[t] ?? [0, 1, 0]);
    },
    chat: async () => {
      throw new Error('chat is not used by similar');
    },
  };
  return { models, calls };
}

const input: GradeInput = {
  output: 'I want my money back',
  prompt: '',
  vars: {},
  latencyMs: 10,
  tokens: { prompt: 1, completion: 1 },
};

async function grade(assertion: Assertion, models: ModelAccess): Promise<AssertionResult> {
  const result = await gradeOutput(input, [assertion], {
    models,
    defaultEmbedder: 'ollama:nomic-embed-text',
  });
  return result.assertions[0] as AssertionResult;
}

describe('cosineSimilarity', () => {
  it('is 1 for parallel, 0 for orthogonal or zero vectors', () => {
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([0, 0], [1, 1])).toBe(0);
  });
});

describe('similar', () => {
  it('passes at the default 0.75 and embeds output and references in one call, prefix stripped', async () => {
    const { models, calls } = stubEmbedder();
    const r = await grade({ type: 'similar', value: 'refund request' }, models);
    expect(r.pass).toBe(true);
    expect(r.score).toBeCloseTo(0.9 / Math.sqrt(0.9));
    expect(r.reason).toMatch(/^Output is similar to "refund request" \(cosine 0\.949 ≥ 0\.75\)$/);
    expect(calls).toEqual([{ model: 'nomic-embed-text', texts: ['I want my money back', 'refund request'] }]);
  });

  it('fails below the threshold and reports the best similarity', async () => {
    const r = await grade(
      { type: 'similar', value: 'billing question', threshold: 0.9 },
      stubEmbedder().models,
    );
    expect(r).toMatchObject({ pass: false, score: 0.6 });
    expect(r.reason).toBe(
      'Expected output similar to "billing question" (cosine ≥ 0.9); best was 0.6; got "I want my money back"',
    );
  });

  it('takes the best of several references', async () => {
    const r = await grade(
      { type: 'similar', value: ['the app crashes', 'refund request'] },
      stubEmbedder().models,
    );
    expect(r.pass).toBe(true);
    expect(r.reason).toContain('"refund request"');
  });

  it('uses the assertion provider over the default', async () => {
    const { models, calls } = stubEmbedder();
    await grade({ type: 'similar', value: 'refund request', provider: 'ollama:mxbai-embed-large' }, models);
    expect(calls[0]?.model).toBe('mxbai-embed-large');
  });

  it('not-similar passes for unrelated text', async () => {
    const r = await grade({ type: 'not-similar', value: 'the app crashes' }, stubEmbedder().models);
    expect(r).toMatchObject({ pass: true, score: 1 });
  });

  it('wraps embedding failures as retryable ModelAssertionError', async () => {
    const { models } = stubEmbedder(async () => {
      throw new Error('connect ECONNREFUSED');
    });
    const error = await grade({ type: 'similar', value: 'x' }, models).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelAssertionError);
    expect((error as Error).message).toBe('Embedding with nomic-embed-text failed: connect ECONNREFUSED');
  });

  it('rejects a reply with the wrong number of vectors', async () => {
    const { models } = stubEmbedder(async () => [[1, 0]]);
    await expect(grade({ type: 'similar', value: 'x' }, models)).rejects.toThrow(ModelAssertionError);
  });

  it('is invalid without an embedder or without model access', async () => {
    const { models, calls } = stubEmbedder();
    await expect(gradeOutput(input, [{ type: 'similar', value: 'x' }], { models })).rejects.toThrow(
      InvalidAssertionError,
    );
    expect(calls).toEqual([]);
    await expect(gradeOutput(input, [{ type: 'similar', value: 'x', provider: 'ollama:e' }])).rejects.toThrow(
      /no model access/,
    );
  });
});
