import type { Reminder } from '../../db/schema.js';
import type { SlackMessage } from '../../lib/block-kit.js';
import type { Logger } from '../../logger.js';
import type { SendingPause } from '../installation/installation.usecases.js';
import type { Messenger } from '../messaging/messaging.port.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import type { PeopleRepository } from '../people/people.repository.js';
import type { ReminderKind, RemindersRepository } from './reminders.repository.js';
import type { ReminderSettings } from './reminders.settings.js';
import { placeHeldFor } from './reminders.time-zones.js';
import { nextWorkingTime } from './working-hours.js';

/**
 * The outbox: every message the app sends on its own (reminders, a round's request and result, a
 * plan's check-ins) is a row claimed, sent and recorded here, at most once per row even across
 * crashes and several copies. It knows no kind: each module registers what its kinds say (a
 * `KindHandler`) in the composition root, src/dependencies.ts.
 */

/** Every reminder message carries this metadata, so a send can be confirmed after a crash. */
export const REMINDER_EVENT_TYPE = 'service_radar_reminder';
/** How soon a row of a kind this copy does not know is offered again. */
const UNKNOWN_KIND_RETRY_MS = 15 * 60_000;

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
  /**
   * Not yet: this message must follow another that has not gone yet (the next part of a long DM).
   * It goes back to the queue until then, costing no attempt.
   */
  | { wait: Date; reason: string }
  | { cancel: string };

/** What one kind says, with its own dependencies closed over. */
export type KindHandler = (reminder: Reminder, now: Date) => Promise<Prepared>;

/** Every kind the app knows, each registered by the module that owns it. */
export type ReminderKinds = Record<ReminderKind, KindHandler>;

export interface OutboxDeps {
  reminders: RemindersRepository;
  people: PeopleRepository;
  directory: PeopleDirectory;
  messenger: Messenger;
  logger: Logger;
  instanceId: string;
  settings: ReminderSettings;
  kinds: ReminderKinds;
  /** Whether Slack refuses the bot token (see src/modules/installation): then nothing is sent. */
  pause?: SendingPause | undefined;
  /** Waits in real time (rate limits); tests may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /** Told the outcome of every attempt (the metrics); optional. */
  observer?: DeliveryObserver | undefined;
}

/**
 * What became of one attempt at a claimed row: an Outcome's kind, `confirmed` for an earlier send
 * found in Slack after all, `error` for an attempt the database interrupted.
 */
export type DeliveryOutcome = Outcome['kind'] | 'confirmed' | 'error';
export const DELIVERY_OUTCOMES: readonly DeliveryOutcome[] = [
  'sent',
  'deferred',
  'cancelled',
  'failed',
  'rate_limited',
  'uncertain',
  'retry',
  'paused',
  'confirmed',
  'error',
];

export interface DeliveryObserver {
  delivered(outcome: DeliveryOutcome): void;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

/** The message of a claimed reminder, from its kind's handler; undefined for a kind this copy does not know. */
function prepare(deps: OutboxDeps, reminder: Reminder, now: Date): Promise<Prepared> | undefined {
  const handler: KindHandler | undefined = deps.kinds[reminder.kind];
  return handler?.(reminder, now);
}

/**
 * A kind with no handler here was written by another version of the app (a newer copy, during a
 * deploy): not ours to send nor to cancel. It goes back for later, for a copy that knows it. A stale
 * claim stays a claim whose send is unconfirmed, so that copy asks Slack before it sends.
 */
async function putBackUnknown(
  deps: OutboxDeps,
  reminder: Reminder,
  now: Date,
  { stale = false } = {},
): Promise<Outcome> {
  const until = new Date(now.getTime() + UNKNOWN_KIND_RETRY_MS);
  if (stale) {
    // Stale again (claimable by reconcileStale) once the retry time has passed.
    const claimedAt = new Date(until.getTime() - deps.settings.leaseMs);
    await deps.reminders.markUncertain(reminder.id, claimedAt, 'unknown_kind', false);
  } else {
    await deps.reminders.release(reminder.id, until, 'unknown_kind');
  }
  deps.logger.warn(
    { reminder: reminder.id, kind: reminder.kind },
    'reminder of a kind this version does not know: put back for later',
  );
  return { kind: 'retry', until };
}

/** Sends one claimed reminder, or says why not; records the outcome on the row. */
export async function deliverClaimed(
  deps: OutboxDeps,
  reminder: Reminder,
  now: Date,
  prepared?: Prepared,
): Promise<Outcome> {
  const outcome = await attemptClaimed(deps, reminder, now, prepared);
  deps.observer?.delivered(outcome.kind);
  return outcome;
}

async function attemptClaimed(
  deps: OutboxDeps,
  reminder: Reminder,
  now: Date,
  prepared?: Prepared,
): Promise<Outcome> {
  const { reminders, settings } = deps;
  prepared ??= await prepare(deps, reminder, now);
  if (!prepared) return putBackUnknown(deps, reminder, now);
  if ('cancel' in prepared) {
    await reminders.cancel(reminder.id, prepared.cancel);
    return { kind: 'cancelled', reason: prepared.cancel };
  }
  if ('wait' in prepared) {
    await reminders.release(reminder.id, prepared.wait, prepared.reason);
    return { kind: 'deferred', until: prepared.wait };
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
        placeHeldFor(person.tz, settings.policy),
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
async function putBack(deps: OutboxDeps, reminder: Reminder, error: string | null): Promise<Outcome> {
  await deps.reminders.release(reminder.id, reminder.dueAt, error);
  return { kind: 'paused' };
}

/**
 * A claim older than the lease belongs to a copy that crashed, or to a send whose outcome Slack
 * left unknown. Ask Slack whether the message is there (by its metadata); mark it sent if so, send
 * it if not. This is what makes a crash between sending and recording cost no duplicate.
 */
async function reconcileStale(deps: OutboxDeps, now: Date, report: DeliveryReport): Promise<void> {
  const stale = await deps.reminders.claimStale(
    now,
    deps.settings.leaseMs,
    deps.settings.batchSize,
    deps.instanceId,
  );
  for (const reminder of stale) {
    report.reconciled++;
    const prepared = await prepare(deps, reminder, now);
    if (!prepared) {
      tally(report, await putBackUnknown(deps, reminder, now, { stale: true }));
      continue;
    }
    if ('cancel' in prepared) {
      // No longer wanted; if an earlier attempt did arrive, it arrived once.
      await deps.reminders.cancel(reminder.id, prepared.cancel);
      continue;
    }
    // A message that waits on another was never sent: look in the recipient's DM all the same.
    const target: Partial<Extract<Prepared, { message: SlackMessage }>> = 'wait' in prepared ? {} : prepared;
    let channel = target.channel ?? (await deps.people.find(reminder.recipientUserId))?.dmChannelId ?? null;
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
      threadTs: target.threadTs,
    });
    if (!found.ok) {
      if (found.kind === 'token_refused') return;
      continue;
    }
    if (found.ts) {
      await deps.reminders.markSent(reminder.id, now, channel, found.ts, false);
      await target.onSent?.(channel, found.ts);
      deps.observer?.delivered('confirmed');
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
export async function deliverDue(deps: OutboxDeps, now: Date): Promise<DeliveryReport> {
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
          deps.observer?.delivered('paused');
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
          deps.observer?.delivered('error');
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
  deps: OutboxDeps,
  dedupeKey: string,
  now: Date,
): Promise<Outcome | undefined> {
  // Left in the queue: the first tick after a working token is back sends it.
  if (await deps.pause?.isPaused()) return undefined;
  const claimed = await deps.reminders.claimByKey(dedupeKey, now, deps.instanceId);
  return claimed ? deliverClaimed(deps, claimed, now) : undefined;
}
