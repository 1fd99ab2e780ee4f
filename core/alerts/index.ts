import type { AlertContext, AlertFormat } from './context.ts';
import { discordAlert, NO_MENTIONS } from './discord.ts';
import { jsonAlert } from './json.ts';
import { slackAlert } from './slack.ts';

export type { AlertContext, AlertFormat } from './context.ts';

/** The body a webhook of `format` receives about a run. */
export function alertBody(format: AlertFormat, context: AlertContext): unknown {
  if (format === 'slack') return slackAlert(context);
  if (format === 'discord') return discordAlert(context);
  return jsonAlert(context);
}

/** The body of a test ping (`POST /webhooks/:id/test`): chat services refuse bodies without text. */
export function pingBody(format: AlertFormat, ping: { webhookId: number; sentAt: string }): unknown {
  const text = `Prompt Card System: test message for webhook ${ping.webhookId}`;
  if (format === 'slack') return { text };
  if (format === 'discord') return { content: text, allowed_mentions: NO_MENTIONS };
  return { event: 'ping', ...ping };
}
