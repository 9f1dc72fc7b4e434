import type { Reminder, Round } from '../../db/schema.js';
import type { RoundsRepository } from '../rounds/rounds.repository.js';
import { buildCustomerRequestMessage, buildResponseResultMessage } from '../rounds/rounds.views.js';
import type { KindHandler } from './reminders.outbox.js';
import type { ReminderKind, RemindersRepository } from './reminders.repository.js';
import type { ReminderSettings } from './reminders.settings.js';
import {
  buildCadenceMessage,
  buildCustomerNudgeMessage,
  buildInterviewDueMessage,
  buildRoundExpiredMessage,
} from './reminders.views.js';

/** How many gentle nudges a customer gets, at most. */
export const CUSTOMER_NUDGES = 2;

/** The kinds a round brings: its reminders, and its own messages (the request, the result). */
export type RoundReminderKind = Exclude<
  ReminderKind,
  'plan_checkin' | 'plan_remeasure' | 'service_point_weekly'
>;

export interface RoundKindDeps {
  rounds: RoundsRepository;
  reminders: RemindersRepository;
  settings: ReminderSettings;
}

/** What each of a round's kinds says when it is due, registered with the outbox in src/dependencies.ts. */
export function roundReminderKinds(deps: RoundKindDeps): Record<RoundReminderKind, KindHandler> {
  const roundOf = async (reminder: Reminder): Promise<Round | undefined> =>
    reminder.roundId ? deps.rounds.findRound(reminder.roundId) : undefined;
  const openRound = async (reminder: Reminder): Promise<Round | { cancel: string }> => {
    const round = await roundOf(reminder);
    if (!round) return { cancel: 'round_missing' };
    if (round.status !== 'awaiting_customer') return { cancel: `round_${round.status}` };
    return round;
  };
  return {
    async interview_due(reminder) {
      const round = await openRound(reminder);
      if ('cancel' in round) return round;
      const { snoozeDays, muteDays } = deps.settings;
      return { message: buildInterviewDueMessage(round, reminder.id, { snoozeDays, muteDays }) };
    },
    async customer_nudge(reminder) {
      const round = await openRound(reminder);
      if ('cancel' in round) return round;
      const nudge = Number(reminder.dedupeKey.split(':')[2] ?? 1);
      return { message: buildCustomerNudgeMessage(round, nudge, CUSTOMER_NUDGES) };
    },
    async customer_request_again(reminder) {
      const round = await openRound(reminder);
      if ('cancel' in round) return round;
      return { message: buildCustomerRequestMessage(round) };
    },
    async customer_request(reminder) {
      const round = await openRound(reminder);
      if ('cancel' in round) return round;
      return {
        message: buildCustomerRequestMessage(round),
        anyTime: true,
        onSent: (channel, ts) => deps.rounds.setRequestMessage(round.id, channel, ts),
      };
    },
    async round_result(reminder) {
      const round = await roundOf(reminder);
      const response = round ? await deps.rounds.findResponse(round.id) : undefined;
      if (!round || !response) return { cancel: 'round_missing' };
      return { message: buildResponseResultMessage(round, response), anyTime: true };
    },
    async round_expired(reminder) {
      const round = await roundOf(reminder);
      if (!round) return { cancel: 'round_missing' };
      return { message: buildRoundExpiredMessage(round, deps.settings.expiryDays) };
    },
    async cadence(reminder, now) {
      const latest = await deps.reminders.latestRoundId(reminder.recipientUserId);
      if (latest !== reminder.roundId) return { cancel: 'new_round_started' };
      const round = await roundOf(reminder);
      if (!round) return { cancel: 'round_missing' };
      return { message: buildCadenceMessage(round.createdAt, now, deps.settings.muteDays) };
    },
  };
}
