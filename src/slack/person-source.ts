import type { WebClient } from '@slack/web-api';
import type { PersonAnswer, PersonSource } from '../modules/people/people.port.js';
import { slackErrorCode } from './slack-errors.js';

interface SlackUserInfo {
  id?: string;
  name?: string;
  real_name?: string;
  is_bot?: boolean;
  deleted?: boolean;
  tz?: string;
  profile?: { display_name?: string; real_name?: string };
}

/** Slackbot is a bot in every way that matters here, though `users.info` says otherwise. */
const SLACKBOT_ID = 'USLACKBOT';

/** The people directory's source: Slack's users.info (`users:read`). */
export function createSlackPersonSource(client: WebClient): PersonSource {
  return {
    async lookup(userId): Promise<PersonAnswer> {
      let user: SlackUserInfo | undefined;
      try {
        const response = await client.users.info({ user: userId });
        user = response.user as SlackUserInfo | undefined;
      } catch (error) {
        if (slackErrorCode(error) === 'user_not_found') return { kind: 'not_found' };
        return { kind: 'unavailable', cause: error };
      }
      if (!user) return { kind: 'not_found' };
      return {
        kind: 'found',
        profile: {
          name: user.real_name || user.profile?.real_name || user.profile?.display_name || user.name,
          isBot: Boolean(user.is_bot) || userId === SLACKBOT_ID,
          deleted: Boolean(user.deleted),
          tz: user.tz || null,
        },
      };
    },
  };
}
