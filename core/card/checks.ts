import { Value } from 'typebox/value';
import { validateAssertion } from '../assertions/index.ts';
import { compileSchema } from '../assertions/json.ts';
import { type Assertion, AssertionSchema } from '../assertions/schema.ts';
import type { PathSegment } from './path.ts';
import type { CardProblem } from './schema-errors.ts';
import { checkTemplateSyntax } from './template.ts';

// Checks the JSON Schema cannot express. They run on unvalidated input, so every access is guarded and
// each check skips what the schema already reports.

export function semanticProblems(value: unknown): CardProblem[] {
  if (!isRecord(value)) return [];
  const defaultAsserts = isRecord(value.defaults) ? value.defaults.assert : undefined;
  return [
    ...duplicateCaseNames(value.cases),
    ...templateSyntaxProblems(value.prompt),
    ...formatProblems(value.options),
    ...assertionListProblems(defaultAsserts, ['defaults', 'assert']),
    ...asArray(value.cases).flatMap((c, i) =>
      isRecord(c) ? assertionListProblems(c.assert, ['cases', i, 'assert']) : [],
    ),
  ];
}

function duplicateCaseNames(cases: unknown): CardProblem[] {
  const firstIndex = new Map<string, number>();
  const problems: CardProblem[] = [];
  asArray(cases).forEach((c, i) => {
    if (!isRecord(c) || typeof c.name !== 'string') return;
    const first = firstIndex.get(c.name);
    if (first === undefined) firstIndex.set(c.name, i);
    else
      problems.push({
        path: ['cases', i, 'name'],
        message: `duplicate case name (also cases[${first}].name)`,
      });
  });
  return problems;
}

function templateSyntaxProblems(prompt: unknown): CardProblem[] {
  if (!isRecord(prompt)) return [];
  const templates: [PathSegment[], unknown][] = [
    [['prompt', 'system'], prompt.system],
    [['prompt', 'template'], prompt.template],
    ...asArray(prompt.messages).map((m, i): [PathSegment[], unknown] => [
      ['prompt', 'messages', i, 'content'],
      isRecord(m) ? m.content : undefined,
    ]),
  ];
  return templates.flatMap(([path, source]) => {
    const error = typeof source === 'string' ? checkTemplateSyntax(source) : undefined;
    if (!error) return [];
    const where = error.line === undefined ? '' : ` (template line ${error.line}, column ${error.column})`;
    return [{ path, message: `template syntax error${where}: ${error.message}` }];
  });
}

/** Ollama's structured output takes a JSON Schema: compile it as the json-schema assertion does. */
function formatProblems(options: unknown): CardProblem[] {
  if (!isRecord(options) || !isRecord(options.format)) return [];
  const compiled = compileSchema(options.format);
  return compiled.ok
    ? []
    : [{ path: ['options', 'format'], message: `is not a valid JSON Schema: ${compiled.error}` }];
}

function assertionListProblems(list: unknown, path: PathSegment[]): CardProblem[] {
  return asArray(list).flatMap((a, i) => (isRecord(a) ? assertionProblems(a, [...path, i]) : []));
}

/** The assertion engine's own validation, for assertions whose shape the schema accepts. */
function assertionProblems(assertion: Record<string, unknown>, path: PathSegment[]): CardProblem[] {
  if (!Value.Check(AssertionSchema, assertion)) return [];
  const prefix = `${assertion.type}: `;
  return validateAssertion(assertion as Assertion).map((problem) =>
    locateAssertionProblem(problem.startsWith(prefix) ? problem.slice(prefix.length) : problem, path, prefix),
  );
}

const FIELD_PROBLEM =
  /^(value|threshold|weight|metric|provider)((?:\[\d+\]|\.\w+)*) ((?:is|must|needs)\b.*)$/s;

/** `value[2] must be a string` → path `…value[2]`, `must be a string`; anything else stays on the assertion. */
function locateAssertionProblem(problem: string, path: PathSegment[], typePrefix: string): CardProblem {
  const match = FIELD_PROBLEM.exec(problem);
  if (!match) return { path, message: `${typePrefix}${problem}` };
  const [, field = '', rest = '', message = ''] = match;
  const subPath = [...rest.matchAll(/\[(\d+)\]|\.(\w+)/g)].map((m) => (m[1] ? Number(m[1]) : (m[2] ?? '')));
  return { path: [...path, field, ...subPath], message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
