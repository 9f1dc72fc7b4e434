import type { WebClient } from '@slack/web-api';
import { withTimeout } from '../lib/timeout.js';
import type { Messenger } from '../modules/messaging/messaging.port.js';
import type { ChannelCheck, PlanConversations } from '../modules/plans/plans.port.js';
import { isHiddenChannel } from './slack-errors.js';

/**
 * Where action plans live, asked of Slack: the app's group DM with the manager and the staff member
 * (conversations.open), and whether a channel a manager chose is a private channel the app is in
 * (conversations.info: `groups:read` for private channels, `channels:read` for a public one sent in
 * its place).
 */
export function createPlanConversations({
  client,
  messenger,
}: {
  client: WebClient;
  messenger: Messenger;
}): PlanConversations {
  return {
    async open(userIds) {
      const opened = await messenger.openConversation(userIds);
      return opened.ok ? opened : { ok: false, error: opened.error };
    },

    async check(channelId, { timeoutMs }): Promise<ChannelCheck> {
      try {
        const { channel } = await withTimeout(client.conversations.info({ channel: channelId }), timeoutMs);
        if (!channel) return 'unknown';
        if (channel.is_im || channel.is_mpim) return 'direct_message';
        // Anything Slack does not call private is treated as public: refused.
        if (channel.is_private !== true) return 'public';
        if (channel.is_archived) return 'archived';
        return channel.is_member ? 'private' : 'not_member';
      } catch (error) {
        return isHiddenChannel(error) ? 'not_member' : 'unknown';
      }
    },
  };
}
