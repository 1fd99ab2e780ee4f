import { describe, expect, it } from 'vitest';
import type { Card } from './schema.ts';
import { checkTemplateSyntax, renderPrompt, TemplateError } from './template.ts';

function card(prompt: Card['prompt'], cases: Card['cases'], defaults?: Card['defaults']): Card {
  return { name: 't', prompt, models: ['echo'], cases, ...(defaults ? { defaults } : {}) };
}

describe('renderPrompt', () => {
  it('renders system and user messages, case vars over default vars', () => {
    const c = card(
      { system: 'You answer in {{ lang }}.', template: 'Ticket: {{ ticket }} ({{ lang }})' },
      [{ name: 'a', vars: { ticket: 'refund please', lang: 'French' } }],
      { vars: { lang: 'English', unused: 1 } },
    );
    const rendered = renderPrompt(c, 0);
    expect(rendered.messages).toEqual([
      { role: 'system', content: 'You answer in French.' },
      { role: 'user', content: 'Ticket: refund please (French)' },
    ]);
    expect(rendered.text).toBe('[system]\nYou answer in French.\n\n[user]\nTicket: refund please (French)');
  });

  it('returns a lone user message as the text itself', () => {
    const c = card({ template: 'Hello {{ who }}!\n' }, [{ name: 'a', vars: { who: 'Ada' } }]);
    expect(renderPrompt(c, 0)).toEqual({
      messages: [{ role: 'user', content: 'Hello Ada!\n' }],
      text: 'Hello Ada!\n',
    });
  });

  it('renders every message of the messages form, without escaping', () => {
    const c = card(
      {
        messages: [
          { role: 'system', content: 'Reply in JSON.' },
          { role: 'user', content: 'Parse: {{ input }}' },
          { role: 'assistant', content: '{"ok": true}' },
          { role: 'user', content: 'Now {{ items | join(", ") }} as {{ meta | dump }}' },
        ],
      },
      [{ name: 'a', vars: { input: '<b>"bold" & co</b>', items: ['x', 'y'], meta: { n: 1 } } }],
    );
    const { messages, text } = renderPrompt(c, 0);
    expect(messages.map((m) => m.content)).toEqual([
      'Reply in JSON.',
      'Parse: <b>"bold" & co</b>',
      '{"ok": true}',
      'Now x, y as {"n":1}',
    ]);
    expect(text.split('\n\n').map((s) => s.split('\n')[0])).toEqual([
      '[system]',
      '[user]',
      '[assistant]',
      '[user]',
    ]);
  });

  it('names the case and the variable when a variable is missing', () => {
    const c = card({ template: 'Ticket: {{ ticket }}\nFrom: {{ customer.name }}' }, [
      { name: 'double charge', vars: { ticket: 'x', customer: {} } },
      { name: 'crash report', vars: { customer: { name: 'Ada' } } },
    ]);
    expect(() => renderPrompt(c, 1)).toThrow(
      'case "crash report": template variable "ticket" is not defined',
    );
    const error = catchError(() => renderPrompt(c, 0));
    expect(error).toBeInstanceOf(TemplateError);
    expect(error).toMatchObject({
      caseName: 'double charge',
      variable: 'customer.name',
      field: 'prompt.template',
    });
  });

  it('cannot read files: include fails with a template error', () => {
    const c = card({ template: '{% include "/etc/hostname" %}' }, [{ name: 'a' }]);
    const error = catchError(() => renderPrompt(c, 0));
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).message).toMatch(/^case "a": prompt\.template: template not found/);
  });

  it('rejects an index outside the cases', () => {
    expect(() => renderPrompt(card({ template: 'x' }, [{ name: 'a' }]), 1)).toThrow(RangeError);
  });
});

describe('checkTemplateSyntax', () => {
  it('accepts valid templates and locates errors inside the template', () => {
    expect(checkTemplateSyntax('{% for x in xs %}{{ x }}{% endfor %}')).toBeUndefined();
    expect(checkTemplateSyntax('a\nb {{ x }')).toEqual({
      line: 2,
      column: 8,
      message: 'expected variable end',
    });
    expect(checkTemplateSyntax('{% if x %}')?.message).toMatch(/expected elif, else, or endif/);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
