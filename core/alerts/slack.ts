import type { AlertContext } from './context.ts';
import { caseLines, clipText, describeAlert } from './describe.ts';

/** Newly failing cases listed before "…and N more": a section's text must stay under 3,000 characters. */
const MAX_CASES = 10;
const MAX_SECTION_CHARS = 3000;

const ICONS = { bad: ':rotating_light:', good: ':white_check_mark:', neutral: ':information_source:' };

export type SlackMessage = {
  /** Shown in notifications and by clients that cannot render blocks. */
  text: string;
  blocks: { type: 'section'; text: { type: 'mrkdwn'; text: string } }[];
};

/** A Slack incoming-webhook message: one mrkdwn section with the card, run link and what changed. */
export function slackAlert(context: AlertContext): SlackMessage {
  const facts = describeAlert(context);
  const lines = [
    `${ICONS[facts.tone]} *${escapeMrkdwn(facts.headline)}*`,
    `<${context.runUrl}|Open run ${escapeMrkdwn(context.runId)}>`,
    ...facts.fields.map((field) => `*${field.label}:* ${escapeMrkdwn(field.value)}`),
  ];
  const failing = caseLines(facts.newlyFailing, MAX_CASES);
  if (failing.lines.length > 0) {
    lines.push('*Newly failing:*', ...failing.lines.map((line) => `• ${escapeMrkdwn(line)}`));
    if (failing.more > 0) lines.push(`…and ${failing.more} more`);
  }
  if (facts.reason) lines.push(`_${escapeMrkdwn(facts.reason)}_`);
  return {
    text: escapeMrkdwn(facts.headline),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: clipText(lines.join('\n'), MAX_SECTION_CHARS) } },
    ],
  };
}

/** Slack's three control characters; everything else is shown as written. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
