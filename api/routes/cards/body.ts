import { CardError, parseCard } from '../../../core/card/parse.ts';
import type { Card } from '../../../core/card/schema.ts';
import { findCardProblems } from '../../../core/card/validate.ts';
import { fieldPath } from '../../plugins/error-handler.ts';
import type { Issue } from '../../schemas/common.ts';

/** The media types a card body may have besides JSON; the parser keeps their text for parseCard. */
export const YAML_MEDIA_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

export type CardBodyResult = { ok: true; card: Card; source: string } | { ok: false; issues: Issue[] };

/**
 * Reads a card from a request body: YAML text (problems carry line and column) or a JSON value (problems
 * carry the field path only). The source stored for JSON is the card pretty-printed.
 */
export function readCardBody(body: unknown): CardBodyResult {
  if (typeof body === 'string') return readYaml(body);
  if (body === undefined || body === null) {
    return {
      ok: false,
      issues: [{ path: 'body', message: 'is required: send a card as application/json or application/yaml' }],
    };
  }
  const problems = findCardProblems(body);
  if (problems.length > 0) {
    return {
      ok: false,
      issues: problems.map((p) => ({ path: fieldPath('body', p.path), message: p.message })),
    };
  }
  return { ok: true, card: body as Card, source: `${JSON.stringify(body, null, 2)}\n` };
}

function readYaml(text: string): CardBodyResult {
  try {
    return { ok: true, card: parseCard(text, 'request body'), source: text };
  } catch (error) {
    if (!(error instanceof CardError)) throw error;
    const issues = error.issues.map((i) => ({
      path: fieldPath('body', i.path),
      message: i.message,
      line: i.line,
      column: i.column,
    }));
    return { ok: false, issues };
  }
}
