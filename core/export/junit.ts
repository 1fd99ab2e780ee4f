import { create } from 'xmlbuilder2';
import type { Result } from '../../db/schema.ts';
import type { AssertionResult } from '../assertions/types.ts';
import { compareModels, orderResults } from './order.ts';
import type { ExportData } from './types.ts';

type XmlElement = ReturnType<typeof create>;

/** JUnit XML in the shape GitHub, GitLab and Jenkins read: one suite per model, one test case per cell. */
export function exportJunit(data: ExportData): string {
  const { cardName } = data;
  const ordered = orderResults(data.results, data.run.options.models);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: xmlValue(cardName),
    ...suiteCounts(ordered),
  });
  const suites = groupByModel(ordered);
  for (const model of [...suites.keys()].sort(compareModels(data.run.options.models))) {
    addSuite(root, cardName, model, suites.get(model) ?? []);
  }
  // wellFormed makes xmlbuilder2 throw instead of writing a document a CI parser would reject.
  return `${root.end({ prettyPrint: true, wellFormed: true })}\n`;
}

function addSuite(root: XmlElement, cardName: string, model: string, results: readonly Result[]): void {
  const suite = root.ele('testsuite', { name: xmlValue(model), ...suiteCounts(results), skipped: '0' });
  for (const result of results) addTestcase(suite, cardName, result);
}

function addTestcase(suite: XmlElement, cardName: string, result: Result): void {
  const testcase = suite.ele('testcase', {
    classname: xmlValue(`${cardName}.${result.model}`),
    name: xmlValue(`${result.caseName} #${result.repeat}`),
    time: seconds(result.latencyMs ?? 0),
  });
  if (result.status === 'fail') {
    testcase.ele('failure', { message: attributeValue(result.reason) }).txt(xmlValue(failureBody(result)));
  } else if (result.status === 'error') {
    testcase
      .ele('error', { type: xmlValue(result.errorType ?? 'error'), message: attributeValue(result.reason) })
      .txt(xmlValue(result.reason));
  }
  if (result.output !== null) testcase.ele('system-out').txt(xmlValue(result.output));
}

function suiteCounts(results: readonly Result[]) {
  const totalMs = results.reduce((sum, r) => sum + (r.latencyMs ?? 0), 0);
  return {
    tests: String(results.length),
    failures: String(results.filter((r) => r.status === 'fail').length),
    errors: String(results.filter((r) => r.status === 'error').length),
    time: seconds(totalMs),
  };
}

function groupByModel(results: readonly Result[]): Map<string, Result[]> {
  const groups = new Map<string, Result[]>();
  for (const result of results) {
    const group = groups.get(result.model) ?? [];
    group.push(result);
    groups.set(result.model, group);
  }
  return groups;
}

/** The cell's reason, then one line per assertion verdict. */
function failureBody(result: Result): string {
  const verdicts = result.assertions.map((a) => verdictLine(a as Partial<AssertionResult>));
  return verdicts.length ? `${result.reason}\n\n${verdicts.join('\n')}` : result.reason;
}

function verdictLine(assertion: Partial<AssertionResult>): string {
  const mark = assertion.pass ? 'PASS' : 'FAIL';
  const score = typeof assertion.score === 'number' ? ` (score ${assertion.score})` : '';
  return `${mark} ${assertion.type ?? 'assertion'}${score}: ${assertion.reason ?? ''}`;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

// The XML 1.0 Char production. With the u flag a lone surrogate is a single code point outside these
// ranges, so it is removed as well.
const ILLEGAL_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes characters no XML 1.0 document may contain, escaped or not (model output can hold any). */
export function stripIllegalXmlChars(text: string): string {
  return text.replace(ILLEGAL_XML_CHARS, '');
}

/**
 * Every string handed to xmlbuilder2 goes through here. Its serializer leaves `&` alone when it looks
 * like an entity (`&amp;`, `&T;`, `&#0;`: oozcitak/xmlbuilder2#105, #117), so a model output holding
 * one would be read back wrong or not at all. Escaping every `&` first leaves only `&amp;`, which it
 * writes unchanged: each `&` ends up escaped exactly once. The tests pin this down for upgrades.
 */
function xmlValue(text: string): string {
  return stripIllegalXmlChars(text).replaceAll('&', '&amp;');
}

/**
 * xmlbuilder2 writes line breaks in attribute values raw, which parsers turn into spaces anyway.
 * A one-line message reads the same everywhere; the full text is in the element body.
 */
function attributeValue(text: string): string {
  return xmlValue(text)
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim();
}
