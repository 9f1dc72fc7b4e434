import type { Round } from '../../db/schema.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import type { PeopleRepository } from '../people/people.repository.js';
import type { RoundsRepository } from '../rounds/rounds.repository.js';
import type { RemindersRepository } from './reminders.repository.js';
import type { ReminderSettings } from './reminders.settings.js';
import { placeHeldFor, timeZoneOf } from './reminders.time-zones.js';
import type { ReminderCode, ReminderDone } from './reminders.words.js';
import { workingTimeAfterDays } from './working-hours.js';

// What people do with the buttons on reminders (and `/rate-service mute`): each says what it did,
// or why not, in codes; src/modules/reminders/reminders.words.ts has their words.

const DAY_MS = 86_400_000;

export type ButtonResult = { ok: true; done: ReminderDone } | { ok: false; code: ReminderCode };

export interface ButtonDeps {
  reminders: RemindersRepository;
  rounds: RoundsRepository;
  people: PeopleRepository;
  directory: PeopleDirectory;
  settings: ReminderSettings;
}

/**
 * Whether a channel is this person's direct message with the app, as recorded when a reminder was
 * delivered there. A click names the message it came from; only a message in the clicker's own DM
 * is edited, so no claimed channel can turn the app's words elsewhere into someone else's text.
 */
export async function isOwnDirectMessage(
  deps: Pick<ButtonDeps, 'people'>,
  userId: string,
  channelId: string,
): Promise<boolean> {
  const person = await deps.people.find(userId);
  return Boolean(person?.dmChannelId) && person?.dmChannelId === channelId;
}

async function reminderFor(deps: ButtonDeps, reminderId: number, userId: string) {
  const reminder = await deps.reminders.find(reminderId);
  if (!reminder) return { ok: false as const, code: 'reminder_gone' as const };
  if (reminder.recipientUserId !== userId) return { ok: false as const, code: 'not_yours' as const };
  return { ok: true as const, reminder };
}

/** "Snooze": the interview reminder comes back after SNOOZE_DAYS, in working hours. Twice = once. */
export async function snoozeInterview(
  deps: ButtonDeps,
  { reminderId, userId, now }: { reminderId: number; userId: string; now: Date },
): Promise<ButtonResult> {
  const found = await reminderFor(deps, reminderId, userId);
  if (!found.ok) return found;
  const { reminder } = found;
  if (reminder.kind !== 'interview_due' || !reminder.roundId) return { ok: false, code: 'not_snoozable' };
  const round = await deps.rounds.findRound(reminder.roundId);
  if (round?.status !== 'awaiting_customer') return { ok: false, code: 'round_not_open' };
  const zone = await timeZoneOf(deps, userId);
  const until = workingTimeAfterDays(now, deps.settings.snoozeDays, zone, deps.settings.policy);
  const [created] = await deps.reminders.schedule([
    {
      kind: 'interview_due',
      roundId: round.id,
      recipientUserId: userId,
      dueAt: until,
      dedupeKey: `interview_due:${round.id}:snooze:${reminder.id}`,
    },
  ]);
  return { ok: true, done: { code: 'snoozed', until: created?.dueAt ?? until, timeZone: zone } };
}

/** "Ask again": the customer's request is sent once more, in the customer's working hours. */
export async function askCustomerAgain(
  deps: ButtonDeps,
  { reminderId, userId, now }: { reminderId: number; userId: string; now: Date },
): Promise<ButtonResult> {
  const found = await reminderFor(deps, reminderId, userId);
  if (!found.ok) return found;
  const round = found.reminder.roundId ? await deps.rounds.findRound(found.reminder.roundId) : undefined;
  return askAgain(deps, round, userId, now, `${found.reminder.id}`);
}

/** The request sent once more (keyed by `occasion`, so one press of a button is one message). */
async function askAgain(
  deps: ButtonDeps,
  round: Round | undefined,
  userId: string,
  now: Date,
  occasion: string,
): Promise<ButtonResult> {
  if (!round?.customerUserId || round.staffUserId !== userId) return { ok: false, code: 'no_one_to_ask' };
  if (round.status !== 'awaiting_customer') return { ok: false, code: 'round_not_open' };
  await deps.reminders.schedule([
    {
      kind: 'customer_request_again',
      roundId: round.id,
      recipientUserId: round.customerUserId,
      dueAt: now,
      dedupeKey: `customer_request_again:${round.id}:${occasion}`,
    },
  ]);
  return { ok: true, done: { code: 'asking_again', customerUserId: round.customerUserId } };
}

/**
 * "Ask again" on the Home tab, by round: the customer's request is sent once more, in their working
 * hours, at most once a day however often it is pressed.
 */
export async function askCustomerAgainForRound(
  deps: ButtonDeps,
  { roundId, userId, now }: { roundId: number; userId: string; now: Date },
): Promise<ButtonResult> {
  const round = await deps.rounds.findRound(roundId);
  return askAgain(deps, round, userId, now, `home:${now.toISOString().slice(0, 10)}`);
}

export async function cancelRound(
  deps: Pick<ButtonDeps, 'reminders'>,
  { roundId, userId, now }: { roundId: number; userId: string; now: Date },
): Promise<ButtonResult> {
  const result = await deps.reminders.cancelRound(roundId, userId, now);
  if (result === 'not_yours') return { ok: false, code: 'not_your_round' };
  if (result === 'not_open') return { ok: false, code: 'round_not_open' };
  return { ok: true, done: { code: 'round_cancelled', roundId } };
}

export async function muteReminders(
  deps: ButtonDeps,
  { userId, days, now }: { userId: string; days: number; now: Date },
): Promise<ButtonResult> {
  const until = new Date(now.getTime() + days * DAY_MS);
  const zone = await timeZoneOf(deps, userId);
  await deps.reminders.mute(userId, until, now, placeHeldFor(zone, deps.settings.policy));
  return { ok: true, done: { code: 'muted', until, timeZone: zone } };
}

/** Lifts a mute: what it held comes from the person's next working hours on, spaced as planned. */
export async function unmuteReminders(
  deps: ButtonDeps,
  { userId, now }: { userId: string; now: Date },
): Promise<ButtonResult> {
  const zone = await timeZoneOf(deps, userId);
  await deps.reminders.unmute(userId, now, placeHeldFor(zone, deps.settings.policy));
  return { ok: true, done: { code: 'unmuted' } };
}
