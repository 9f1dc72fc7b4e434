import type { KnownBlock } from '@slack/types';

/** A message as the app sends it: the notification text Slack requires beside the blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });
