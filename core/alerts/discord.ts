import type { AlertContext } from './context.ts';
import { type AlertTone, caseLines, clipText, describeAlert } from './describe.ts';

/** Discord's limits: content 2,000, title 256, description 4,096, field value 1,024 characters. */
const LIMITS = { content: 2000, title: 256, description: 4096, fieldValue: 1024 };
const MAX_CASES = 10;

const COLORS: Record<AlertTone, number> = { bad: 0xd93f3f, good: 0x2da44e, neutral: 0x8c959f };

export type DiscordField = { name: string; value: string; inline: boolean };

/** No @everyone, @here, role or user pings, whatever a card or case name contains. */
export const NO_MENTIONS = { parse: [] as string[] };

export type DiscordMessage = {
  content: string;
  allowed_mentions: typeof NO_MENTIONS;
  embeds: {
    title: string;
    description: string;
    color: number;
    fields: DiscordField[];
    url: string;
  }[];
};

/** A Discord webhook message: the headline as content and one embed linking to the run. */
export function discordAlert(context: AlertContext): DiscordMessage {
  const facts = describeAlert(context);
  const fields: DiscordField[] = facts.fields.map((field) => ({
    name: field.label,
    value: clipText(escapeMarkdown(field.value), LIMITS.fieldValue),
    inline: field.label !== 'Run' && field.label !== 'Baseline',
  }));
  const failing = caseLines(facts.newlyFailing, MAX_CASES);
  if (failing.lines.length > 0) {
    const more = failing.more > 0 ? [`…and ${failing.more} more`] : [];
    const value = [...failing.lines.map((line) => `• ${escapeMarkdown(line)}`), ...more].join('\n');
    fields.push({ name: 'Newly failing', value: clipText(value, LIMITS.fieldValue), inline: false });
  }
  return {
    content: clipText(escapeMarkdown(facts.headline), LIMITS.content),
    allowed_mentions: NO_MENTIONS,
    embeds: [
      {
        title: clipText(`${context.card.name}: ${context.event}`, LIMITS.title),
        description: clipText(escapeMarkdown(facts.reason ?? facts.headline), LIMITS.description),
        color: COLORS[facts.tone],
        fields,
        url: context.runUrl,
      },
    ],
  };
}

/** Backslash-escapes Discord's markdown characters so case and card names show as written. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_~`|>[\]]/g, '\\$&');
}
