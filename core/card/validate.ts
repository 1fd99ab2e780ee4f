import { semanticProblems } from './checks.ts';
import type { Card } from './schema.ts';
import { type CardProblem, schemaProblems } from './schema-errors.ts';
import { renderPrompt, TemplateError } from './template.ts';

export type { CardProblem } from './schema-errors.ts';

/**
 * Everything wrong with a card value (parsed YAML/JSON or an API body), in one list; empty when valid.
 * Once the card is well-formed, every case is test-rendered so a missing variable is caught before a run.
 */
export function findCardProblems(value: unknown): CardProblem[] {
  const problems = [...schemaProblems(value), ...semanticProblems(value)];
  if (problems.length > 0) return problems;
  return renderProblems(value as Card);
}

function renderProblems(card: Card): CardProblem[] {
  return card.cases.flatMap((_, i): CardProblem[] => {
    try {
      renderPrompt(card, i);
      return [];
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      const message =
        error.variable === undefined
          ? `${error.field}: ${error.detail}`
          : `template variable "${error.variable}" is not defined (used in ${error.field})`;
      return [{ path: ['cases', i, 'vars'], message }];
    }
  });
}
