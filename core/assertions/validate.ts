import { quote } from './format.ts';
import { HANDLERS, parseAssertionType } from './registry.ts';
import type { Assertion, BaseAssertionType } from './schema.ts';
import type { ModelDefaults } from './types.ts';

export { InvalidAssertionError, ModelAssertionError } from './errors.ts';

/**
 * Problems that make an assertion ungradeable, each prefixed with its type; empty when it is fine.
 * Pass `defaults` when the default judge/embedder are known: only then is a model assertion without
 * a provider reported (without them, a default may still come from config).
 */
export function validateAssertion(a: Assertion, defaults?: ModelDefaults): string[] {
  const parsed = parseAssertionType(String(a.type));
  if (!parsed) return [`unknown assertion type ${quote(String(a.type))}`];
  const problems = [
    ...commonProblems(a),
    ...HANDLERS[parsed.base].validate(a),
    ...(defaults ? modelProblems(parsed.base, a, defaults) : []),
  ];
  return problems.map((problem) => `${a.type}: ${problem}`);
}

function commonProblems(a: Assertion): string[] {
  const problems: string[] = [];
  if (a.weight !== undefined && !(Number.isFinite(a.weight) && a.weight >= 0)) {
    problems.push(`weight must be a number ≥ 0, got ${a.weight}`);
  }
  if (a.metric !== undefined && (typeof a.metric !== 'string' || a.metric.trim() === '')) {
    problems.push('metric must be a non-empty name');
  }
  if (a.provider !== undefined && !/^ollama:.+$/.test(a.provider)) {
    problems.push(`provider must look like ollama:<model>, got ${quote(String(a.provider))}`);
  }
  return problems;
}

function modelProblems(base: BaseAssertionType, a: Assertion, defaults: ModelDefaults): string[] {
  if (a.provider) return [];
  if (base === 'similar' && !defaults.defaultEmbedder) {
    return [
      'no embedding model: set provider (e.g. ollama:nomic-embed-text) or configure a default embedder',
    ];
  }
  if (base === 'llm-rubric' && !defaults.defaultJudge) {
    return ['no judge model: set provider (e.g. ollama:llama3.2:3b) or configure a default judge'];
  }
  return [];
}
