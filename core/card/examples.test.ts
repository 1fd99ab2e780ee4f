import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradeOutput } from '../assertions/index.ts';
import { resolveCase } from './cases.ts';
import { parseCard } from './parse.ts';
import { renderPrompt } from './template.ts';

const examplesDir = new URL('../../examples/', import.meta.url);
const files = readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f));

function readExample(file: string) {
  return parseCard(readFileSync(new URL(file, examplesDir), 'utf8'), `examples/${file}`);
}

describe('examples/', () => {
  it('holds the quick-start cards', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'echo-demo.yaml',
        'json-extraction.yaml',
        'support-triage.yaml',
        'summarize.yaml',
      ]),
    );
  });

  it.each(files)('%s parses and renders every case', (file) => {
    const card = readExample(file);
    for (const [i] of card.cases.entries()) expect(renderPrompt(card, i).text).not.toBe('');
  });

  it('echo-demo needs only the echo provider, and every case passes on the echoed prompt', async () => {
    const card = readExample('echo-demo.yaml');
    expect(card.models).toEqual(['echo']);
    for (const [i] of card.cases.entries()) {
      const { text } = renderPrompt(card, i);
      const { vars, assert, threshold } = resolveCase(card, i);
      const input = { output: text, prompt: text, vars, latencyMs: 0, tokens: { prompt: 0, completion: 0 } };
      const result = await gradeOutput(input, assert, threshold === undefined ? {} : { threshold });
      expect(result.pass, `${card.cases[i]?.name}: ${result.reason}`).toBe(true);
    }
  });
});
