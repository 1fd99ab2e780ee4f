import Type, { type Static } from 'typebox';
import { AssertionSchema } from '../assertions/schema.ts';

// `patternErrorMessage` is the editor extension keyword understood by VS Code's JSON/YAML language
// services; validate.ts reads it too, so editors and `pcs` print the same message.

const VarsSchema = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Template variables, available as {{ name }} in the prompt.',
});

const ThresholdSchema = Type.Number({
  minimum: 0,
  maximum: 1,
  description:
    'Minimum weighted share of assertions (0..1) a case must reach to pass; default: all must pass.',
});

const AssertListSchema = Type.Array(AssertionSchema, {
  description: 'Assertions graded against each output.',
});

const TemplatePromptSchema = Type.Object(
  {
    system: Type.Optional(Type.String({ description: 'System message (a template too).' })),
    template: Type.String({ description: 'User message template (Nunjucks), e.g. "Ticket: {{ ticket }}".' }),
  },
  { additionalProperties: false, description: 'A user template with an optional system message.' },
);

const MessageSchema = Type.Object(
  {
    role: Type.Enum(['system', 'user', 'assistant'], { description: 'Who speaks.' }),
    content: Type.String({ description: 'Message template (Nunjucks).' }),
  },
  { additionalProperties: false },
);

const MessagesPromptSchema = Type.Object(
  {
    messages: Type.Array(MessageSchema, { minItems: 1, description: 'Chat messages, each a template.' }),
  },
  { additionalProperties: false, description: 'A full chat transcript.' },
);

const OptionsSchema = Type.Object(
  {
    temperature: Type.Optional(
      Type.Number({ minimum: 0, description: 'Sampling temperature; 0 is greedy.' }),
    ),
    seed: Type.Optional(Type.Integer({ description: 'Random seed, for reproducible outputs.' })),
    num_predict: Type.Optional(
      Type.Integer({ minimum: -2, description: 'Max tokens to generate (-1 unlimited, -2 fill context).' }),
    ),
    num_ctx: Type.Optional(Type.Integer({ minimum: 1, description: 'Context window size in tokens.' })),
    top_p: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Nucleus sampling cut-off.' })),
    top_k: Type.Optional(Type.Integer({ minimum: 0, description: 'Sample from the k most likely tokens.' })),
    stop: Type.Optional(Type.Array(Type.String(), { description: 'Stop sequences.' })),
    format: Type.Optional(
      Type.Union(
        [
          Type.Literal('json'),
          Type.Record(Type.String(), Type.Unknown(), {
            description: 'A JSON Schema the output must follow.',
          }),
        ],
        { description: 'Structured output: "json" or a JSON Schema object.' },
      ),
    ),
  },
  { additionalProperties: false, description: 'Ollama generation options, passed to every model.' },
);

const DefaultsSchema = Type.Object(
  {
    vars: Type.Optional(VarsSchema),
    assert: Type.Optional(Type.Array(AssertionSchema, { description: 'Assertions added to every case.' })),
    threshold: Type.Optional(ThresholdSchema),
  },
  { additionalProperties: false, description: 'Applied to every case; case values win.' },
);

const CaseSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'Case name, unique within the card.' }),
    description: Type.Optional(Type.String()),
    vars: Type.Optional(VarsSchema),
    assert: Type.Optional(AssertListSchema),
    threshold: Type.Optional(ThresholdSchema),
  },
  { additionalProperties: false },
);

export const CARD_DEFAULTS = { repeat: 1, concurrency: 4, timeoutMs: 60_000 } as const;

export const CardSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z0-9][a-z0-9._-]*$',
      maxLength: 100,
      patternErrorMessage:
        'must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
      description: 'Card id, e.g. support-triage.',
    }),
    description: Type.Optional(Type.String({ description: 'What the prompt is for.' })),
    prompt: Type.Union([TemplatePromptSchema, MessagesPromptSchema], {
      description: 'Either { system?, template } or { messages: [{ role, content }] }.',
    }),
    models: Type.Array(
      Type.String({
        pattern: '^(echo|ollama:\\S+)$',
        patternErrorMessage: 'must be "echo" or "ollama:<model>", e.g. ollama:llama3.2:3b',
      }),
      {
        minItems: 1,
        uniqueItems: true,
        description: 'Models to run: "ollama:<model>", or "echo" (returns the rendered prompt).',
      },
    ),
    options: Type.Optional(OptionsSchema),
    defaults: Type.Optional(DefaultsSchema),
    cases: Type.Array(CaseSchema, { minItems: 1, description: 'Test cases.' }),
    repeat: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        default: CARD_DEFAULTS.repeat,
        description: 'Runs per case and model.',
      }),
    ),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 64,
        default: CARD_DEFAULTS.concurrency,
        description: 'Max cells generated at once.',
      }),
    ),
    timeoutMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 600_000,
        default: CARD_DEFAULTS.timeoutMs,
        description: 'Timeout per generation, in milliseconds.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'A prompt card: a prompt template, the models to run it on, and test cases with assertions.',
  },
);

export type Card = Static<typeof CardSchema>;
export type CardCase = Card['cases'][number];
export type CardOptions = NonNullable<Card['options']>;
export type NormalizedCard = Card & { repeat: number; concurrency: number; timeoutMs: number };

/** Fills repeat, concurrency and timeoutMs; leaves everything else as written. */
export function normalizeCard(card: Card): NormalizedCard {
  return {
    ...card,
    repeat: card.repeat ?? CARD_DEFAULTS.repeat,
    concurrency: card.concurrency ?? CARD_DEFAULTS.concurrency,
    timeoutMs: card.timeoutMs ?? CARD_DEFAULTS.timeoutMs,
  };
}
