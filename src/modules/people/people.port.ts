/**
 * Where the people directory learns who someone is. Declared here, by the module that needs it;
 * src/slack/person-source.ts answers it from Slack's users.info.
 */

/** What the directory keeps of a person, as the source gives it (names still as people typed them). */
export interface PersonProfile {
  /** The name people see, as typed into a profile; undefined when the profile has none. */
  name: string | undefined;
  isBot: boolean;
  deleted: boolean;
  /** An IANA zone name, as the source gives it; null when it has none. */
  tz: string | null;
}

/**
 * - `found`: the source knows this person.
 * - `not_found`: the source says there is no such person; asking again will not help.
 * - `unavailable`: the source could not answer (slow, down, refused); `cause` says why, for logs.
 */
export type PersonAnswer =
  | { kind: 'found'; profile: PersonProfile }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; cause: unknown };

export interface PersonSource {
  /** Never throws: every failure is an `unavailable` answer. */
  lookup(userId: string): Promise<PersonAnswer>;
}
