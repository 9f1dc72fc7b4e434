import type { WebClient } from '@slack/web-api';
import { withTimeout } from '../lib/timeout.js';
import type { ChannelStatus, CommitteeAccess } from '../modules/committees/committees.usecases.js';
import { isHiddenChannel, slackErrorCode } from './slack-errors.js';

/** Slack answers these in well under a second; past this the command says "try again". */
const CHECK_TIMEOUT_MS = 2_500;
/**
 * Slack gives a submission 3 seconds. Admin status and the channel are asked of Slack again before
 * the acknowledgement (both at once); past this the form asks to press Submit again.
 */
export const SUBMIT_CHECK_MS = 1_200;

/**
 * The committee commands' questions to Slack. Admin status comes from users.info every time, never
 * from a cache: losing admin rights must take effect at once. A settings form asks again on
 * submission, before its acknowledgement, so it passes a shorter cut-off.
 */
export function createCommitteeAccess(
  client: WebClient,
  { timeoutMs = CHECK_TIMEOUT_MS }: { timeoutMs?: number } = {},
): CommitteeAccess {
  return {
    async person(userId) {
      try {
        const { user } = await withTimeout(client.users.info({ user: userId }), timeoutMs);
        const active = Boolean(user) && !user?.deleted && !user?.is_bot;
        return {
          isWorkspaceAdmin: active && Boolean(user?.is_admin || user?.is_owner || user?.is_primary_owner),
          timeZone: user?.tz ?? null,
        };
      } catch (error) {
        if (slackErrorCode(error) === 'user_not_found') return { isWorkspaceAdmin: false, timeZone: null };
        return 'unknown';
      }
    },

    async channel(channelId): Promise<ChannelStatus> {
      try {
        const { channel } = await withTimeout(client.conversations.info({ channel: channelId }), timeoutMs);
        if (!channel) return 'unknown';
        if (channel.is_im || channel.is_mpim) return 'direct_message';
        if (channel.is_archived) return 'archived';
        return channel.is_member ? 'member' : 'not_member';
      } catch (error) {
        return isHiddenChannel(error) ? 'not_member' : 'unknown';
      }
    },
  };
}
