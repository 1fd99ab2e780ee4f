import { ModelAssertionError } from './errors.ts';
import { kindOf, num, quote } from './format.ts';
import { callModel, resolveModel } from './models.ts';
import type { Assertion } from './schema.ts';
import type { AssertionHandler, GradeContext, Verdict } from './types.ts';
import { checkThreshold, requireStringList } from './values.ts';
import { failed, passed } from './verdict.ts';

const DEFAULT_MIN_SIMILARITY = 0.75;

export function cosineSimilarity(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

function expectedTexts(a: Assertion): string[] {
  return typeof a.value === 'string' ? [a.value] : (a.value as string[]);
}

function validateSimilar(a: Assertion): string[] {
  return [
    ...referenceProblems(a),
    ...checkThreshold(a, { required: false, min: 0, max: 1, meaning: 'min cosine similarity' }),
  ];
}

function referenceProblems(a: Assertion): string[] {
  if (typeof a.value === 'string') return a.value.trim() === '' ? ['value must not be empty'] : [];
  if (Array.isArray(a.value)) return requireStringList(a);
  if (a.value === undefined) return ['value is required (a reference text or a list of them)'];
  return [`value must be a string or a list of strings, got ${kindOf(a.value)}`];
}

async function embedAll(a: Assertion, ctx: GradeContext, texts: string[]): Promise<number[][]> {
  const { models, model } = resolveModel(a, ctx, 'embedder');
  const vectors = await callModel(`Embedding with ${model}`, ctx.signal, () =>
    models.embed(model, texts, ctx.signal),
  );
  const width = vectors[0]?.length ?? 0;
  if (vectors.length !== texts.length || width === 0 || vectors.some((v) => v.length !== width)) {
    throw new ModelAssertionError(
      `Embedding with ${model} returned ${vectors.length} vectors of unusable shape for ${texts.length} texts`,
    );
  }
  return vectors;
}

async function gradeSimilar(a: Assertion, ctx: GradeContext): Promise<Verdict> {
  const expected = expectedTexts(a);
  const minimum = a.threshold ?? DEFAULT_MIN_SIMILARITY;
  const [outputVector, ...expectedVectors] = await embedAll(a, ctx, [ctx.input.output, ...expected]);
  const similarities = expectedVectors.map((v) => cosineSimilarity(outputVector as number[], v));
  const best = similarities.indexOf(Math.max(...similarities));
  const similarity = similarities[best] ?? 0;
  const closest = quote(expected[best] ?? '');
  const score = Math.max(0, similarity);
  if (similarity >= minimum) {
    return passed(`Output is similar to ${closest} (cosine ${num(similarity)} ≥ ${minimum})`, score);
  }
  return failed(
    `Expected output similar to ${closest} (cosine ≥ ${minimum}); best was ${num(similarity)}; got ${quote(ctx.input.output)}`,
    score,
  );
}

export const similarHandlers = {
  similar: { validate: validateSimilar, grade: gradeSimilar } satisfies AssertionHandler,
};
