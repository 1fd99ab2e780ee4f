import { distanceHandlers } from './distance.ts';
import { jsonHandlers } from './json.ts';
import { metadataHandlers } from './metadata.ts';
import { rubricHandlers } from './rubric.ts';
import type { BaseAssertionType } from './schema.ts';
import { similarHandlers } from './similar.ts';
import { textHandlers } from './text.ts';
import type { AssertionHandler } from './types.ts';

/** Every base assertion type and how it is validated and graded. */
export const HANDLERS: Record<BaseAssertionType, AssertionHandler> = {
  ...textHandlers,
  ...jsonHandlers,
  ...distanceHandlers,
  ...metadataHandlers,
  ...similarHandlers,
  ...rubricHandlers,
};

export type ParsedType = { base: BaseAssertionType; negated: boolean };

/** `not-contains` → { base: 'contains', negated: true }; undefined for an unknown type. */
export function parseAssertionType(type: string): ParsedType | undefined {
  const negated = type.startsWith('not-');
  const base = negated ? type.slice('not-'.length) : type;
  return Object.hasOwn(HANDLERS, base) ? { base: base as BaseAssertionType, negated } : undefined;
}
