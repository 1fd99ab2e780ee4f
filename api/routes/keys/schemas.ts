import Type, { type Static } from 'typebox';
import { API_KEY_NAME_MAX_LENGTH } from '../../../db/queries/api-keys.ts';

export const CreateKeyBody = Type.Object({
  name: Type.String({
    minLength: 1,
    maxLength: API_KEY_NAME_MAX_LENGTH,
    pattern: '\\S',
    description: 'What the key is for, e.g. `ci` or `dashboard` (surrounding spaces are dropped)',
  }),
});
export type CreateKeyBody = Static<typeof CreateKeyBody>;

/** A stored key as listed: never its hash, never the secret. */
export const ApiKey = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String({ description: 'The first 10 characters of the key, to tell keys apart' }),
  createdAt: Type.Integer({ description: 'Epoch milliseconds' }),
  revokedAt: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Epoch milliseconds; null while live',
  }),
});

export const CreatedApiKey = Type.Object({
  ...ApiKey.properties,
  key: Type.String({
    description: 'The secret, for `Authorization: Bearer <key>`. Shown in this reply only: store it now.',
  }),
});

export const KeyParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
