import nunjucks from 'nunjucks';
import { resolveCase } from './cases.ts';
import { formatPath, type PathSegment } from './path.ts';
import type { Card } from './schema.ts';

export type ChatRole = 'system' | 'user' | 'assistant';
export interface ChatMessage {
  role: ChatRole;
  content: string;
}
export interface RenderedPrompt {
  messages: ChatMessage[];
  /** The messages as one string: what the echo provider returns and what is stored as the prompt. */
  text: string;
}

/** One template of a card's prompt and where it sits in the card. */
export interface PromptTemplate {
  path: PathSegment[];
  role: ChatRole;
  source: string;
}

/** A case's prompt cannot be rendered: a missing variable (`variable` set) or another template error. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  constructor(
    readonly caseName: string,
    readonly variable: string | undefined,
    /** Card path of the failing template, e.g. `prompt.template`. */
    readonly field: string,
    /** What nunjucks said, without the case. */
    readonly detail: string,
  ) {
    super(
      variable === undefined
        ? `case "${caseName}": ${field}: ${detail}`
        : `case "${caseName}": template variable "${variable}" is not defined`,
    );
  }
}

// An empty loader list means no filesystem access: {% include %} and {% extends %} fail.
const env = new nunjucks.Environment([], { throwOnUndefined: true, autoescape: false });
const UNDEFINED_OUTPUT = 'attempted to output null or undefined value';
const compiled = new Map<string, nunjucks.Template>();
const MAX_CACHED_TEMPLATES = 1000;

export function promptTemplates(card: Pick<Card, 'prompt'>): PromptTemplate[] {
  const { prompt } = card;
  if ('messages' in prompt) {
    return prompt.messages.map((m, i) => ({
      path: ['prompt', 'messages', i, 'content'],
      role: m.role,
      source: m.content,
    }));
  }
  const user: PromptTemplate = { path: ['prompt', 'template'], role: 'user', source: prompt.template };
  if (prompt.system === undefined) return [user];
  return [{ path: ['prompt', 'system'], role: 'system', source: prompt.system }, user];
}

/** Renders a case's prompt with defaults.vars overlaid by the case's vars. Throws TemplateError. */
export function renderPrompt(card: Card, caseIndex: number): RenderedPrompt {
  const { name, vars } = resolveCase(card, caseIndex);
  const messages = promptTemplates(card).map((t) => ({ role: t.role, content: renderOne(t, vars, name) }));
  return { messages, text: promptText(messages) };
}

/**
 * A lone user message is its content as is (so `equals` works against the echo provider); anything else
 * is `[role]` headed sections, trailing newlines trimmed, separated by a blank line.
 */
export function promptText(messages: ChatMessage[]): string {
  const [only] = messages;
  if (messages.length === 1 && only?.role === 'user') return only.content;
  return messages.map((m) => `[${m.role}]\n${m.content.replace(/\n+$/, '')}`).join('\n\n');
}

export interface TemplateSyntaxError {
  /** 1-based line and column inside the template, when nunjucks reports them. */
  line: number | undefined;
  column: number | undefined;
  message: string;
}

export function checkTemplateSyntax(source: string): TemplateSyntaxError | undefined {
  try {
    compile(source);
    return undefined;
  } catch (error) {
    return parseNunjucksError(error);
  }
}

function renderOne(template: PromptTemplate, vars: Record<string, unknown>, caseName: string): string {
  const field = formatPath(template.path);
  try {
    return compile(template.source).render(vars);
  } catch (error) {
    const { line, column, message } = parseNunjucksError(error);
    if (message !== UNDEFINED_OUTPUT) throw new TemplateError(caseName, undefined, field, message);
    const variable = outputExpressionAt(template.source, line, column) ?? '(unknown)';
    throw new TemplateError(caseName, variable, field, message);
  }
}

function compile(source: string): nunjucks.Template {
  let template = compiled.get(source);
  if (!template) {
    if (compiled.size >= MAX_CACHED_TEMPLATES) compiled.clear();
    template = new nunjucks.Template(source, env, undefined, true);
    compiled.set(source, template);
  }
  return template;
}

/**
 * nunjucks keeps positions only in the message text:
 * `(unknown path) [Line 2, Column 19]\n  expected variable end`.
 */
function parseNunjucksError(error: unknown): TemplateSyntaxError {
  const text = error instanceof Error ? error.message : String(error);
  const position = /\[Line (\d+), Column (\d+)\]/.exec(text);
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('(unknown path)') && !l.startsWith('Template render error'));
  const message = (lines.at(-1) ?? text).replace(/^Error: /, '');
  return {
    line: position ? Number(position[1]) : undefined,
    column: position ? Number(position[2]) : undefined,
    message,
  };
}

/** For an undefined output nunjucks points at the `{{`; read the variable (path) written there. */
function outputExpressionAt(source: string, line?: number, column?: number): string | undefined {
  if (line === undefined || column === undefined) return undefined;
  const text = source.split('\n')[line - 1]?.slice(column - 1) ?? '';
  return /^\{\{-?\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*|\[[^\]]*\])*)/.exec(text)?.[1];
}
