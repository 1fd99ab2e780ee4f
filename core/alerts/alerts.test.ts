import { describe, expect, it } from 'vitest';
import type { JudgedVerdict, VerdictCase } from '../run/run-verdict.ts';
import type { RunSummary } from '../run/summary.ts';
import type { AlertContext } from './context.ts';
import { formatPercent, formatPoints, formatPValue } from './describe.ts';
import { discordAlert } from './discord.ts';
import { alertBody, pingBody } from './index.ts';
import { jsonAlert } from './json.ts';
import { slackAlert } from './slack.ts';

const stats = { total: 20, passed: 8, failed: 12, errored: 0, passRate: 0.4, meanScore: 0.4 };
const summary: RunSummary = {
  ...stats,
  latencyMs: { p50: 12, p95: 40 },
  tokens: { prompt: 100, completion: 20 },
  cacheHits: 0,
  perModel: {},
};

const failing = (n: number): VerdictCase[] =>
  Array.from({ length: n }, (_, i) => ({ caseName: `case ${i}`, model: 'ollama:llama3.2:3b' }));

const regression: JudgedVerdict = {
  verdict: 'regression',
  baselineRunId: 'triage-base',
  pValue: 0.00123,
  test: 'fisher',
  alpha: 0.05,
  reason: '19/20 → 8/20 passed, mean score 0.950 → 0.400: p = 0.0012 (fisher) < alpha 0.05.',
  passRate: { baseline: 0.95, candidate: 0.4 },
  passRateDelta: -0.55,
  newlyFailing: failing(3),
  newlyPassing: [],
  scoreChanged: [],
  judgedAt: 1_700_000_000_000,
};

function context(overrides: Partial<AlertContext> = {}): AlertContext {
  return {
    event: 'run.regression',
    runId: 'triage-run-2',
    card: { id: 'support-triage', name: 'support-triage' },
    status: 'completed',
    summary,
    verdict: regression,
    runUrl: 'https://pcs.example.com/ui/runs/triage-run-2',
    ...overrides,
  };
}

describe('generic JSON alert', () => {
  it("is the run's end plus its verdict and a link to the run page", () => {
    expect(jsonAlert(context())).toEqual({
      event: 'run.regression',
      runId: 'triage-run-2',
      card: 'support-triage',
      status: 'completed',
      summary,
      verdict: regression,
      links: { dashboard: 'https://pcs.example.com/ui/runs/triage-run-2' },
    });
    expect(jsonAlert(context({ event: 'run.completed', verdict: null })).verdict).toBeNull();
  });
});

describe('Slack alert', () => {
  it('puts card, run link, pass-rate change, p-value and newly failing cases in one mrkdwn section', () => {
    const message = slackAlert(context());
    expect(message.text).toBe('Regression in support-triage: pass rate 95% → 40% (−55 pts)');
    expect(message.blocks).toHaveLength(1);
    expect(message.blocks[0]?.text.type).toBe('mrkdwn');
    expect(message.blocks[0]?.text.text.split('\n')).toEqual([
      ':rotating_light: *Regression in support-triage: pass rate 95% → 40% (−55 pts)*',
      '<https://pcs.example.com/ui/runs/triage-run-2|Open run triage-run-2>',
      '*Pass rate:* 95% → 40% (−55 pts)',
      '*p-value:* 0.0012 (fisher, alpha 0.05)',
      '*Verdict:* regression',
      '*Baseline:* triage-base',
      '*Run:* triage-run-2',
      '*Newly failing:*',
      '• case 0 on ollama:llama3.2:3b',
      '• case 1 on ollama:llama3.2:3b',
      '• case 2 on ollama:llama3.2:3b',
      '_19/20 → 8/20 passed, mean score 0.950 → 0.400: p = 0.0012 (fisher) &lt; alpha 0.05._',
    ]);
  });

  it("escapes Slack's control characters in names and lists at most ten cases", () => {
    const verdict = {
      ...regression,
      newlyFailing: [{ caseName: '<b> & co', model: 'echo' }, ...failing(11)],
    };
    const text = slackAlert(context({ card: { id: 'x', name: 'Q&A <beta>' }, verdict })).blocks[0]?.text.text;
    expect(text).toContain('Regression in Q&amp;A &lt;beta&gt;');
    expect(text).toContain('• &lt;b&gt; &amp; co on echo');
    expect(text).toContain('• case 8 on');
    expect(text).not.toContain('• case 9 on');
    expect(text).toContain('…and 2 more');
  });

  it('reports an unjudged run by its pass count', () => {
    const message = slackAlert(context({ event: 'run.completed', verdict: null }));
    expect(message.text).toBe('Run completed: support-triage, 8/20 passed (40%)');
    expect(message.blocks[0]?.text.text).toContain(':white_check_mark:');
    expect(message.blocks[0]?.text.text).toContain('*Passed:* 8/20 passed (40%)');
    expect(message.blocks[0]?.text.text).not.toContain('Newly failing');
  });
});

describe('Discord alert', () => {
  it('has the headline as content and an embed with title, reason, colour, fields and the run link', () => {
    const message = discordAlert(context());
    expect(message.content).toBe('Regression in support-triage: pass rate 95% → 40% (−55 pts)');
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.embeds).toEqual([
      {
        title: 'support-triage: run.regression',
        description: regression.reason,
        color: 0xd93f3f,
        url: 'https://pcs.example.com/ui/runs/triage-run-2',
        fields: [
          { name: 'Pass rate', value: '95% → 40% (−55 pts)', inline: true },
          { name: 'p-value', value: '0.0012 (fisher, alpha 0.05)', inline: true },
          { name: 'Verdict', value: 'regression', inline: true },
          { name: 'Baseline', value: 'triage-base', inline: false },
          { name: 'Run', value: 'triage-run-2', inline: false },
          {
            name: 'Newly failing',
            value: ['case 0', 'case 1', 'case 2'].map((c) => `• ${c} on ollama:llama3.2:3b`).join('\n'),
            inline: false,
          },
        ],
      },
    ]);
  });

  it("escapes markdown in names and keeps within Discord's length limits", () => {
    const long = 'x'.repeat(3000);
    const verdict = { ...regression, newlyFailing: [{ caseName: `*bold*_${long}`, model: 'echo' }] };
    const message = discordAlert(context({ card: { id: 'c', name: `my_card ${long}` }, verdict }));
    expect(message.content.length).toBeLessThanOrEqual(2000);
    expect(message.content).toContain('my\\_card');
    expect(message.embeds[0]?.title.length).toBeLessThanOrEqual(256);
    const failingField = message.embeds[0]?.fields.find((f) => f.name === 'Newly failing');
    expect(failingField?.value.startsWith('• \\*bold\\*\\_x')).toBe(true);
    expect(failingField?.value.length).toBe(1024);
    expect(failingField?.value.endsWith('…')).toBe(true);
  });

  it('colours a completed run green and a cancelled one grey', () => {
    expect(discordAlert(context({ event: 'run.completed', verdict: null })).embeds[0]?.color).toBe(0x2da44e);
    expect(discordAlert(context({ event: 'run.cancelled', verdict: null })).embeds[0]?.color).toBe(0x8c959f);
  });
});

describe('alertBody and pingBody', () => {
  it('pick the body by format', () => {
    expect(alertBody('json', context())).toEqual(jsonAlert(context()));
    expect(alertBody('slack', context())).toEqual(slackAlert(context()));
    expect(alertBody('discord', context())).toEqual(discordAlert(context()));
    const ping = { webhookId: 3, sentAt: '2026-01-01T00:00:00.000Z' };
    expect(pingBody('json', ping)).toEqual({ event: 'ping', ...ping });
    expect(pingBody('slack', ping)).toEqual({ text: 'Prompt Card System: test message for webhook 3' });
    expect(pingBody('discord', ping)).toEqual({
      content: 'Prompt Card System: test message for webhook 3',
      allowed_mentions: { parse: [] },
    });
  });
});

describe('number formats', () => {
  it('shows rates, point changes and p-values compactly', () => {
    expect([formatPercent(1), formatPercent(0.9375), formatPercent(0)]).toEqual(['100%', '93.8%', '0%']);
    expect([formatPoints(-0.55), formatPoints(0.05), formatPoints(0)]).toEqual([
      '−55 pts',
      '+5 pts',
      '±0 pts',
    ]);
    expect([formatPValue(0.5), formatPValue(0.00001234)]).toEqual(['0.5000', '1.2e-5']);
  });
});
