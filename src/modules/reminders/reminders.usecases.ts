import type { Config } from '../../config.js';
import type { NewReminder, Reminder, Round } from '../../db/schema.js';
import type { SlackMessage } from '../../lib/block-kit.js';
import { parseClock } from '../../lib/calendar.js';
import { formatDay } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { SendingPause } from '../installation/installation.usecases.js';
import type { Messenger } from '../messaging/messaging.port.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import type { PeopleRepository } from '../people/people.repository.js';
import type { RoundsRepository } from '../rounds/rounds.repository.js';
import { buildCustomerRequestMessage, buildResponseResultMessage } from '../rounds/rounds.views.js';
import type { PlaceHeld, ReminderKind, RemindersRepository } from './reminders.repository.js';
import {
  buildCadenceMessage,
  buildCustomerNudgeMessage,
  buildInterviewDueMessage,
  buildRoundExpiredMessage,
} from './reminders.views.js';
import {
  nextWorkingTime,
  spacedFrom,
  type WorkingHoursPolicy,
  workingStartOn,
  workingTimeAfterDays,
} from './working-hours.js';

/** Every reminder message carries this metadata, so a send can be confirmed after a crash. */
export const REMINDER_EVENT_TYPE = 'service_radar_reminder';
/** How many gentle nudges a customer gets, at most. */
export const CUSTOMER_NUDGES = 2;
const DAY_MS = 86_400_000;

export interface ReminderSettings {
  policy: WorkingHoursPolicy;
  nudgeDays: number;
  expiryDays: number;
  cadenceDays: number;
  snoozeDays: number;
  muteDays: number;
  batchSize: number;
  concurrency: number;
  leaseMs: number;
  maxAttempts: number;
  tickBudgetMs: number;
}

export function reminderSettingsFrom(config: Config): ReminderSettings {
  return {
    policy: {
      startMinutes: parseClock(config.WORKDAY_START) ?? 9 * 60,
      endMinutes: parseClock(config.WORKDAY_END) ?? 17 * 60,
      workdays: new Set(config.WORKDAYS),
      closures: new Set(config.CLOSURE_DATES),
    },
    nudgeDays: config.CUSTOMER_NUDGE_DAYS,
    expiryDays: config.ROUND_EXPIRY_DAYS,
    cadenceDays: config.CADENCE_DAYS,
    snoozeDays: config.SNOOZE_DAYS,
    muteDays: config.MUTE_DAYS,
    batchSize: config.REMINDER_BATCH_SIZE,
    concurrency: config.REMINDER_CONCURRENCY,
    leaseMs: config.REMINDER_LEASE_SECONDS * 1000,
    maxAttempts: config.REMINDER_MAX_ATTEMPTS,
    tickBudgetMs: config.TICK_BUDGET_MS,
  };
}

/** What a reminder kind contributes: its message, or a reason it no longer applies. */
export type Prepared =
  | {
      message: SlackMessage;
      /** Where to post; the recipient's DM when unset. */
      channel?: string;
      threadTs?: string;
      /** Told when Slack says the destination cannot take it (app removed, channel archived). */
      onUndeliverable?: (error: string) => Promise<void>;
      /** Told where the message went, once it is recorded as sent. */
      onSent?: (channel: string, ts: string) => Promise<void>;
      /**
       * Not a reminder but a message the person is waiting for (a customer's request, a staff
       * member's result): it goes at once, whatever the hour or a mute.
       */
      anyTime?: boolean;
    }
  | { cancel: string };
export type KindHandler = (reminder: Reminder, deps: ReminderDeps, now: Date) => Promise<Prepared>;

export interface ReminderDeps {
  reminders: RemindersRepository;
  rounds: RoundsRepository;
  people: PeopleRepository;
  directory: PeopleDirectory;
  messenger: Messenger;
  logger: Logger;
  instanceId: string;
  settings: ReminderSettings;
  /** Kinds owned by other modules (action plans). */
  extraKinds?: Partial<Record<ReminderKind, KindHandler>>;
  /** Whether Slack refuses the bot token (see src/modules/installation): then nothing is sent. */
  pause?: SendingPause | undefined;
  /** Waits in real time (rate limits); tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function timeZoneOf(deps: ReminderDeps, userId: string): Promise<string | null> {
  try {
    return (await deps.directory.lookup(userId))?.tz ?? null;
  } catch {
    // The time zone is only used to aim the first due time; delivery checks working hours again.
    return (await deps.people.find(userId))?.tz ?? null;
  }
}

// ---------------------------------------------------------------------------------------------
// Sweeps: derive due work from rounds. Each is idempotent (dedupe keys), so any copy may run it.

/** Gives each new round its reminders: the interview day for staff, up to two nudges for the customer. */
export async function scheduleNewRoundReminders(deps: ReminderDeps, limit = 200): Promise<number> {
  const { settings } = deps;
  const fresh = await deps.reminders.roundsWithoutReminders(limit);
  let scheduled = 0;
  for (const round of fresh) {
    const staffZone = await timeZoneOf(deps, round.staffUserId);
    const rows: NewReminder[] = [
      {
        kind: 'interview_due',
        roundId: round.id,
        recipientUserId: round.staffUserId,
        dueAt: workingStartOn(round.interviewOn, staffZone, settings.policy),
        dedupeKey: `interview_due:${round.id}`,
      },
    ];
    if (round.customerUserId) {
      const customerZone = await timeZoneOf(deps, round.customerUserId);
      for (let nudge = 1; nudge <= CUSTOMER_NUDGES; nudge++) {
        const days = nudge * settings.nudgeDays;
        if (days >= settings.expiryDays) break; // no nudge for a round that will have expired
        rows.push({
          kind: 'customer_nudge',
          roundId: round.id,
          recipientUserId: round.customerUserId,
          dueAt: workingTimeAfterDays(round.createdAt, days, customerZone, settings.policy),
          dedupeKey: `customer_nudge:${round.id}:${nudge}`,
        });
      }
    }
    scheduled += (await deps.reminders.schedule(rows)).length;
  }
  return scheduled;
}

export async function expireRounds(deps: ReminderDeps, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - deps.settings.expiryDays * DAY_MS);
  return deps.reminders.expireRounds(cutoff, now, 500);
}

export async function scheduleCadenceInvitations(deps: ReminderDeps, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - deps.settings.cadenceDays * DAY_MS);
  const due = await deps.reminders.staffDueForCadence(cutoff, 500);
  const inserted = await deps.reminders.schedule(
    due.map((row) => ({
      kind: 'cadence' as const,
      roundId: row.roundId,
      recipientUserId: row.staffUserId,
      dueAt: now,
      dedupeKey: `cadence:${row.staffUserId}:${row.roundId}`,
    })),
  );
  return inserted.length;
}

// ---------------------------------------------------------------------------------------------
// Messages per kind

async function openRound(deps: ReminderDeps, reminder: Reminder): Promise<Round | { cancel: string }> {
  const round = reminder.roundId ? await deps.rounds.findRound(reminder.roundId) : undefined;
  if (!round) return { cancel: 'round_missing' };
  if (round.status !== 'awaiting_customer') return { cancel: `round_${round.status}` };
  return round;
}

const kindHandlers: Partial<Record<ReminderKind, KindHandler>> = {
  async interview_due(reminder, deps) {
    const round = await openRound(deps, reminder);
    if ('cancel' in round) return round;
    const { snoozeDays, muteDays } = deps.settings;
    return { message: buildInterviewDueMessage(round, reminder.id, { snoozeDays, muteDays }) };
  },
  async customer_nudge(reminder, deps) {
    const round = await openRound(deps, reminder);
    if ('cancel' in round) return round;
    const nudge = Number(reminder.dedupeKey.split(':')[2] ?? 1);
    return { message: buildCustomerNudgeMessage(round, nudge, CUSTOMER_NUDGES) };
  },
  async customer_request_again(reminder, deps) {
    const round = await openRound(deps, reminder);
    if ('cancel' in round) return round;
    return { message: buildCustomerRequestMessage(round) };
  },
  async customer_request(reminder, deps) {
    const round = await openRound(deps, reminder);
    if ('cancel' in round) return round;
    return {
      message: buildCustomerRequestMessage(round),
      anyTime: true,
      onSent: (channel, ts) => deps.rounds.setRequestMessage(round.id, channel, ts),
    };
  },
  async round_result(reminder, deps) {
    const round = reminder.roundId ? await deps.rounds.findRound(reminder.roundId) : undefined;
    const response = round ? await deps.rounds.findResponse(round.id) : undefined;
    if (!round || !response) return { cancel: 'round_missing' };
    return { message: buildResponseResultMessage(round, response), anyTime: true };
  },
  async round_expired(reminder, deps) {
    const round = reminder.roundId ? await deps.rounds.findRound(reminder.roundId) : undefined;
    if (!round) return { cancel: 'round_missing' };
    return { message: buildRoundExpiredMessage(round, deps.settings.expiryDays) };
  },
  async cadence(reminder, deps, now) {
    const latest = await deps.reminders.latestRoundId(reminder.recipientUserId);
    if (latest !== reminder.roundId) return { cancel: 'new_round_started' };
    const round = reminder.roundId ? await deps.rounds.findRound(reminder.roundId) : undefined;
    if (!round) return { cancel: 'round_missing' };
    return { message: buildCadenceMessage(round.createdAt, now, deps.settings.muteDays) };
  },
};

// ---------------------------------------------------------------------------------------------
// Delivery

export type Outcome =
  | { kind: 'sent' }
  | { kind: 'deferred'; until: Date }
  | { kind: 'cancelled'; reason: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'uncertain' }
  | { kind: 'retry'; until: Date }
  /** Slack refuses the bot token: put back as it was, for when a working token is back. */
  | { kind: 'paused' };

export interface DeliveryReport {
  claimed: number;
  sent: number;
  deferred: number;
  cancelled: number;
  failed: number;
  retried: number;
  uncertain: number;
  rateLimited: number;
  reconciled: number;
  /** Put back untouched because Slack refuses the bot token. */
  paused: number;
}

const emptyReport = (): DeliveryReport => ({
  claimed: 0,
  sent: 0,
  deferred: 0,
  cancelled: 0,
  failed: 0,
  retried: 0,
  uncertain: 0,
  rateLimited: 0,
  reconciled: 0,
  paused: 0,
});

const metadataFor = (reminder: Reminder) => ({
  eventType: REMINDER_EVENT_TYPE,
  key: `reminder:${reminder.id}`,
});

/** Sends one claimed reminder, or says why not; records the outcome on the row. */
function prepare(deps: ReminderDeps, reminder: Reminder, now: Date): Promise<Prepared> {
  const handler = kindHandlers[reminder.kind] ?? deps.extraKinds?.[reminder.kind];
  return handler ? handler(reminder, deps, now) : Promise.resolve({ cancel: 'unknown_kind' });
}

export async function deliverClaimed(
  deps: ReminderDeps,
  reminder: Reminder,
  now: Date,
  prepared?: Prepared,
): Promise<Outcome> {
  const { reminders, settings } = deps;
  prepared ??= await prepare(deps, reminder, now);
  if ('cancel' in prepared) {
    await reminders.cancel(reminder.id, prepared.cancel);
    return { kind: 'cancelled', reason: prepared.cancel };
  }

  let person: Awaited<ReturnType<PeopleDirectory['lookup']>>;
  try {
    person = await deps.directory.lookup(reminder.recipientUserId);
  } catch {
    if (await deps.pause?.isPaused()) return putBack(deps, reminder, reminder.lastError);
    // Without a time zone we cannot promise working hours: try again shortly.
    const until = new Date(now.getTime() + 5 * 60_000);
    await reminders.release(reminder.id, until, 'time_zone_lookup_failed');
    return { kind: 'retry', until };
  }
  if (!person || person.deleted) {
    await reminders.fail(reminder.id, 'user_not_found');
    return { kind: 'failed', reason: 'user_not_found' };
  }
  if (person.isBot) {
    await reminders.fail(reminder.id, 'cannot_dm_bot');
    return { kind: 'failed', reason: 'cannot_dm_bot' };
  }

  if (!prepared.anyTime) {
    const mutedUntil = await reminders.mutedUntil(reminder.recipientUserId);
    if (mutedUntil && mutedUntil > now) {
      const until = await reminders.holdForMute(
        reminder.id,
        reminder.recipientUserId,
        now,
        placeHeldFor(person.tz, settings),
      );
      if (until) return { kind: 'deferred', until };
    }
    const when = nextWorkingTime(now, person.tz, settings.policy);
    if (when.getTime() > now.getTime()) {
      await reminders.release(reminder.id, when);
      return { kind: 'deferred', until: when };
    }
  }

  const result = await deps.messenger.post(prepared.channel ?? reminder.recipientUserId, prepared.message, {
    threadTs: prepared.threadTs,
    metadata: metadataFor(reminder),
  });
  if (result.ok) {
    await reminders.markSent(reminder.id, now, result.channel, result.ts);
    if (!prepared.channel && person.dmChannelId !== result.channel) {
      await deps.people.rememberDmChannel(person.userId, result.channel);
    }
    await prepared.onSent?.(result.channel, result.ts);
    return { kind: 'sent' };
  }
  switch (result.kind) {
    case 'rate_limited': {
      const retryAfterMs = result.retryAfterSeconds * 1000;
      await reminders.release(reminder.id, now, 'ratelimited');
      return { kind: 'rate_limited', retryAfterMs };
    }
    case 'token_refused':
      return putBack(deps, reminder, result.error);
    case 'undeliverable':
      await reminders.fail(reminder.id, result.error, true);
      await prepared.onUndeliverable?.(result.error);
      return { kind: 'failed', reason: result.error };
    case 'uncertain':
      // It may have arrived. Never resend blindly: the stale-claim check asks Slack first.
      await reminders.markUncertain(
        reminder.id,
        new Date(now.getTime() - settings.leaseMs - 1000),
        result.error,
      );
      return { kind: 'uncertain' };
    default: {
      if (reminder.attempts + 1 >= settings.maxAttempts) {
        await reminders.fail(reminder.id, result.error, true);
        return { kind: 'failed', reason: result.error };
      }
      const until = new Date(now.getTime() + 2 ** reminder.attempts * 60_000);
      await reminders.release(reminder.id, until, result.error, true);
      return { kind: 'retry', until };
    }
  }
}

/**
 * Slack refuses the bot token: nothing was sent and nothing is wrong with the reminder. It goes back
 * to the queue as it was (its due time, its attempts), to be sent once a working token is back.
 */
async function putBack(deps: ReminderDeps, reminder: Reminder, error: string | null): Promise<Outcome> {
  await deps.reminders.release(reminder.id, reminder.dueAt, error);
  return { kind: 'paused' };
}

/**
 * A claim older than the lease belongs to a copy that crashed, or to a send whose outcome Slack
 * left unknown. Ask Slack whether the message is there (by its metadata); mark it sent if so, send
 * it if not. This is what makes a crash between sending and recording cost no duplicate.
 */
async function reconcileStale(deps: ReminderDeps, now: Date, report: DeliveryReport): Promise<void> {
  const stale = await deps.reminders.claimStale(
    now,
    deps.settings.leaseMs,
    deps.settings.batchSize,
    deps.instanceId,
  );
  for (const reminder of stale) {
    report.reconciled++;
    const prepared = await prepare(deps, reminder, now);
    if ('cancel' in prepared) {
      // No longer wanted; if an earlier attempt did arrive, it arrived once.
      await deps.reminders.cancel(reminder.id, prepared.cancel);
      continue;
    }
    let channel = prepared.channel ?? (await deps.people.find(reminder.recipientUserId))?.dmChannelId ?? null;
    if (!channel) {
      const opened = await deps.messenger.openDm(reminder.recipientUserId);
      if (!opened.ok) {
        // While the token is refused Slack can tell nothing about these claims: they wait as they are.
        if (opened.kind === 'token_refused') return;
        if (opened.kind === 'undeliverable') await deps.reminders.fail(reminder.id, opened.error);
        continue; // otherwise the claim stays, and the next lease tries again
      }
      channel = opened.channel;
    }
    const found = await deps.messenger.findPosted(channel, metadataFor(reminder), reminder.createdAt, {
      threadTs: prepared.threadTs,
    });
    if (!found.ok) {
      if (found.kind === 'token_refused') return;
      continue;
    }
    if (found.ts) {
      await deps.reminders.markSent(reminder.id, now, channel, found.ts, false);
      await prepared.onSent?.(channel, found.ts);
      report.sent++;
      continue;
    }
    const outcome = await deliverClaimed(deps, reminder, now, prepared);
    tally(report, outcome);
    if (outcome.kind === 'paused') return;
  }
}

function tally(report: DeliveryReport, outcome: Outcome): void {
  if (outcome.kind === 'sent') report.sent++;
  else if (outcome.kind === 'deferred') report.deferred++;
  else if (outcome.kind === 'cancelled') report.cancelled++;
  else if (outcome.kind === 'failed') report.failed++;
  else if (outcome.kind === 'retry') report.retried++;
  else if (outcome.kind === 'uncertain') report.uncertain++;
  else if (outcome.kind === 'paused') report.paused++;
  else report.rateLimited++;
}

/**
 * Sends everything due at `now`, batch by batch, `concurrency` at a time, until nothing is due or
 * the tick's time budget is spent. On a 429 the batch's unsent reminders go back to the queue and
 * this copy waits out Retry-After before claiming more.
 */
export async function deliverDue(deps: ReminderDeps, now: Date): Promise<DeliveryReport> {
  const report = emptyReport();
  const sleep = deps.sleep ?? defaultSleep;
  const deadline = Date.now() + deps.settings.tickBudgetMs;
  const refused = async () => (await deps.pause?.isPaused()) === true;
  if (await refused()) return report;
  await reconcileStale(deps, now, report);
  while (Date.now() < deadline) {
    if (await refused()) break;
    const batch = await deps.reminders.claimDue(now, deps.settings.batchSize, deps.instanceId);
    if (batch.length === 0) break;
    report.claimed += batch.length;
    let pauseMs = 0;
    let paused = false;
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const reminder = batch[next++] as Reminder;
        if (paused) {
          await putBack(deps, reminder, reminder.lastError);
          report.paused++;
          continue;
        }
        if (pauseMs > 0) {
          await deps.reminders.release(reminder.id, now, 'ratelimited');
          continue;
        }
        try {
          const outcome = await deliverClaimed(deps, reminder, now);
          if (outcome.kind === 'rate_limited') pauseMs = Math.max(pauseMs, outcome.retryAfterMs);
          if (outcome.kind === 'paused') paused = true;
          tally(report, outcome);
        } catch (error) {
          // A database hiccup mid-send: the claim stays, and the stale-claim check resolves it.
          deps.logger.error({ err: error, reminder: reminder.id }, 'reminder delivery failed');
          report.uncertain++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(deps.settings.concurrency, batch.length) }, worker));
    if (paused) break;
    if (pauseMs > 0) {
      if (Date.now() + pauseMs >= deadline) break;
      await sleep(pauseMs);
    }
  }
  return report;
}

/**
 * Sends one outbox message now (the request to a customer, a result), right after the user's action,
 * instead of waiting for the next tick. If another copy or a tick has it already, it does nothing:
 * the queue's claim is what makes it once.
 */
export async function deliverNow(
  deps: ReminderDeps,
  dedupeKey: string,
  now: Date,
): Promise<Outcome | undefined> {
  // Left in the queue: the first tick after a working token is back sends it.
  if (await deps.pause?.isPaused()) return undefined;
  const claimed = await deps.reminders.claimByKey(dedupeKey, now, deps.instanceId);
  return claimed ? deliverClaimed(deps, claimed, now) : undefined;
}

export interface TickReport extends DeliveryReport {
  scheduled: number;
  expired: number;
  invited: number;
}

/** One tick of the reminders job: derive new due work from rounds, then send what is due. */
export async function runRemindersTick(deps: ReminderDeps, now: Date): Promise<TickReport> {
  const expired = await expireRounds(deps, now);
  const scheduled = await scheduleNewRoundReminders(deps);
  const invited = await scheduleCadenceInvitations(deps, now);
  const delivery = await deliverDue(deps, now);
  return { ...delivery, scheduled, expired, invited };
}

// ---------------------------------------------------------------------------------------------
// What people do with the buttons

export type ButtonResult = { ok: true; outcome: string } | { ok: false; refusal: string };

/**
 * Whether a channel is this person's direct message with the app, as recorded when a reminder was
 * delivered there. A click names the message it came from; only a message in the clicker's own DM
 * is edited, so no claimed channel can turn the app's words elsewhere into someone else's text.
 */
export async function isOwnDirectMessage(
  deps: ReminderDeps,
  userId: string,
  channelId: string,
): Promise<boolean> {
  const person = await deps.people.find(userId);
  return Boolean(person?.dmChannelId) && person?.dmChannelId === channelId;
}

async function reminderFor(deps: ReminderDeps, reminderId: number, userId: string) {
  const reminder = await deps.reminders.find(reminderId);
  if (!reminder) return { ok: false as const, refusal: 'That reminder no longer exists.' };
  if (reminder.recipientUserId !== userId)
    return { ok: false as const, refusal: 'That reminder was meant for someone else.' };
  return { ok: true as const, reminder };
}

/** "Snooze": the interview reminder comes back after SNOOZE_DAYS, in working hours. Twice = once. */
export async function snoozeInterview(
  deps: ReminderDeps,
  { reminderId, userId, now }: { reminderId: number; userId: string; now: Date },
): Promise<ButtonResult> {
  const found = await reminderFor(deps, reminderId, userId);
  if (!found.ok) return found;
  const { reminder } = found;
  if (reminder.kind !== 'interview_due' || !reminder.roundId)
    return { ok: false, refusal: 'Only interview reminders can be snoozed.' };
  const round = await deps.rounds.findRound(reminder.roundId);
  if (round?.status !== 'awaiting_customer') return { ok: false, refusal: 'That round is no longer open.' };
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
  const at = created?.dueAt ?? until;
  return { ok: true, outcome: `Snoozed: we'll remind you again on ${formatDay(at, zone)}.` };
}

/** "Ask again": the customer's request is sent once more, in the customer's working hours. */
export async function askCustomerAgain(
  deps: ReminderDeps,
  { reminderId, userId, now }: { reminderId: number; userId: string; now: Date },
): Promise<ButtonResult> {
  const found = await reminderFor(deps, reminderId, userId);
  if (!found.ok) return found;
  const round = found.reminder.roundId ? await deps.rounds.findRound(found.reminder.roundId) : undefined;
  if (!round?.customerUserId || round.staffUserId !== userId)
    return { ok: false, refusal: 'There is no one to ask again.' };
  if (round.status !== 'awaiting_customer') return { ok: false, refusal: 'That round is no longer open.' };
  await deps.reminders.schedule([
    {
      kind: 'customer_request_again',
      roundId: round.id,
      recipientUserId: round.customerUserId,
      dueAt: now,
      dedupeKey: `customer_request_again:${round.id}:${found.reminder.id}`,
    },
  ]);
  return { ok: true, outcome: `We'll ask <@${round.customerUserId}> again, within their working hours.` };
}

export async function cancelRound(
  deps: ReminderDeps,
  { roundId, userId, now }: { roundId: number; userId: string; now: Date },
): Promise<ButtonResult> {
  const result = await deps.reminders.cancelRound(roundId, userId, now);
  if (result === 'not_yours')
    return { ok: false, refusal: 'Only the staff member who started a round can cancel it.' };
  if (result === 'not_open') return { ok: false, refusal: 'That round is no longer open.' };
  return { ok: true, outcome: `Round ${roundId} cancelled. No more reminders will come for it.` };
}

/**
 * Held reminders keep the spacing they were planned with: released together, a round's two nudges
 * would arrive in the same minute.
 */
function placeHeldFor(timeZone: string | null | undefined, settings: ReminderSettings): PlaceHeld {
  return (from, planned) => spacedFrom(from, planned, timeZone, settings.policy);
}

export async function muteReminders(
  deps: ReminderDeps,
  { userId, days, now }: { userId: string; days: number; now: Date },
): Promise<ButtonResult> {
  const until = new Date(now.getTime() + days * DAY_MS);
  const zone = await timeZoneOf(deps, userId);
  await deps.reminders.mute(userId, until, now, placeHeldFor(zone, deps.settings));
  return {
    ok: true,
    outcome: `Reminders muted until ${formatDay(until, zone)}. Type \`/rate-service unmute\` to hear them again.`,
  };
}

/** Lifts a mute: what it held comes from the person's next working hours on, spaced as planned. */
export async function unmuteReminders(
  deps: ReminderDeps,
  { userId, now }: { userId: string; now: Date },
): Promise<ButtonResult> {
  const zone = await timeZoneOf(deps, userId);
  await deps.reminders.unmute(userId, now, placeHeldFor(zone, deps.settings));
  return { ok: true, outcome: 'Reminders are on again.' };
}
