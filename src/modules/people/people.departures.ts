import type { Clock } from '../../lib/clock.js';
import type { PeopleRepository } from './people.repository.js';

/** Why a person's pending reminders were cancelled, in `reminders.last_error`. */
export const DEACTIVATED_REASON = 'user_deactivated';

export interface DepartureDeps {
  people: PeopleRepository;
  clock: Clock;
}

export type DepartureOutcome =
  /** A deactivation, recorded: this many pending reminders to the person were cancelled. */
  | { outcome: 'cancelled'; cancelled: number }
  /** Slack's retry of a delivery already handled: nothing done again. */
  | { outcome: 'duplicate' }
  /** Any other change to a profile: nothing to do, nothing recorded. */
  | { outcome: 'ignored' };

/**
 * A `user_change` event. Only a deactivation matters: nothing more is sent to someone who has left,
 * so their pending reminders stop at once rather than each failing when it comes due. It is not an
 * erasure (that is `people forget`, on request). Slack sends `user_change` for every profile edit in
 * the workspace; those are neither recorded nor acted on.
 */
export async function handleUserChange(
  { people, clock }: DepartureDeps,
  event: { eventId: string; userId: string; deleted: boolean },
): Promise<DepartureOutcome> {
  if (!event.deleted) return { outcome: 'ignored' };
  const result = await people.recordDeparture({
    eventId: event.eventId,
    userId: event.userId,
    receivedAt: clock.now(),
    reason: DEACTIVATED_REASON,
  });
  return result.handled ? { outcome: 'cancelled', cancelled: result.cancelled } : { outcome: 'duplicate' };
}
