import Type, { type Static, type TSchema } from 'typebox';

/** One problem with the input: the field path (`body.cases[0].name`, `query.limit`) and, for YAML, where. */
export const Issue = Type.Object({
  path: Type.String({ description: 'The field, e.g. `body.cases[0].name` or `query.limit`' }),
  message: Type.String(),
  line: Type.Optional(Type.Integer({ minimum: 1, description: '1-based line in a YAML body' })),
  column: Type.Optional(Type.Integer({ minimum: 1, description: '1-based column in a YAML body' })),
});
export type Issue = Static<typeof Issue>;

/** The body of every 4xx and 5xx reply. */
export const ErrorReply = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    issues: Type.Optional(Type.Array(Issue)),
  },
  { description: 'An error: a short name, a readable message and, for bad input, each problem' },
);
export type ErrorReply = Static<typeof ErrorReply>;

/**
 * `?limit=&offset=` on every list route. Optional for the client; Fastify's Ajv fills the defaults, so a
 * handler can read `request.query.limit ?? 50` knowing the fallback never runs. Spread `PageQuery.properties`
 * into a route's own query object to add filters.
 */
export const PageQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});
export type PageQuery = Static<typeof PageQuery>;

/** A page of a list: the items, the total across all pages, and the limit/offset that produced it. */
export function Page<T extends TSchema>(item: T, options: { description?: string } = {}) {
  return Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer({ minimum: 0, description: 'How many match, across all pages' }),
      limit: Type.Integer({ minimum: 1 }),
      offset: Type.Integer({ minimum: 0 }),
    },
    options,
  );
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `issues` names each field (`body.cases[0].name`, `query.limit`) and what is wrong',
  401: 'No API key, or an unknown one',
  403: 'The API key has been revoked',
  404: 'Not found',
  409: 'Conflicts with the current state',
  413: 'The request body is larger than the limit',
  415: 'The Content-Type is not accepted here',
  429: 'Too many requests: retry after the time in the Retry-After header',
  503: 'A service the API depends on is unavailable',
};

/** Response schemas for error statuses: `response: { 200: Thing, ...errorReplies(400, 401, 404) }`. */
export function errorReplies<C extends number>(...codes: C[]): { [K in C]: typeof ErrorReply } {
  const replies = {} as { [K in C]: typeof ErrorReply };
  for (const code of codes) {
    replies[code] = Type.Object(ErrorReply.properties, {
      description: ERROR_DESCRIPTIONS[code] ?? 'An error',
    });
  }
  return replies;
}

/** OpenAPI `security` of a route behind `fastify.writeAccess`. */
export const keyRequired: { apiKey: string[] }[] = [{ apiKey: [] }];

/** OpenAPI `security` of a route behind `fastify.readAccess`: a key only when the config asks for one. */
export function readSecurity(readsRequireKey: boolean): { apiKey: string[] }[] {
  return readsRequireKey ? keyRequired : [];
}
