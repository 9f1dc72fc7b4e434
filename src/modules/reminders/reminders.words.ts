import { formatDay } from '../../lib/clock.js';

/**
 * Every way the reminders' buttons and commands say no, as codes, and the one place their sentences
 * live. Use cases return codes (tests assert on them); the Slack layer turns them into these words.
 */
export const REMINDER_WORDS = {
  reminder_gone: 'That reminder no longer exists.',
  not_yours: 'That reminder was meant for someone else.',
  not_snoozable: 'Only interview reminders can be snoozed.',
  round_not_open: 'That round is no longer open.',
  no_one_to_ask: 'There is no one to ask again.',
  not_your_round: 'Only the staff member who started a round can cancel it.',
  // Said by the Slack layer itself, before any use case runs.
  button_out_of_date: 'That button is out of date.',
  mute_days_out_of_range: 'Mute for 1 to 365 days, e.g. `/rate-service mute 14`.',
} as const;

export type ReminderCode = keyof typeof REMINDER_WORDS;

export const reminderWords = (code: ReminderCode): string => REMINDER_WORDS[code];

/** What a button or command did, with what its words need to say it. */
export type ReminderDone =
  | { code: 'snoozed'; until: Date; timeZone: string | null }
  | { code: 'asking_again'; customerUserId: string }
  | { code: 'round_cancelled'; roundId: number }
  | { code: 'muted'; until: Date; timeZone: string | null }
  | { code: 'unmuted' };

/** The words for what was done: the clicked message shows them in place of its buttons. */
export function reminderDoneWords(done: ReminderDone): string {
  switch (done.code) {
    case 'snoozed':
      return `Snoozed: we'll remind you again on ${formatDay(done.until, done.timeZone)}.`;
    case 'asking_again':
      return `We'll ask <@${done.customerUserId}> again, within their working hours.`;
    case 'round_cancelled':
      return `Round ${done.roundId} cancelled. No more reminders will come for it.`;
    case 'muted':
      return `Reminders muted until ${formatDay(done.until, done.timeZone)}. Type \`/rate-service unmute\` to hear them again.`;
    case 'unmuted':
      return 'Reminders are on again.';
  }
}
