import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { formatPath, type PathSegment } from './path.ts';
import type { Card } from './schema.ts';
import { type CardProblem, findCardProblems } from './validate.ts';

export interface CardIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** e.g. `cases[1].assert[0].type`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** A card file is invalid; `issues` lists every problem found, in file order. */
export class CardError extends Error {
  override readonly name = 'CardError';
  constructor(readonly issues: CardIssue[]) {
    super(formatCardIssues(issues));
  }
}

/** One `file:line:col path: message` line per issue. */
export function formatCardIssues(issues: readonly CardIssue[]): string {
  return issues
    .map((i) => `${i.file}:${i.line}:${i.column} ${i.path === '' ? '' : `${i.path}: `}${i.message}`)
    .join('\n');
}

/** Parses a card from YAML (or JSON, which is YAML). Throws CardError listing every problem. */
export function parseCard(text: string, file: string): Card {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number, path: string, message: string): CardIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, path, message };
  };
  if (doc.errors.length > 0) {
    throw new CardError(doc.errors.map((e) => at(e.pos[0], '', `YAML syntax error: ${e.message}`)));
  }
  if (doc.contents === null) throw new CardError([at(0, '', 'the card is empty')]);

  const value = toValue(doc);
  if (value instanceof Error) throw new CardError([at(0, '', value.message)]);
  const problems = findCardProblems(value);
  if (problems.length > 0) {
    const issues = problems.map((p) => at(problemOffset(doc, p), formatPath(p.path), p.message));
    throw new CardError(issues.sort((a, b) => a.line - b.line || a.column - b.column));
  }
  return value as Card;
}

/** toJS throws on alias bombs ("Excessive alias count"). */
function toValue(doc: Document): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Walks the YAML tree along the problem's path. A path that leaves the tree (a missing property) stops at
 * the deepest node that exists: the object that lacks it.
 */
function problemOffset(doc: Document, problem: CardProblem): number {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  let walked = 0;
  for (const segment of problem.path) {
    const next = child(doc, node, segment);
    if (!next) break;
    ({ node, key } = next);
    walked += 1;
  }
  const complete = walked === problem.path.length;
  const target = (complete && problem.at === 'key') || isEmptyScalar(node) ? (key ?? node) : node;
  return (target as Node | undefined)?.range?.[0] ?? 0;
}

function child(
  doc: Document,
  parent: unknown,
  segment: PathSegment,
): { node: unknown; key?: Node } | undefined {
  const container = isAlias(parent) ? parent.resolve(doc) : parent;
  if (isSeq(container)) {
    const item = container.items[Number(segment)];
    return item === undefined ? undefined : { node: item };
  }
  if (isMap(container)) {
    const pair = container.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
    return pair ? { node: pair.value, key: pair.key as Node } : undefined;
  }
  return undefined;
}

/** `name:` with nothing after it: point at the key, not at the end of the line. */
function isEmptyScalar(node: unknown): boolean {
  return node === null || (isScalar(node) && node.value === null && node.source === '');
}
