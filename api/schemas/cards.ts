import Type from 'typebox';
import { Issue } from './common.ts';

const EpochMs = (description: string) => Type.Integer({ description: `${description} (epoch milliseconds)` });

export const CardSummary = Type.Object({
  id: Type.String({ description: 'URL-safe id derived from the name' }),
  name: Type.String(),
  description: Type.String(),
  latestVersion: Type.Integer({ minimum: 0 }),
  createdAt: EpochMs('First stored'),
  updatedAt: EpochMs('Latest version stored'),
  archivedAt: Type.Union([EpochMs('Archived'), Type.Null()]),
});

export const CardVersionHeader = Type.Object({
  id: Type.Integer({ description: 'Version id, as runs reference it' }),
  version: Type.Integer({ minimum: 1, description: '1, 2, ... per card' }),
  createdAt: EpochMs('Stored'),
  contentHash: Type.String({ description: 'SHA-256 of the source' }),
});

/** The parsed card, as stored; its format is schema/card.schema.json. */
export const CardSpec = Type.Record(Type.String(), Type.Unknown(), {
  description: 'The parsed card (format: schema/card.schema.json)',
});

export const CardVersionDetail = Type.Object({
  ...CardVersionHeader.properties,
  source: Type.String({ description: 'The card as sent: YAML text, or pretty-printed JSON' }),
  spec: CardSpec,
});

export const CardParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

export const CardVersionParams = Type.Object({
  ...CardParams.properties,
  version: Type.Integer({ minimum: 1 }),
});

const EXAMPLE_YAML = `name: support-triage
description: Route support tickets to one of four queues.
prompt:
  system: You are a support triage assistant. Answer with one word.
  template: "Ticket: {{ ticket }}"
models: [ollama:llama3.2:3b]
cases:
  - name: double charge
    vars: { ticket: "I was charged twice this month" }
    assert:
      - { type: icontains, value: billing }
`;

const EXAMPLE_CARD = {
  name: 'support-triage',
  description: 'Route support tickets to one of four queues.',
  prompt: {
    system: 'You are a support triage assistant. Answer with one word.',
    template: 'Ticket: {{ ticket }}',
  },
  models: ['ollama:llama3.2:3b'],
  cases: [
    {
      name: 'double charge',
      vars: { ticket: 'I was charged twice this month' },
      assert: [{ type: 'icontains', value: 'billing' }],
    },
  ],
};

/**
 * A card as JSON or as YAML text. Only the shape of the body is checked here: the card itself is
 * validated by the one card schema (core/card), so the API reports the same problems as `pcs` and editors.
 */
export const CardBody = {
  content: {
    'application/json': {
      schema: Type.Object({}, { additionalProperties: true, examples: [EXAMPLE_CARD] }),
    },
    'application/yaml': {
      schema: Type.String({ description: 'A card file, as YAML', examples: [EXAMPLE_YAML] }),
    },
    'text/yaml': { schema: Type.String({ description: 'A card file, as YAML' }) },
  },
};

const SavedCard = {
  card: CardSummary,
  version: CardVersionHeader,
  created: Type.Boolean({ description: 'false when this exact content was already stored' }),
};

export const CardCreatedReply = Type.Object(SavedCard, { description: 'Stored as a new version' });

export const CardUnchangedReply = Type.Object(SavedCard, {
  description: 'This exact content is already stored: its version, nothing new',
});

export const ValidateCardReply = Type.Object(
  { valid: Type.Boolean(), issues: Type.Optional(Type.Array(Issue)) },
  { description: 'Whether the card is valid and, if not, every problem' },
);

export const CardDetailReply = Type.Object(
  {
    card: CardSummary,
    latest: CardVersionDetail,
    versions: Type.Array(CardVersionHeader, { description: 'Newest first' }),
  },
  { description: 'The card, its latest version in full and its version history' },
);

export const CardVersionReply = Type.Object(
  { cardId: Type.String(), ...CardVersionDetail.properties },
  { description: 'The version as stored' },
);
