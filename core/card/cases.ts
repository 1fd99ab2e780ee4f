import type { Assertion } from '../assertions/schema.ts';
import type { Card } from './schema.ts';

/** A case with the card defaults applied: what the renderer and the grader see. */
export interface ResolvedCase {
  index: number;
  name: string;
  vars: Record<string, unknown>;
  /** defaults.assert first, then the case's own. */
  assert: Assertion[];
  threshold: number | undefined;
}

export function resolveCase(card: Card, caseIndex: number): ResolvedCase {
  const testCase = card.cases[caseIndex];
  if (!testCase) throw new RangeError(`card "${card.name}" has no case at index ${caseIndex}`);
  const defaults = card.defaults ?? {};
  return {
    index: caseIndex,
    name: testCase.name,
    vars: { ...defaults.vars, ...testCase.vars },
    assert: [...(defaults.assert ?? []), ...(testCase.assert ?? [])],
    threshold: testCase.threshold ?? defaults.threshold,
  };
}
