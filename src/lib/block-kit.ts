import type { Button, KnownBlock } from '@slack/types';

/** A message as the app sends it: the notification text Slack requires beside the blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

export const button = (
  actionId: string,
  text: string,
  value: string,
  style?: 'primary' | 'danger',
): Button => ({
  type: 'button',
  action_id: actionId,
  text: plain(text),
  value,
  ...(style ? { style } : {}),
});
