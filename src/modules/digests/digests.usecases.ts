import type { Committee, DigestPost } from '../../db/schema.js';
import { isValidTimeZone } from '../../lib/calendar.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../logger.js';
import type { CommitteesRepository } from '../committees/committees.repository.js';
import type { Messenger, PostFailure, PostMetadata } from '../messaging/messaging.port.js';
import type { PeopleDirectory } from '../people/people.directory.js';
import type { PracticesRepository } from '../practices/practices.repository.js';
import { buildDigest, type DigestData } from './digests.build.js';
import { hasChart, renderDigestChart } from './digests.chart.js';
import type { DigestsRepository } from './digests.repository.js';
import { buildDigestFailedNotice, buildDigestMessage, MAX_LISTED_ROWS } from './digests.views.js';
import { dueWeeks, lastCompleteWeek, parseWeek, weekIsOver } from './digests.weeks.js';

/**
 * Posting a committee's weekly digest exactly once.
 *
 * The rule: a digest is posted only by the holder of its claim, the one digest_posts row for
 * (committee, week), taken by an INSERT ... ON CONFLICT DO NOTHING (first attempt) or by a guarded
 * UPDATE (later attempts), so two copies of the app never hold it at once. Every post carries
 * metadata naming the committee and week. The first attempt posts at once. Every later attempt (after
 * a failure, a timeout, or a crash that left the claim `sending` past its lease) first asks Slack,
 * through conversations.history and that metadata, whether an earlier attempt got through; it posts
 * only on a definite "no", records the earlier message if there is one, and otherwise waits for the
 * next tick. A timeout or 5xx is never retried blindly: it stays `sending` and the next tick checks.
 *
 * The chart is uploaded into the digest's thread by the attempt that posted, after recording the
 * post: at most once, so a crash between the two leaves a digest without its chart rather than two.
 *
 * When Slack refuses the bot token (uninstalled, revoked) an attempt is undone rather than failed:
 * the claim goes back to what it was before (a first attempt's claim is removed), so nobody is told
 * about a channel problem there is not, and the post is made once a working token is back.
 */

export const DIGEST_EVENT_TYPE = 'service_radar_digest';
/** A claim older than this is taken over. Well above one build and post (each Web API call is cut off at SLACK_API_TIMEOUT_MS, at most 60 s). */
export const DIGEST_LEASE_MS = 3 * 60_000;
/** Retries after a failure wait 1, 2, 4 ... minutes, at most this long. */
export const MAX_RETRY_DELAY_MS = 60 * 60_000;
/** From this attempt on, any failure (not only a channel problem) is worth telling an admin about. */
const NOTIFY_AFTER_ATTEMPTS = 3;

export interface DigestDeps {
  committees: CommitteesRepository;
  digests: DigestsRepository;
  /** Best practices, listed in the digest of the week they were shared in. */
  practices: PracticesRepository;
  messenger: Messenger;
  logger: Logger;
  clock: Clock;
  instanceId: string;
  /** LIBRARY_TIME_ZONE: the library's calendar, where every committee's weeks are cut. */
  libraryTimeZone: string;
  /** Admins to tell when the one who subscribed a channel cannot be reached (ADMIN_USER_IDS). */
  adminUserIds?: readonly string[];
  /** Resolves staff names for individual rows the app has not cached yet. */
  directory?: PeopleDirectory | undefined;
  leaseMs?: number;
  /** How long one tick keeps working before leaving the rest to the next. */
  tickBudgetMs?: number;
  /** Replaceable in tests. */
  renderChart?: (data: DigestData) => Promise<Buffer | null>;
  /** Told the outcome of every delivery attempt (the metrics); optional. */
  observer?: DigestObserver | undefined;
}

/** A delivery's outcome, or `error` for one the database or a bad setting interrupted. */
export type DigestAttemptOutcome = DeliveryOutcome | 'error';

export interface DigestObserver {
  delivered(outcome: DigestAttemptOutcome): void;
}

export const digestMetadata = (committeeId: number, week: string): PostMetadata => ({
  eventType: DIGEST_EVENT_TYPE,
  key: `digest:${committeeId}:${week}`,
});

export type DeliveryOutcome =
  | 'posted'
  /** An earlier attempt had posted it after all: recorded, not posted again. */
  | 'found_earlier'
  | 'already_posted'
  /** Another copy holds the claim, or a failed post waits for its retry time. */
  | 'busy'
  | 'failed'
  | 'uncertain'
  | 'rate_limited'
  /** Slack refuses the bot token: the attempt was undone, to be made once a working token is back. */
  | 'paused';

export const DIGEST_ATTEMPT_OUTCOMES: readonly DigestAttemptOutcome[] = [
  'posted',
  'found_earlier',
  'already_posted',
  'busy',
  'failed',
  'uncertain',
  'rate_limited',
  'paused',
  'error',
];

export interface Delivery {
  outcome: DeliveryOutcome;
  post?: DigestPost | undefined;
  error?: string;
  retryAfterMs?: number;
}

/**
 * Fills in names of staff in individual rows that the people cache does not know yet: only for the
 * rows the post lists (the worst MAX_LISTED_ROWS), so a large committee costs at most that many
 * users.info calls, and those answers are cached for the next digests.
 */
async function withNames(data: DigestData, directory: PeopleDirectory | undefined): Promise<DigestData> {
  if (!directory || !data.individuals?.some((row) => row.name === null)) return data;
  const individuals = await Promise.all(
    data.individuals.map(async (row, index) => {
      if (row.name !== null || index >= MAX_LISTED_ROWS) return row;
      const person = await directory.lookup(row.staffUserId, { timeoutMs: 2_000 }).catch(() => undefined);
      return { ...row, name: person?.name ?? null };
    }),
  );
  return { ...data, individuals };
}

/** A committee's digest for a week: what the scheduled post, the preview and `digest show` all use. */
export async function buildCommitteeDigest(
  deps: Pick<DigestDeps, 'digests' | 'practices' | 'clock' | 'directory' | 'libraryTimeZone'>,
  committee: Committee,
  week: string,
): Promise<DigestData> {
  const data = await buildDigest({
    digests: deps.digests,
    practices: deps.practices,
    committee,
    week,
    clock: deps.clock,
    libraryTimeZone: deps.libraryTimeZone,
  });
  return withNames(data, deps.directory);
}

const retryDelay = (attempts: number) =>
  Math.min(2 ** Math.max(0, attempts - 1) * 60_000, MAX_RETRY_DELAY_MS);

/**
 * Tells one admin, once per failing week: the admin who subscribed the channel, or, if they cannot
 * be reached (left the workspace), the first of ADMIN_USER_IDS who can.
 */
async function tellAdmin(deps: DigestDeps, committee: Committee, post: DigestPost, error: string, now: Date) {
  if (!(await deps.digests.claimAdminNotice(post.id, now))) return;
  const notice = buildDigestFailedNotice(committee.channelId, post.week, error);
  const admins = [committee.createdByUserId, ...(deps.adminUserIds ?? [])];
  for (const admin of new Set(admins)) {
    const sent = await deps.messenger.post(admin, notice);
    if (sent.ok || sent.kind === 'token_refused') return;
    deps.logger.warn(
      { committee: committee.id, admin, error: sent.error },
      'could not tell an admin about a digest',
    );
  }
}

/** Records a failed attempt and decides what happens next. */
async function recordFailure(
  deps: DigestDeps,
  committee: Committee,
  claimed: Claimed,
  failure: PostFailure,
  now: Date,
): Promise<Delivery> {
  const { digests } = deps;
  const { post } = claimed;
  if (failure.kind === 'token_refused') {
    await digests.putBack(post, claimed.previous);
    return { outcome: 'paused', post, error: failure.error };
  }
  if (failure.kind === 'uncertain') {
    // It may have been posted. The next tick takes the claim over and asks Slack first.
    await digests.markUncertain(
      post.id,
      failure.error,
      new Date(now.getTime() - (deps.leaseMs ?? DIGEST_LEASE_MS) - 1000),
    );
    return { outcome: 'uncertain', post, error: failure.error };
  }
  if (failure.kind === 'rate_limited') {
    const retryAfterMs = failure.retryAfterSeconds * 1000;
    await digests.markFailed(post.id, failure.error, new Date(now.getTime() + retryAfterMs));
    return { outcome: 'rate_limited', post, error: failure.error, retryAfterMs };
  }
  await digests.markFailed(post.id, failure.error, new Date(now.getTime() + retryDelay(post.attempts)));
  if (failure.kind === 'undeliverable' || post.attempts >= NOTIFY_AFTER_ATTEMPTS)
    await tellAdmin(deps, committee, post, failure.error, now);
  deps.logger.warn(
    { committee: committee.id, week: post.week, error: failure.error, attempts: post.attempts },
    'digest post failed; will retry',
  );
  return { outcome: 'failed', post, error: failure.error };
}

/** A claim held by this attempt, and the row as it was before (none for a first attempt). */
interface Claimed {
  post: DigestPost;
  firstAttempt: boolean;
  previous?: DigestPost | undefined;
}

/** Claims the (committee, week) post: a new claim, a failed post due for retry, or a stale claim. */
async function claim(
  deps: DigestDeps,
  committee: Committee,
  week: string,
  now: Date,
): Promise<Claimed | Delivery> {
  const existing = await deps.digests.findPost(committee.id, week);
  if (existing?.state === 'posted') return { outcome: 'already_posted', post: existing };
  if (!existing) {
    const created = await deps.digests.claimNew(committee.id, week, now, deps.instanceId);
    if (created) return { post: created, firstAttempt: true };
    return { outcome: 'busy', post: await deps.digests.findPost(committee.id, week) };
  }
  const reclaimed = await deps.digests.reclaim(
    existing.id,
    now,
    deps.leaseMs ?? DIGEST_LEASE_MS,
    deps.instanceId,
  );
  if (!reclaimed) return { outcome: 'busy', post: existing };
  return { post: reclaimed, firstAttempt: false, previous: existing };
}

/** Posts one committee's digest for one week, unless it is posted already (see the rule above). */
export async function deliverDigest(
  deps: DigestDeps,
  committee: Committee,
  week: string,
  now: Date,
): Promise<Delivery> {
  const claimed = await claim(deps, committee, week, now);
  if ('outcome' in claimed) return claimed;
  const { post, firstAttempt } = claimed;
  const metadata = digestMetadata(committee.id, week);

  if (!firstAttempt) {
    const found = await deps.messenger.findPosted(committee.channelId, metadata, post.createdAt);
    if (!found.ok) {
      // Cannot tell whether an earlier attempt arrived: do not post; try again later.
      const failure: PostFailure = found.kind === 'uncertain' ? { ...found, kind: 'error' } : found;
      return recordFailure(deps, committee, claimed, failure, now);
    }
    if (found.ts) {
      await deps.digests.markPosted(post.id, now, committee.channelId, found.ts);
      deps.logger.info({ committee: committee.id, week }, 'digest was posted by an earlier attempt');
      return { outcome: 'found_earlier', post };
    }
  }

  let data: DigestData;
  try {
    data = await buildCommitteeDigest(deps, committee, week);
  } catch (error) {
    deps.logger.error({ err: error, committee: committee.id, week }, 'could not build a digest');
    await deps.digests.markFailed(
      post.id,
      'build_failed',
      new Date(now.getTime() + retryDelay(post.attempts)),
    );
    return { outcome: 'failed', post, error: 'build_failed' };
  }

  const result = await deps.messenger.post(committee.channelId, buildDigestMessage(data), { metadata });
  if (!result.ok) return recordFailure(deps, committee, claimed, result, now);
  await deps.digests.markPosted(post.id, now, result.channel, result.ts);
  deps.logger.info({ committee: committee.id, week, rounds: data.headline.rounds }, 'digest posted');

  if (data.headline.rounds > 0 && hasChart(data)) await uploadChart(deps, data, result.channel, result.ts);
  return {
    outcome: 'posted',
    post: { ...post, state: 'posted', channelId: result.channel, messageTs: result.ts },
  };
}

async function uploadChart(deps: DigestDeps, data: DigestData, channel: string, threadTs: string) {
  try {
    const png = await (deps.renderChart ?? renderDigestChart)(data);
    if (!png) return;
    const uploaded = await deps.messenger.upload(
      channel,
      {
        bytes: png,
        filename: `service-digest-${data.week.id}.png`,
        title: `Self vs customer, ${data.week.label}`,
        altText: `Line chart of the average self-rating and customer rating per week, ${data.trend.length} weeks to ${data.week.label}.`,
      },
      { threadTs },
    );
    if (!uploaded.ok)
      deps.logger.warn(
        { committee: data.committee.id, error: uploaded.error },
        'could not upload the digest chart',
      );
  } catch (error) {
    // The digest itself is posted; a chart that fails to render must not undo that.
    deps.logger.error({ err: error, committee: data.committee.id }, 'could not render the digest chart');
  }
}

export interface DigestTickReport {
  due: number;
  posted: number;
  failed: number;
  uncertain: number;
  busy: number;
  rateLimited: number;
  paused: number;
}

/**
 * One scheduler tick: for each active committee, the week due now (see dueWeeks; two at once only
 * around some clock changes), delivered unless it is posted already. Committees are few; each is one indexed lookup when nothing is due. A rate limit
 * stops the tick: the rest wait for the next one.
 */
export async function runDigestTick(deps: DigestDeps, now: Date): Promise<DigestTickReport> {
  const report: DigestTickReport = {
    due: 0,
    posted: 0,
    failed: 0,
    uncertain: 0,
    busy: 0,
    rateLimited: 0,
    paused: 0,
  };
  const deadline = Date.now() + (deps.tickBudgetMs ?? 50_000);
  for (const committee of await deps.committees.listActive()) {
    if (Date.now() > deadline) break;
    let weeks: string[];
    try {
      if (!isValidTimeZone(committee.timeZone))
        throw new RangeError(`unknown time zone ${committee.timeZone}`);
      weeks = dueWeeks(now, committee, committee.createdAt, deps.libraryTimeZone);
    } catch (error) {
      deps.logger.error({ err: error, committee: committee.id }, 'digest delivery failed');
      deps.observer?.delivered('error');
      report.uncertain++;
      continue;
    }
    let stop = false;
    for (const week of weeks) {
      let delivery: Delivery;
      try {
        const existing = await deps.digests.findPost(committee.id, week);
        if (existing?.state === 'posted') continue;
        report.due++;
        delivery = await deliverDigest(deps, committee, week, now);
      } catch (error) {
        // One committee's trouble (a database hiccup mid-delivery, a zone edited by hand) must not
        // stop the others. A claim already taken stays, and its lease hands it to a later tick.
        deps.logger.error({ err: error, committee: committee.id }, 'digest delivery failed');
        deps.observer?.delivered('error');
        report.uncertain++;
        continue;
      }
      deps.observer?.delivered(delivery.outcome);
      if (delivery.outcome === 'posted' || delivery.outcome === 'found_earlier') report.posted++;
      else if (delivery.outcome === 'failed') report.failed++;
      else if (delivery.outcome === 'uncertain') report.uncertain++;
      else if (delivery.outcome === 'busy') report.busy++;
      else if (delivery.outcome === 'rate_limited') {
        report.rateLimited++;
        stop = true;
        break;
      } else if (delivery.outcome === 'paused') {
        report.paused++;
        stop = true;
        break;
      }
    }
    if (stop) break;
  }
  return report;
}

// ---------------------------------------------------------------------------------------------
// Preview, and the operator CLI

/** Why a digest was not previewed, shown or sent; the sentences are in digests.words.ts. */
export type DigestCode =
  | 'not_a_committee_channel'
  | 'channel_not_subscribed'
  | 'not_a_week'
  | 'week_not_over'
  // An export's range (digests.export.ts).
  | 'not_a_date_or_week'
  | 'range_backwards'
  | 'range_too_long';

/** What a refusal's words name. */
export interface DigestValues {
  channelId?: string;
  week?: string;
  timeZone?: string;
  /** What was typed where a date or week was expected. */
  text?: string;
  weeks?: number;
}

export type Refused = { ok: false; code: DigestCode; values?: DigestValues };

/** `/service-digest preview`: the digest that would go out now (the last finished week), for the caller only. */
export async function previewDigest(
  deps: Pick<DigestDeps, 'committees' | 'digests' | 'practices' | 'clock' | 'directory' | 'libraryTimeZone'>,
  channelId: string,
): Promise<{ ok: true; data: DigestData } | Refused> {
  const committee = await deps.committees.findActiveByChannel(channelId);
  if (!committee) return { ok: false, code: 'not_a_committee_channel' };
  const week = lastCompleteWeek(deps.clock.now(), deps.libraryTimeZone);
  return { ok: true, data: await buildCommitteeDigest(deps, committee, week) };
}

/**
 * Finds a channel's committee and the week to report on: by default the last finished one. Only a
 * finished week: one still under way would show figures that change as rounds come in, and the
 * difference between two such looks would be the rounds in between.
 */
export async function resolveDigestTarget(
  deps: Pick<DigestDeps, 'committees' | 'clock' | 'libraryTimeZone'>,
  channelId: string,
  week: string | undefined,
): Promise<{ ok: true; committee: Committee; week: string } | Refused> {
  const committee = await deps.committees.findActiveByChannel(channelId);
  if (!committee) return { ok: false, code: 'channel_not_subscribed', values: { channelId } };
  if (week !== undefined && !parseWeek(week)) return { ok: false, code: 'not_a_week', values: { week } };
  const zone = deps.libraryTimeZone;
  const target = week ?? lastCompleteWeek(deps.clock.now(), zone);
  if (!weekIsOver(target, zone, deps.clock.now()))
    return { ok: false, code: 'week_not_over', values: { week: target, timeZone: zone } };
  return { ok: true, committee, week: target };
}

/** `digest send`: posts a finished week's digest now, through the same exactly-once path as the schedule. */
export async function sendDigestNow(
  deps: DigestDeps,
  channelId: string,
  week: string | undefined,
): Promise<({ ok: true; week: string } & Delivery) | Refused> {
  const target = await resolveDigestTarget(deps, channelId, week);
  if (!target.ok) return target;
  const delivery = await deliverDigest(deps, target.committee, target.week, deps.clock.now());
  deps.observer?.delivered(delivery.outcome);
  return { ok: true, week: target.week, ...delivery };
}
