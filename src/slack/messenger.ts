import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { slackErrorCode } from '../modules/people/people.directory.js';
import type { SlackMessage } from '../modules/rounds/rounds.views.js';

export type PostResult = { ok: true; channel: string; ts: string } | { ok: false; error: string };

/**
 * Errors that mean "this message cannot be delivered here, ever, as things stand": retrying will not
 * help, someone has to act (invite the app, unarchive, the person left).
 */
export const UNDELIVERABLE_ERRORS = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'user_not_found',
  'cannot_dm_bot',
  'account_inactive',
  'user_disabled',
  'not_allowed_token_type',
  'restricted_action',
  'invalid_blocks',
  'msg_blocks_too_long',
  'messages_tab_disabled',
]);

/**
 * Every message the app posts goes through here: one place that turns Slack's errors into results,
 * logs them by code (never with tokens or message text), and never throws at a caller that has
 * already acknowledged the user.
 */
export function createMessenger({ client, logger }: { client: WebClient; logger: Logger }) {
  const fail = (action: string, target: string, error: unknown): { ok: false; error: string } => {
    const code = slackErrorCode(error) ?? (error instanceof Error ? error.name : 'unknown_error');
    logger.warn({ action, target, error: code }, 'slack call failed');
    return { ok: false, error: code };
  };

  return {
    /** Posts to a channel, or to a person's DM with the app when `channel` is a user id. */
    async post(
      channel: string,
      message: SlackMessage,
      options: { threadTs?: string } = {},
    ): Promise<PostResult> {
      try {
        const response = await client.chat.postMessage({
          channel,
          text: message.text,
          blocks: message.blocks,
          ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        if (!response.channel || !response.ts) return { ok: false, error: 'missing_ts' };
        return { ok: true, channel: response.channel, ts: response.ts };
      } catch (error) {
        return fail('chat.postMessage', channel, error);
      }
    },

    async update(channel: string, ts: string, message: SlackMessage): Promise<PostResult> {
      try {
        await client.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
        return { ok: true, channel, ts };
      } catch (error) {
        return fail('chat.update', channel, error);
      }
    },
  };
}

export type Messenger = ReturnType<typeof createMessenger>;
