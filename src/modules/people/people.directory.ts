import type { Clock } from '../../lib/clock.js';
import { removeControlCharacters } from '../../lib/control-characters.js';
import { withTimeout } from '../../lib/timeout.js';
import type { PersonAnswer, PersonSource } from './people.port.js';
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
  /** The person, from the cache or the source (Slack); undefined when it does not know them. */
  lookup(userId: string, options?: { timeoutMs?: number }): Promise<Person | undefined>;
}

export function createPeopleDirectory({
  source,
  people,
  clock,
}: {
  source: PersonSource;
  people: PeopleRepository;
  clock: Clock;
}): PeopleDirectory {
  return {
    async lookup(userId, options = {}) {
      const cached = await people.find(userId);
      if (cached && clock.now().getTime() - cached.fetchedAt.getTime() < PERSON_CACHE_MS) return cached;

      const asked = source.lookup(userId);
      const answer = options.timeoutMs
        ? await withTimeout(asked, options.timeoutMs).catch(
            (cause: unknown): PersonAnswer => ({
              kind: 'unavailable',
              cause,
            }),
          )
        : await asked;
      if (answer.kind === 'not_found') return undefined;
      if (answer.kind === 'unavailable') {
        // The source is slow or down: a stale answer is better than none.
        if (cached) return cached;
        throw new PersonLookupError(userId, answer.cause);
      }
      const { profile } = answer;
      // Names are whatever people typed into their profile, so they are cleaned as typed input is.
      const person: Omit<Person, 'dmChannelId'> = {
        userId,
        name: (profile.name && removeControlCharacters(profile.name).trim()) || userId,
        isBot: profile.isBot,
        deleted: profile.deleted,
        tz: profile.tz ? removeControlCharacters(profile.tz) : null,
        fetchedAt: clock.now(),
      };
      await people.save(person);
      return { ...person, dmChannelId: cached?.dmChannelId ?? null };
    },
  };
}
