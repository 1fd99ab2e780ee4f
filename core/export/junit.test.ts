import { describe, expect, it } from 'vitest';
import { create } from 'xmlbuilder2';
import { exportJunit, stripIllegalXmlChars } from './junit.ts';
import { fixtureData, TRICKY_OUTPUT } from './test-fixture.ts';

type Element = {
  getAttribute(name: string): string | null;
  getElementsByTagName(name: string): { length: number; item(index: number): Element | null };
  textContent: string | null;
};

const xml = exportJunit(fixtureData());
const document = create(xml).node as unknown as Element;

function elements(parent: Element, tag: string): Element[] {
  const list = parent.getElementsByTagName(tag);
  return Array.from({ length: list.length }, (_, i) => list.item(i) as Element);
}

function attributes(element: Element | undefined, names: string[]): Record<string, string | null> {
  return Object.fromEntries(names.map((name) => [name, element?.getAttribute(name) ?? null]));
}

const COUNTS = ['name', 'tests', 'failures', 'errors', 'time'];

describe('exportJunit', () => {
  it('sums all cells on <testsuites>', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true);
    const [root] = elements(document, 'testsuites');
    expect(attributes(root, COUNTS)).toEqual({
      name: 'support-bot',
      tests: '8',
      failures: '2',
      errors: '1',
      time: '8.000',
    });
  });

  it('has one suite per model, in run order, with its own counts', () => {
    const suites = elements(document, 'testsuite').map((suite) => attributes(suite, COUNTS));
    expect(suites).toEqual([
      { name: 'qwen2.5:7b', tests: '4', failures: '1', errors: '0', time: '4.250' },
      { name: 'llama3.2:3b', tests: '4', failures: '1', errors: '1', time: '3.750' },
    ]);
  });

  it('names test cases by card, model, case and repeat, timed in seconds', () => {
    const [first] = elements(document, 'testcase');
    expect(attributes(first, ['classname', 'name', 'time'])).toEqual({
      classname: 'support-bot.qwen2.5:7b',
      name: 'greets #0',
      time: '0.500',
    });
    expect(elements(document, 'testcase')).toHaveLength(8);
  });

  it('reports a failed cell with its reason and assertion verdicts', () => {
    const [failure] = elements(document, 'failure');
    expect(elements(document, 'failure')).toHaveLength(2);
    expect(failure?.getAttribute('message')).toBe('Score 0.5 below threshold 1: expected "bye" in output');
    expect(failure?.textContent).toBe(
      [
        'Score 0.5 below threshold 1:',
        'expected "bye" in output',
        '',
        'FAIL contains (score 0): expected "bye" in output',
        'PASS max-length (score 1): length 52 <= 200',
      ].join('\n'),
    );
  });

  it('reports an error cell with its type and message, and no output', () => {
    const errors = elements(document, 'error');
    expect(errors).toHaveLength(1);
    expect(attributes(errors[0], ['type', 'message'])).toEqual({
      type: 'timeout',
      message: 'The model did not answer within the cell timeout',
    });
    const errorCase = elements(document, 'testcase')[6];
    expect(errorCase && elements(errorCase, 'system-out')).toEqual([]);
  });

  it('escapes the output (entity-like text too) into <system-out>, dropping characters XML 1.0 forbids', () => {
    const failedCase = elements(document, 'testcase')[2] as Element;
    const [out] = elements(failedCase, 'system-out');
    expect(out?.textContent).toBe(TRICKY_OUTPUT.replace('\u0001', ''));
    expect(xml).toContain('He said "hi, there",\nthen &lt;b&gt;&amp;amp;&lt;/b&gt; AT&amp;T; left.');
    expect(xml).not.toContain('\u0001');
    expect(xml).toContain('message="Score 0.5 below threshold 1: expected &quot;bye&quot; in output"');
  });
});

describe('stripIllegalXmlChars', () => {
  it('keeps tabs, line breaks and astral characters; drops control characters and lone surrogates', () => {
    expect(stripIllegalXmlChars('a\tb\nc\rd 😀')).toBe('a\tb\nc\rd 😀');
    expect(stripIllegalXmlChars('x\u0000\u0008\u000b\u001fy\ud800z\ufffe')).toBe('xyz');
  });
});
