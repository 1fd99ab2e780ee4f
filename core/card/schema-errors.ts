import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import { buildCardJsonSchema } from './json-schema.ts';
import { formatPath, type PathSegment, pointerToPath } from './path.ts';

/** One thing wrong with a card value, located by its path; `at: 'key'` points at the key, not its value. */
export interface CardProblem {
  path: PathSegment[];
  message: string;
  at?: 'key';
}

let cardValidator: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!cardValidator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
    ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
    cardValidator = ajv.compile(buildCardJsonSchema());
  }
  return cardValidator;
}

/** Validates against the published card JSON Schema and turns Ajv errors into readable problems. */
export function schemaProblems(value: unknown): CardProblem[] {
  const validate = validator();
  if (validate(value)) return [];
  const problems = collapseUnions(validate.errors ?? []).flatMap(toProblems);
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${formatPath(p.path)}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Ajv reports every failing anyOf branch. Keep only the branch the author most likely meant: one whose
 * errors are not a mismatch of the value itself, with the fewest errors. When every branch mismatches
 * (e.g. `prompt: hello`), replace them all with one "must be A or B" error.
 */
function collapseUnions(errors: ErrorObject[]): ErrorObject[] {
  const unions = errors
    .filter((e) => e.keyword === 'anyOf')
    .sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  let remaining = errors;
  for (const union of unions) {
    const branches = new Map<number, ErrorObject[]>();
    const inUnion = (e: ErrorObject) =>
      e.schemaPath.startsWith(`${union.schemaPath}/`) && isWithin(e.instancePath, union.instancePath);
    for (const e of remaining.filter(inUnion)) {
      const index = Number(e.schemaPath.slice(union.schemaPath.length + 1).split('/')[0]);
      branches.set(index, [...(branches.get(index) ?? []), e]);
    }
    const plausible = [...branches.values()]
      .filter((list) => !list.some((e) => e.instancePath === union.instancePath && isMismatch(e)))
      .sort((a, b) => a.length - b.length);
    const replacement = plausible[0] ?? [unionMismatch(union)];
    remaining = [...remaining.filter((e) => e !== union && !inUnion(e)), ...replacement];
  }
  return remaining;
}

function isWithin(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

function isMismatch(e: ErrorObject): boolean {
  return e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum';
}

function unionMismatch(union: ErrorObject): ErrorObject {
  const branches = (union.schema as unknown[]).map(describeSchema);
  return {
    ...union,
    keyword: 'union',
    message: `must be ${branches.join(' or ')}, got ${describeValue(union.data)}`,
  };
}

function toProblems(e: ErrorObject): CardProblem[] {
  const path = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return [{ path: [...path, String(params.missingProperty)], message: 'is required' }];
    case 'additionalProperties':
      return [unknownProperty(path, String(params.additionalProperty), schema)];
    case 'uniqueItems':
      return duplicates(path, e.data);
    case 'type':
      return [
        {
          path,
          message: `${path.length ? '' : 'the card '}must be ${describeType(params.type)}, got ${describeValue(e.data)}`,
        },
      ];
    case 'enum':
      return [{ path, message: enumMessage(e.data, params.allowedValues as unknown[]) }];
    case 'const':
      return [{ path, message: `must be ${JSON.stringify(params.allowedValue)}` }];
    case 'pattern':
      return [
        { path, message: (schema.patternErrorMessage as string) ?? `must match ${String(params.pattern)}` },
      ];
    case 'minItems':
      return [{ path, message: `must have at least ${plural(Number(params.limit), 'item')}` }];
    case 'minLength':
      return [
        {
          path,
          message: params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters`,
        },
      ];
    case 'maxLength':
      return [{ path, message: `must be at most ${params.limit} characters` }];
    case 'minimum':
    case 'maximum':
      return [{ path, message: `${e.message}, got ${describeValue(e.data)}` }];
    default:
      return [{ path, message: e.message ?? 'is invalid' }];
  }
}

function unknownProperty(parent: PathSegment[], key: string, schema: Record<string, unknown>): CardProblem {
  const allowed = Object.keys((schema.properties ?? {}) as object);
  const guess = suggestion(key, allowed);
  const hint = guess
    ? ` (did you mean "${guess}"?)`
    : allowed.length
      ? `; allowed: ${allowed.join(', ')}`
      : '';
  return { path: [...parent, key], message: `unknown property "${key}"${hint}`, at: 'key' };
}

function duplicates(path: PathSegment[], data: unknown): CardProblem[] {
  if (!Array.isArray(data)) return [];
  const firstIndex = new Map<string, number>();
  const problems: CardProblem[] = [];
  data.forEach((item, i) => {
    const key = JSON.stringify(item);
    const first = firstIndex.get(key);
    if (first === undefined) firstIndex.set(key, i);
    else problems.push({ path: [...path, i], message: `duplicate of ${formatPath([...path, first])}` });
  });
  return problems;
}

function enumMessage(value: unknown, allowed: unknown[]): string {
  const strings = allowed.map(String);
  const guess = typeof value === 'string' ? suggestion(value, strings) : undefined;
  const bases = strings.filter((s) => !s.startsWith('not-'));
  // Assertion types come in pairs (x, not-x); list the bases only.
  const paired = bases.length * 2 === strings.length && bases.every((b) => strings.includes(`not-${b}`));
  const list = paired ? `${bases.join(', ')} (or not-<type>)` : strings.join(', ');
  return `must be one of ${list}, got ${describeValue(value)}${guess ? ` (did you mean "${guess}"?)` : ''}`;
}

function suggestion(input: string, candidates: string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(input, candidates);
  return distance(input, best) <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}

function describeSchema(schema: unknown): string {
  const s = (schema ?? {}) as Record<string, unknown>;
  if ('const' in s) return JSON.stringify(s.const);
  if (s.type === 'object' && Array.isArray(s.required) && s.required.length > 0) {
    return `an object with ${s.required.map((k) => `"${k}"`).join(', ')}`;
  }
  return describeType(s.type);
}

function describeType(type: unknown): string {
  const names: Record<string, string> = {
    object: 'an object',
    array: 'a list',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    null: 'null',
  };
  const types = String(type).split(',');
  return types.map((t) => names[t] ?? t).join(' or ');
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
