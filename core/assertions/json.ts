import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { InvalidAssertionError } from './errors.ts';
import { kindOf, quote } from './format.ts';
import type { AssertionHandler } from './types.ts';
import { failed, passed } from './verdict.ts';

const addFormats = addFormatsModule.default;

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

/** Parse the whole output as JSON (surrounding whitespace allowed, code fences not). */
export function parseJson(text: string): JsonParse {
  if (text.trim() === '') return { ok: false, error: 'output is empty' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: describeParseError((error as Error).message, text) };
  }
}

function describeParseError(message: string, text: string): string {
  const position = /at position (\d+)/.exec(message);
  if (!position) return message;
  const before = text.slice(0, Number(position[1])).split('\n');
  const column = (before.at(-1)?.length ?? 0) + 1;
  return `${message} (line ${before.length}, column ${column})`;
}

/** Deep equality of JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}

type CompiledSchema = { ok: true; validate: ValidateFunction } | { ok: false; error: string };

// Compiling is slow and cases repeat the same schema; a fresh Ajv per schema avoids `$id` clashes.
const compiled = new Map<string, CompiledSchema>();

export function compileSchema(schema: object): CompiledSchema {
  const key = JSON.stringify(schema);
  let entry = compiled.get(key);
  if (!entry) {
    entry = compileFresh(schema);
    if (compiled.size >= 200) compiled.clear();
    compiled.set(key, entry);
  }
  return entry;
}

function compileFresh(schema: object): CompiledSchema {
  const is2020 = String((schema as { $schema?: unknown }).$schema ?? '').includes('2020-12');
  const ajv = is2020
    ? new Ajv2020({ allErrors: true, strict: false })
    : new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  try {
    return { ok: true, validate: ajv.compile(schema) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

function describeSchemaErrors(errors: ErrorObject[]): string {
  const shown = errors.slice(0, 3).map(describeSchemaError);
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  return shown.join('; ') + more;
}

function describeSchemaError(error: ErrorObject): string {
  const path = error.instancePath || '(root)';
  const { params } = error;
  if (error.keyword === 'additionalProperties')
    return `${path} ${error.message}: ${quote(params.additionalProperty)}`;
  if (error.keyword === 'enum') return `${path} ${error.message}: ${JSON.stringify(params.allowedValues)}`;
  return `${path} ${error.message}`;
}

function schemaProblems(value: unknown, required: boolean): string[] {
  if (value === undefined) return required ? ['value is required (a JSON Schema object)'] : [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`value must be a JSON Schema object, got ${kindOf(value)}`];
  }
  const schema = compileSchema(value);
  return schema.ok ? [] : [`value is not a valid JSON Schema: ${schema.error}`];
}

/** is-json takes an optional schema (as promptfoo does); json-schema requires one. */
function jsonHandler(schemaRequired: boolean): AssertionHandler {
  return {
    validate: (a) => schemaProblems(a.value, schemaRequired),
    grade: (a, { input }) => {
      const parsed = parseJson(input.output);
      if (!parsed.ok) {
        return failed(`Expected output to be valid JSON; ${parsed.error}; got ${quote(input.output)}`);
      }
      if (a.value === undefined) return passed('Output is valid JSON');
      const schema = compileSchema(a.value as object);
      if (!schema.ok) throw new InvalidAssertionError(a, [`${a.type}: ${schema.error}`]); // validated earlier
      if (schema.validate(parsed.value)) return passed('Output is JSON matching the schema');
      return failed(
        `Expected output to match the JSON schema: ${describeSchemaErrors(schema.validate.errors ?? [])}; got ${quote(input.output)}`,
      );
    },
  };
}

export const jsonHandlers = {
  'is-json': jsonHandler(false),
  'json-schema': jsonHandler(true),
};
