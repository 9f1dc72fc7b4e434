import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Clock } from '../../lib/clock.js';
import { weekBounds, weekOf } from '../digests/digests.weeks.js';
import { outsideCustomerKey } from '../rounds/rounds.usecases.js';
import {
  type ChangedRows,
  FORGOTTEN_CUSTOMER_PREFIX,
  FORGOTTEN_USER_PREFIX,
  totalChanged,
} from './erasure.content.js';
import type { ErasureRepository } from './erasure.repository.js';

const DAY_MS = 86_400_000;

export interface ErasureOutcome {
  /** False when no row held the person (or the name): nothing was, or would be, changed. */
  found: boolean;
  dryRun: boolean;
  changed: ChangedRows;
  /** The audit row of a real run that changed something. */
  erasureId: number | null;
}

/**
 * A pseudonym for one forgotten person: random, so it cannot be traced back, and never a Slack id
 * (those are upper case and start with U or W). The same one replaces their id in every row, as staff
 * member or anything else, and their customer key, so everything they did still counts as one
 * anonymous person.
 */
export function newPseudonym(): { userId: string; customerKey: string } {
  const token = randomBytes(8).toString('hex');
  return { userId: `${FORGOTTEN_USER_PREFIX}${token}`, customerKey: `${FORGOTTEN_CUSTOMER_PREFIX}${token}` };
}

const outcomeOf = (
  run: { changed: ChangedRows; erasureId: number | null },
  dryRun: boolean,
): ErasureOutcome => ({
  found: totalChanged(run.changed) > 0,
  dryRun,
  changed: run.changed,
  erasureId: run.erasureId,
});

/** `people forget <id>`: one person's identity and words, everywhere; their scores stay, anonymous. */
export async function forgetPerson({
  erasure,
  clock,
  userId,
  requestedBy,
  dryRun,
}: {
  erasure: ErasureRepository;
  clock: Clock;
  userId: string;
  requestedBy: string;
  dryRun: boolean;
}): Promise<ErasureOutcome> {
  const pseudonym = newPseudonym();
  const run = await erasure.forgetPerson({
    userId,
    pseudonym: pseudonym.userId,
    customerKey: pseudonym.customerKey,
    now: clock.now(),
    requestedBy,
    dryRun,
  });
  return outcomeOf(run, dryRun);
}

/**
 * `customers forget --name "…"`: a customer outside Slack, matched as the round form matched them
 * (the same cleaning and lower-casing), so every spelling that made one customer finds them.
 */
export async function forgetOutsideCustomer({
  erasure,
  clock,
  name,
  requestedBy,
  dryRun,
}: {
  erasure: ErasureRepository;
  clock: Clock;
  name: string;
  requestedBy: string;
  dryRun: boolean;
}): Promise<ErasureOutcome> {
  const run = await erasure.forgetOutsideCustomer({
    customerKey: outsideCustomerKey(name),
    pseudonymKey: newPseudonym().customerKey,
    now: clock.now(),
    requestedBy,
    dryRun,
  });
  return outcomeOf(run, dryRun);
}

export interface RetentionSettings {
  days: number;
  /**
   * The zone whose ISO weeks are erased whole: the zone the digest cuts its weeks in. A week goes
   * in one run, so all of one customer's rounds in it share one pseudonym key.
   */
  weekZone: string;
}

export function retentionSettingsFrom(
  config: Pick<Config, 'RETENTION_DAYS' | 'LIBRARY_TIME_ZONE'>,
): RetentionSettings {
  return { days: config.RETENTION_DAYS, weekZone: config.LIBRARY_TIME_ZONE };
}

/**
 * Rounds completed or closed before this instant are past retention: the start (Monday 00:00 in the
 * zone) of the week holding `now - days`. So a round's words go once its whole week ended at least
 * `days` ago, and the whole week goes at once.
 */
export function retentionCutoff(now: Date, settings: RetentionSettings): Date {
  const limit = new Date(now.getTime() - settings.days * DAY_MS);
  return weekBounds(weekOf(limit, settings.weekZone), settings.weekZone).start;
}

/**
 * One run of the retention job at `now`: the oldest whole week past retention, in one transaction
 * (so a long history, the first time, is erased a week per run rather than in one long transaction
 * that would hold up the embedded database). `remaining` says whether older weeks are still to go;
 * `ran` is false when another copy held the erasure lock.
 */
export async function runRetention(
  { erasure, settings }: { erasure: ErasureRepository; settings: RetentionSettings },
  now: Date,
): Promise<{
  ran: boolean;
  cutoff: Date;
  changed: ChangedRows;
  erasureId: number | null;
  remaining: boolean;
}> {
  const cutoff = retentionCutoff(now, settings);
  const oldest = await erasure.oldestDue(cutoff);
  const weekEnd = oldest ? weekBounds(weekOf(oldest, settings.weekZone), settings.weekZone).end : cutoff;
  const roundsBefore = new Date(Math.min(weekEnd.getTime(), cutoff.getTime()));
  const run = await erasure.eraseBefore({ roundsFrom: oldest, roundsBefore, cutoff, now });
  const remaining = run.ran && roundsBefore < cutoff && (await erasure.oldestDue(cutoff)) !== null;
  return { ...run, cutoff, remaining };
}
