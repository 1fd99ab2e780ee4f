import Type, { type Static } from 'typebox';

/** Assertion kinds that need no model: graded by pure functions of the output and its metadata. */
export const PURE_ASSERTION_TYPES = [
  'equals',
  'contains',
  'icontains',
  'contains-any',
  'contains-all',
  'starts-with',
  'regex',
  'is-json',
  'json-schema',
  'levenshtein',
  'word-count',
  'latency',
  'token-limit',
] as const;

/** Assertion kinds that call a model (embeddings or a judge) through injected dependencies. */
export const MODEL_ASSERTION_TYPES = ['similar', 'llm-rubric'] as const;

export const BASE_ASSERTION_TYPES = [...PURE_ASSERTION_TYPES, ...MODEL_ASSERTION_TYPES] as const;
export type BaseAssertionType = (typeof BASE_ASSERTION_TYPES)[number];

/** Every base type and its negation (`not-contains`, `not-llm-rubric`, ...). */
export type AssertionType = BaseAssertionType | `not-${BaseAssertionType}`;
export const ASSERTION_TYPES: AssertionType[] = [
  ...BASE_ASSERTION_TYPES,
  ...BASE_ASSERTION_TYPES.map((t) => `not-${t}` as const),
];

export const AssertionSchema = Type.Object(
  {
    type: Type.Enum(ASSERTION_TYPES, { description: 'What to check; prefix with `not-` to invert.' }),
    value: Type.Optional(
      Type.Unknown({
        description:
          'Expected value: a string, a list of strings (contains-any/all), a JSON Schema (json-schema), a rubric (llm-rubric), or a number (word-count).',
      }),
    ),
    threshold: Type.Optional(
      Type.Number({
        description:
          'Pass level: max milliseconds (latency), max tokens (token-limit), max distance (levenshtein), min similarity (similar), min score (llm-rubric).',
      }),
    ),
    weight: Type.Optional(Type.Number({ minimum: 0, default: 1, description: 'Weight in the case score.' })),
    metric: Type.Optional(
      Type.String({ minLength: 1, description: 'Named metric this score is reported under.' }),
    ),
    provider: Type.Optional(
      Type.String({
        pattern: '^ollama:.+$',
        description: 'Model for similar (embeddings) or llm-rubric (judge), e.g. ollama:llama3.2:3b.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Assertion = Static<typeof AssertionSchema>;
