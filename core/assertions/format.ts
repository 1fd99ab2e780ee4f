/** Quote text for a reason: JSON-escaped, one line, cut to `max` characters. */
export function quote(text: string, max = 80): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} chars)`;
}

/** A JSON value for a reason, unquoted, cut to `max` characters. */
export function jsonSnippet(value: unknown, max = 80): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** A number in a reason: at most three decimals, no trailing zeros. */
export function num(value: number): string {
  return String(Number(value.toFixed(3)));
}

/** The kind of a YAML/JSON value, for "expected X, got Y" messages. */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

export function clamp01(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(1, Math.max(0, value));
}
