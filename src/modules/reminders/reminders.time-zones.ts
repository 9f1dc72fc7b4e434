import type { PeopleDirectory } from '../people/people.directory.js';
import type { PeopleRepository } from '../people/people.repository.js';
import type { PlaceHeld } from './reminders.repository.js';
import { spacedFrom, type WorkingHoursPolicy } from './working-hours.js';

/** Where a reminder's recipient is: Slack's answer, or the one last recorded when Slack does not answer. */
export async function timeZoneOf(
  deps: { directory: PeopleDirectory; people: PeopleRepository },
  userId: string,
): Promise<string | null> {
  try {
    return (await deps.directory.lookup(userId))?.tz ?? null;
  } catch {
    // The time zone is only used to aim the first due time; delivery checks working hours again.
    return (await deps.people.find(userId))?.tz ?? null;
  }
}

/**
 * Held reminders keep the spacing they were planned with: released together, a round's two nudges
 * would arrive in the same minute.
 */
export function placeHeldFor(timeZone: string | null | undefined, policy: WorkingHoursPolicy): PlaceHeld {
  return (from, planned) => spacedFrom(from, planned, timeZone, policy);
}
