import type { WebClient } from '@slack/web-api';
import type { Clock } from '../../lib/clock.js';
import { removeControlCharacters } from '../../lib/control-characters.js';
import { withTimeout } from '../../lib/timeout.js';
import type { PeopleRepository, Person } from './people.repository.js';

/** How long a cached `users.info` answer is trusted. Time zones and bot flags rarely change. */
export const PERSON_CACHE_MS = 12 * 60 * 60 * 1000;

export class PersonLookupError extends Error {
  readonly code = 'service_radar_person_lookup_failed';
  constructor(
    readonly userId: string,
    cause: unknown,
  ) {
    super(`Could not look up Slack user ${userId}`, { cause });
    this.name = 'PersonLookupError';
  }
}

export interface PeopleDirectory {
  /** The person, from the cache or Slack; undefined when Slack does not know them. */
  lookup(userId: string, options?: { timeoutMs?: number }): Promise<Person | undefined>;
}

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

export function createPeopleDirectory({
  client,
  people,
  clock,
}: {
  client: WebClient;
  people: PeopleRepository;
  clock: Clock;
}): PeopleDirectory {
  return {
    async lookup(userId, options = {}) {
      const cached = await people.find(userId);
      if (cached && clock.now().getTime() - cached.fetchedAt.getTime() < PERSON_CACHE_MS) return cached;

      let user: SlackUserInfo | undefined;
      try {
        const call = client.users.info({ user: userId });
        const response = options.timeoutMs ? await withTimeout(call, options.timeoutMs) : await call;
        user = response.user as SlackUserInfo | undefined;
      } catch (error) {
        if (slackErrorCode(error) === 'user_not_found') return undefined;
        // Slack is slow or down: a stale answer is better than none.
        if (cached) return cached;
        throw new PersonLookupError(userId, error);
      }
      if (!user) return undefined;
      // Names are whatever people typed into their Slack profile, so they are cleaned as typed input is.
      const name = user.real_name || user.profile?.real_name || user.profile?.display_name || user.name;
      const person: Omit<Person, 'dmChannelId'> = {
        userId,
        name: (name && removeControlCharacters(name).trim()) || userId,
        isBot: Boolean(user.is_bot) || userId === SLACKBOT_ID,
        deleted: Boolean(user.deleted),
        tz: user.tz ? removeControlCharacters(user.tz) : null,
        fetchedAt: clock.now(),
      };
      await people.save(person);
      return { ...person, dmChannelId: cached?.dmChannelId ?? null };
    },
  };
}

export function slackErrorCode(error: unknown): string | undefined {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
