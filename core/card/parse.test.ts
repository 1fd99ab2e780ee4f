import { describe, expect, it } from 'vitest';
import { CardError, type CardIssue, formatCardIssues, parseCard } from './parse.ts';

const DESIGN_CARD = `name: support-triage
description: Route support tickets to one of four queues.
prompt:
  system: You are a support triage assistant. Answer with one word.
  template: |
    Ticket: {{ ticket }}
    Queue (billing, bug, account, other):
models: [ollama:llama3.2:3b, ollama:qwen2.5:7b]
options: { temperature: 0, seed: 7, num_predict: 8 }
defaults:
  assert:
    - { type: latency, threshold: 5000 }
cases:
  - name: double charge
    vars: { ticket: "I was charged twice this month" }
    assert:
      - { type: icontains, value: billing }
  - name: crash report
    vars: { ticket: "The app crashes when I upload a photo" }
    assert:
      - { type: icontains, value: bug }
      - { type: not-icontains, value: billing }
`;

function issuesOf(text: string, file = 'card.yaml'): CardIssue[] {
  try {
    parseCard(text, file);
  } catch (error) {
    if (error instanceof CardError) return error.issues;
    throw error;
  }
  throw new Error('expected the card to be rejected');
}

/** `line path: message` per issue: compact enough to assert whole lists. */
function summary(text: string): string[] {
  return issuesOf(text).map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
}

describe('parseCard', () => {
  it('parses the design brief card as written', () => {
    const card = parseCard(DESIGN_CARD, 'support-triage.yaml');
    expect(card.name).toBe('support-triage');
    expect(card.models).toEqual(['ollama:llama3.2:3b', 'ollama:qwen2.5:7b']);
    expect(card.prompt).toEqual({
      system: 'You are a support triage assistant. Answer with one word.',
      template: 'Ticket: {{ ticket }}\nQueue (billing, bug, account, other):\n',
    });
    expect(card.cases[1]?.assert).toEqual([
      { type: 'icontains', value: 'bug' },
      { type: 'not-icontains', value: 'billing' },
    ]);
    expect(card.repeat).toBeUndefined();
  });

  it('parses a JSON card, messages form included', () => {
    const json = JSON.stringify(
      {
        name: 'chat.v2',
        prompt: {
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: '{{ q }}' },
          ],
        },
        models: ['echo'],
        options: { format: { type: 'object' } },
        cases: [{ name: 'q1', vars: { q: 'Why?' }, assert: [{ type: 'is-json' }] }],
      },
      null,
      '\t',
    );
    const card = parseCard(json, 'chat.json');
    expect(card.prompt).toEqual({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: '{{ q }}' },
      ],
    });
    expect(card.options?.format).toEqual({ type: 'object' });
  });

  it('reports every problem of a card at once, each at its own line', () => {
    const text = `name: Support Triage
prompt:
  system: hi
  tempalte: "Ticket: {{ ticket }}"
models: [ollama:llama3.2:3b, gpt-4o, echo, echo]
options: { temperature: -1, format: xml }
repeat: 0
cases:
  - name: double charge
    vars: { ticket: x }
    assert:
      - { type: icontain, value: billing }
      - { type: regex, value: "([a-z" }
      - { type: contains-any, value: billing }
      - { type: json-schema, value: { type: objekt } }
      - { type: equals }
  - name: double charge
    color: blue
  - vars: {}
`;
    expect(summary(text)).toEqual([
      '1:7 name: must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
      '3:3 prompt.template: is required',
      '4:3 prompt.tempalte: unknown property "tempalte" (did you mean "template"?)',
      '5:30 models[1]: must be "echo" or "ollama:<model>", e.g. ollama:llama3.2:3b',
      '5:44 models[3]: duplicate of models[2]',
      '6:25 options.temperature: must be >= 0, got -1',
      '6:37 options.format: must be "json" or an object, got "xml"',
      '7:9 repeat: must be >= 1, got 0',
      '12:17 cases[0].assert[0].type: must be one of equals, contains, icontains, contains-any, contains-all, ' +
        'starts-with, regex, is-json, json-schema, levenshtein, word-count, latency, token-limit, similar, ' +
        'llm-rubric (or not-<type>), got "icontain" (did you mean "icontains"?)',
      // The assertion engine words these; the card parser places them.
      expect.stringMatching(
        /^13:31 cases\[0\]\.assert\[1\]\.value: .*regular expression.*Unterminated character class$/,
      ),
      expect.stringMatching(/^14:38 cases\[0\]\.assert\[2\]\.value: must be a list of strings/),
      expect.stringMatching(/^15:37 cases\[0\]\.assert\[3\]\.value: .*JSON Schema/),
      expect.stringMatching(/^16:9 cases\[0\]\.assert\[4\]\.value: is required/),
      '17:11 cases[1].name: duplicate case name (also cases[0].name)',
      '18:5 cases[1].color: unknown property "color"; allowed: name, description, vars, assert, threshold',
      '19:5 cases[2].name: is required',
    ]);
  });

  it('formats the error message as file:line:col path: message lines', () => {
    const text = 'name: x\nprompt: { template: hi }\nmodels: []\ncases:\n  - name: a\n    threshold: 2\n';
    let error: unknown;
    try {
      parseCard(text, 'cards/x.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CardError);
    expect((error as CardError).message).toBe(
      'cards/x.yaml:3:9 models: must have at least 1 item\ncards/x.yaml:6:16 cases[0].threshold: must be <= 1, got 2',
    );
    expect(formatCardIssues((error as CardError).issues)).toBe((error as CardError).message);
  });

  it('points a missing property at the object that lacks it, and an empty value at its key', () => {
    const text = 'name: x\nprompt:\n  system: s\nmodels:\ncases:\n  - name: a\n';
    expect(summary(text)).toEqual([
      '3:3 prompt.template: is required',
      '4:1 models: must be a list, got nothing (null)',
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    const issues = issuesOf('name: x\nprompt: { template: hi }\nmodels: [echo\ncases:\n  - name: a\n');
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatchObject({ file: 'card.yaml', line: 4, path: '' });
    expect(issues[0]?.message).toMatch(/^YAML syntax error: /);
  });

  it('reports a duplicate key as a YAML error at the second key', () => {
    const issues = issuesOf('name: x\nname: y\n');
    expect(issues.map((i) => [i.line, i.message])).toEqual([
      [2, 'YAML syntax error: Map keys must be unique'],
    ]);
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    expect(summary('# nothing yet\n')).toEqual(['1:1 : the card is empty']);
    expect(summary('- a\n- b\n')).toEqual(['1:1 : the card must be an object, got a list']);
  });

  it('points a template syntax error at the template field', () => {
    const text =
      'name: x\nprompt:\n  template: |\n    Hello\n    {{ name }\nmodels: [echo]\ncases:\n  - name: a\n';
    expect(summary(text)).toEqual([
      '3:13 prompt.template: template syntax error (template line 2, column 9): expected variable end',
    ]);
  });

  it('test-renders every case, so a missing variable is reported before any run', () => {
    const text = [
      'name: x',
      'prompt: { template: "{{ greeting }}, {{ who }}" }',
      'models: [echo]',
      'defaults: { vars: { greeting: Hi } }',
      'cases:',
      '  - name: complete',
      '    vars: { who: Ada }',
      '  - name: incomplete',
      '    vars: { whom: Ada }',
    ].join('\n');
    expect(summary(text)).toEqual([
      '9:11 cases[1].vars: template variable "who" is not defined (used in prompt.template)',
    ]);
  });

  it("places the assertion engine's problems at the field they concern", () => {
    const text = [
      'name: x',
      'prompt: { template: hi }',
      'models: [echo]',
      'cases:',
      '  - name: a',
      '    assert: [{ type: not-latency }, { type: llm-rubric, threshold: 0.5 }]',
    ].join('\n');
    expect(summary(text)).toEqual([
      expect.stringMatching(/^6:14 cases\[0\]\.assert\[0\]\.threshold: is required/),
      expect.stringMatching(/^6:37 cases\[0\]\.assert\[1\]\.value: is required/),
    ]);
  });

  it('explains a prompt that is neither form', () => {
    const text = 'name: x\nprompt: hello\nmodels: [echo]\ncases: [{ name: a }]\n';
    expect(summary(text)).toEqual([
      '2:9 prompt: must be an object with "template" or an object with "messages", got "hello"',
    ]);
  });
});
