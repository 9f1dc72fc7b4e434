import { and, eq, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../../db/client.js';
import { type DigestPost, digestPosts } from '../../db/schema.js';

/**
 * The digest's SQL. Figures are aggregated by the database (count, totals and distinct people per
 * week and unit, or per person), never by loading rounds: each query reads only the rounds completed in the weeks it
 * reports on, through the partial indexes on completed_at / closed_at, so its cost follows one week's
 * volume, not the years of history behind it.
 */

/** Whose rounds a committee sees: everyone, or staff in some units (compared case-insensitively). */
export type Scope = { units: string[] };

/**
 * One unit's completed rounds in one week: the atom of publication (see digests.privacy.ts). Totals,
 * not averages, so that groups of atoms add up exactly.
 */
export interface Atom {
  /** The unit in lower case: one unit however staff capitalise it. */
  unitKey: string;
  /** The unit as staff typed it (the first spelling, alphabetically, when they differ in case). */
  unit: string;
  rounds: number;
  selfTotal: number;
  customerTotal: number;
  /** Different staff members, and different customers (by customer_key), among the rounds. */
  staff: number;
  customers: number;
  /** Rounds whose customer named something they no longer need (counted in the last week asked for only). */
  noLongerNeed: number;
}

/**
 * One service point's walk-up answers in one week of the library's calendar: the atom of the
 * digest's service-point figures. Totals of the answers not suspected of spam; spam only counted.
 */
export interface ServicePointAtom {
  weekIndex: number;
  servicePointId: number;
  name: string;
  unit: string;
  unitKey: string;
  retired: boolean;
  answers: number;
  experienceTotal: number;
  expectationTotal: number;
  spam: number;
}

export interface WeekAtom extends Atom {
  /** Which of the weeks asked for, 0 for the oldest. */
  weekIndex: number;
}

/** One staff member's rounds within one atom: what an individual row is made of. */
export interface PersonAtom {
  unitKey: string;
  staffUserId: string;
  /** Their Slack name, when the app has looked them up before. */
  name: string | null;
  rounds: number;
  selfTotal: number;
  customerTotal: number;
  customers: number;
}

/**
 * An answer to "Am I providing anything you no longer need?" that names nothing: "no", "none",
 * "nothing", "n/a", "-", "nothing at the moment"... Counted answers are the others. The text itself
 * never leaves the database.
 */
export const NOTHING_NAMED_PATTERN =
  '^[[:space:][:punct:]]*(no|nope|none|nothing|nil|n/?a|not really|no,? nothing|nothing really|nothing at all|nothing at (the moment|present)|not that i know of|not that i can think of)?[[:space:][:punct:]]*$';

const scopeFilter = (scope: Scope, unit: SQL = sql`r.unit`): SQL =>
  scope.units.length === 0
    ? sql`true`
    : sql`lower(${unit}) in (${sql.join(
        scope.units.map((unit) => sql`${unit.toLowerCase()}`),
        sql`, `,
      )})`;

const timestamps = (dates: Date[]): SQL =>
  sql`array[${sql.join(
    dates.map((date) => sql`${date.toISOString()}`),
    sql`, `,
  )}]::timestamptz[]`;

type Numeric = number | string | null;
const int = (value: Numeric): number => Number(value ?? 0);

/**
 * Each round's response, looked up by its primary key. A round has at most one response, so LIMIT 1
 * changes nothing but the plan: it keeps PostgreSQL from flattening this into a join, which it may
 * answer by scanning every response ever given (a cost that grows with years of history). This way
 * the cost follows the rounds in the weeks asked for.
 */
const responseOfRound = sql`cross join lateral (
        select x.customer_score, x.no_longer_need from round_responses x where x.round_id = r.id limit 1
      ) rr`;

const completedIn = (start: Date, end: Date) =>
  sql`r.status = 'completed' and r.completed_at >= ${start.toISOString()}::timestamptz and r.completed_at < ${end.toISOString()}::timestamptz`;

/**
 * The aggregate queries, as SQL values: the repository runs them, and the benchmark EXPLAINs them.
 */
export const digestQueries = {
  /**
   * The atoms of the weeks asked for: per week and unit, the count, the score totals, how many
   * different staff members and customers, and (in the last week only) how many customers named
   * something they no longer need. `bounds` are the weeks' starts followed by the last week's end.
   */
  atoms(scope: Scope, bounds: Date[]): SQL {
    const first = bounds[0] as Date;
    const last = bounds[bounds.length - 1] as Date;
    // The answer is matched only in the last week, the one the digest reports on: the pattern is
    // the costliest part of the query, and earlier weeks' counts are never shown.
    const lastWeek = bounds[bounds.length - 2] as Date;
    return sql`
      select width_bucket(r.completed_at, ${timestamps(bounds)}) as bucket,
             lower(r.unit) as unit_key,
             min(r.unit) as unit,
             count(*)::int as rounds,
             sum(r.self_score)::int as self_total,
             sum(rr.customer_score)::int as customer_total,
             count(distinct r.staff_user_id)::int as staff,
             count(distinct r.customer_key)::int as customers,
             (count(*) filter (
               where r.completed_at >= ${lastWeek.toISOString()}::timestamptz
                 and rr.no_longer_need !~* ${NOTHING_NAMED_PATTERN}))::int as no_longer_need
      from rounds r
      ${responseOfRound}
      where ${completedIn(first, last)} and ${scopeFilter(scope)}
      group by 1, 2`;
  },

  /**
   * Per week and service point in scope: walk-up answers (not suspected spam) and their score
   * totals, and how many were suspected spam. An answer whose words retention erased keeps its
   * scores, so a past week's figures stay what they were. Bounds as for `atoms`.
   */
  servicePointAtoms(scope: Scope, bounds: Date[]): SQL {
    const first = bounds[0] as Date;
    const last = bounds[bounds.length - 1] as Date;
    return sql`
      select width_bucket(a.created_at, ${timestamps(bounds)}) as bucket,
             sp.id as service_point_id,
             min(sp.name) as name,
             min(sp.unit) as unit,
             lower(min(sp.unit)) as unit_key,
             bool_or(sp.retired_at is not null) as retired,
             (count(*) filter (where not a.suspected_spam))::int as answers,
             coalesce(sum(a.experience) filter (where not a.suspected_spam), 0)::int as experience_total,
             coalesce(sum(a.expectation) filter (where not a.suspected_spam), 0)::int as expectation_total,
             (count(*) filter (where a.suspected_spam))::int as spam
      from walk_up_answers a
      join service_points sp on sp.id = a.service_point_id
      where a.created_at >= ${first.toISOString()}::timestamptz
        and a.created_at < ${last.toISOString()}::timestamptz
        and ${scopeFilter(scope, sql`sp.unit`)}
      group by 1, 2`;
  },

  /** Service points in scope that were active when the week ended (added before it, not retired by then). */
  activeServicePoints(scope: Scope, end: Date): SQL {
    const e = end.toISOString();
    return sql`
      select sp.id as service_point_id from service_points sp
      where sp.created_at < ${e}::timestamptz
        and (sp.retired_at is null or sp.retired_at >= ${e}::timestamptz)
        and ${scopeFilter(scope, sql`sp.unit`)}`;
  },

  /** Per unit and staff member, for one week: what individual rows are made of. */
  people(scope: Scope, start: Date, end: Date): SQL {
    return sql`
      select lower(r.unit) as unit_key,
             r.staff_user_id as staff_user_id,
             max(su.name) as name,
             count(*)::int as rounds,
             sum(r.self_score)::int as self_total,
             sum(rr.customer_score)::int as customer_total,
             count(distinct r.customer_key)::int as customers
      from rounds r
      ${responseOfRound}
      left join slack_users su on su.user_id = r.staff_user_id
      where ${completedIn(start, end)} and ${scopeFilter(scope)}
      group by 1, 2`;
  },

  /**
   * Awaiting when the week ended (still awaiting, or answered, expired or cancelled only after it),
   * and expired during the week. Counts of rounds, without scores or answers.
   */
  followUps(scope: Scope, start: Date, end: Date): SQL {
    const s = start.toISOString();
    const e = end.toISOString();
    const inScope = scopeFilter(scope);
    return sql`
      select
        (select count(*) from rounds r
          where r.status = 'awaiting_customer' and r.created_at < ${e}::timestamptz and ${inScope})
        + (select count(*) from rounds r
          where r.status = 'completed' and r.completed_at >= ${e}::timestamptz
            and r.created_at < ${e}::timestamptz and ${inScope})
        + (select count(*) from rounds r
          where r.status in ('expired', 'cancelled') and r.closed_at >= ${e}::timestamptz
            and r.created_at < ${e}::timestamptz and ${inScope}) as awaiting,
        (select count(*) from rounds r
          where r.status in ('expired', 'cancelled') and r.status = 'expired'
            and r.closed_at >= ${s}::timestamptz and r.closed_at < ${e}::timestamptz and ${inScope}) as expired`;
  },
};

/**
 * Action plans in the committee's scope, by the staff member's current unit: open at the end of the
 * week, closed as improved by then, and the next check-in still to come.
 */
const planFollowUps = (scope: Scope, end: Date): SQL => {
  const e = end.toISOString();
  return sql`
    select lower(r.unit) as unit_key, min(r.unit) as unit,
      count(*) filter (where p.created_at < ${e}::timestamptz
        and (p.state <> 'closed' or p.closed_at >= ${e}::timestamptz)) as open,
      count(*) filter (where p.outcome = 'improved' and p.closed_at < ${e}::timestamptz) as improved,
      min(next.due_at) filter (where p.state = 'active') as next_checkin
    from action_plans p
    join staff_profiles r on r.user_id = p.staff_user_id
    left join lateral (
      select m.due_at from reminders m
      where m.plan_id = p.id and m.kind = 'plan_checkin' and m.state = 'pending'
      order by m.due_at limit 1
    ) next on true
    where ${scopeFilter(scope)}
    group by lower(r.unit)`;
};

export function createDigestsRepository({ db }: { db: Database }) {
  return {
    /** Plan counts per unit (by the staff member's unit now); the digest shows only units it shows. */
    async planCounts(
      scope: Scope,
      end: Date,
    ): Promise<
      { unitKey: string; unit: string; open: number; improved: number; nextCheckin: Date | null }[]
    > {
      const result = await db.execute(planFollowUps(scope, end));
      return rowsOf<{
        unit_key: string;
        unit: string;
        open: Numeric;
        improved: Numeric;
        next_checkin: string | Date | null;
      }>(result).map((row) => ({
        unitKey: row.unit_key,
        unit: row.unit,
        open: int(row.open),
        improved: int(row.improved),
        nextCheckin: row.next_checkin ? new Date(row.next_checkin) : null,
      }));
    },

    /**
     * The atoms of each week: `bounds` are the weeks' starts followed by the last week's end (n + 1
     * instants for n weeks); each atom says which week it belongs to, 0 for the oldest.
     */
    async weekAtoms(scope: Scope, bounds: Date[]): Promise<WeekAtom[]> {
      if (bounds.length < 2) return [];
      const result = await db.execute(digestQueries.atoms(scope, bounds));
      return rowsOf<{
        bucket: Numeric;
        unit_key: string;
        unit: string;
        rounds: Numeric;
        self_total: Numeric;
        customer_total: Numeric;
        staff: Numeric;
        customers: Numeric;
        no_longer_need: Numeric;
      }>(result).map((row) => ({
        weekIndex: int(row.bucket) - 1,
        unitKey: row.unit_key,
        unit: row.unit,
        rounds: int(row.rounds),
        selfTotal: int(row.self_total),
        customerTotal: int(row.customer_total),
        staff: int(row.staff),
        customers: int(row.customers),
        noLongerNeed: int(row.no_longer_need),
      }));
    },

    /** Each service point's walk-up atoms in the weeks asked for (bounds as for weekAtoms). */
    async servicePointAtoms(scope: Scope, bounds: Date[]): Promise<ServicePointAtom[]> {
      if (bounds.length < 2) return [];
      const result = await db.execute(digestQueries.servicePointAtoms(scope, bounds));
      return rowsOf<{
        bucket: Numeric;
        service_point_id: Numeric;
        name: string;
        unit: string;
        unit_key: string;
        retired: boolean;
        answers: Numeric;
        experience_total: Numeric;
        expectation_total: Numeric;
        spam: Numeric;
      }>(result).map((row) => ({
        weekIndex: int(row.bucket) - 1,
        servicePointId: int(row.service_point_id),
        name: row.name,
        unit: row.unit,
        unitKey: row.unit_key,
        retired: Boolean(row.retired),
        answers: int(row.answers),
        experienceTotal: int(row.experience_total),
        expectationTotal: int(row.expectation_total),
        spam: int(row.spam),
      }));
    },

    /** The ids of the service points in scope that were active at `end`. */
    async activeServicePointIds(scope: Scope, end: Date): Promise<number[]> {
      const result = await db.execute(digestQueries.activeServicePoints(scope, end));
      return rowsOf<{ service_point_id: Numeric }>(result).map((row) => int(row.service_point_id));
    },

    /** Each staff member's rounds per unit, completed in [start, end). */
    async personAtoms(scope: Scope, start: Date, end: Date): Promise<PersonAtom[]> {
      const result = await db.execute(digestQueries.people(scope, start, end));
      return rowsOf<{
        unit_key: string;
        staff_user_id: string;
        name: string | null;
        rounds: Numeric;
        self_total: Numeric;
        customer_total: Numeric;
        customers: Numeric;
      }>(result).map((row) => ({
        unitKey: row.unit_key,
        staffUserId: row.staff_user_id,
        name: row.name,
        rounds: int(row.rounds),
        selfTotal: int(row.self_total),
        customerTotal: int(row.customer_total),
        customers: int(row.customers),
      }));
    },

    /**
     * The follow-up counts for [start, end): rounds still awaiting their customer when the week ended
     * (so a digest built later says the same), and rounds that expired during the week.
     */
    async followUpCounts(
      scope: Scope,
      start: Date,
      end: Date,
    ): Promise<{ awaitingCustomer: number; expired: number }> {
      const result = await db.execute(digestQueries.followUps(scope, start, end));
      const [row] = rowsOf<{ awaiting: Numeric; expired: Numeric }>(result);
      return { awaitingCustomer: int(row?.awaiting ?? 0), expired: int(row?.expired ?? 0) };
    },

    // -------------------------------------------------------------------------------------------
    // digest_posts: one row per committee and week, the claim that makes a post happen once.

    async findPost(committeeId: number, week: string): Promise<DigestPost | undefined> {
      const [row] = await db
        .select()
        .from(digestPosts)
        .where(and(eq(digestPosts.committeeId, committeeId), eq(digestPosts.week, week)))
        .limit(1);
      return row;
    },

    /** The first attempt: inserts the claim. No row back means another copy (or an earlier tick) has it. */
    async claimNew(
      committeeId: number,
      week: string,
      now: Date,
      instanceId: string,
    ): Promise<DigestPost | undefined> {
      const [row] = await db
        .insert(digestPosts)
        .values({ committeeId, week, state: 'sending', attempts: 1, claimedAt: now, claimedBy: instanceId })
        .onConflictDoNothing({ target: [digestPosts.committeeId, digestPosts.week] })
        .returning();
      return row;
    },

    /**
     * A later attempt: takes a failed post whose retry time has come, or a `sending` claim older than
     * the lease (its copy crashed, or its send's outcome is unknown). One copy wins the update.
     */
    async reclaim(
      id: number,
      now: Date,
      leaseMs: number,
      instanceId: string,
    ): Promise<DigestPost | undefined> {
      const [row] = await db
        .update(digestPosts)
        .set({
          state: 'sending',
          attempts: sql`${digestPosts.attempts} + 1`,
          claimedAt: now,
          claimedBy: instanceId,
          nextAttemptAt: null,
        })
        .where(
          and(
            eq(digestPosts.id, id),
            or(
              and(
                eq(digestPosts.state, 'failed'),
                or(isNull(digestPosts.nextAttemptAt), lte(digestPosts.nextAttemptAt, now)),
              ),
              and(
                eq(digestPosts.state, 'sending'),
                lt(digestPosts.claimedAt, new Date(now.getTime() - leaseMs)),
              ),
            ),
          ),
        )
        .returning();
      return row;
    },

    async markPosted(id: number, now: Date, channelId: string, ts: string): Promise<void> {
      await db
        .update(digestPosts)
        .set({
          state: 'posted',
          postedAt: now,
          channelId,
          messageTs: ts,
          lastError: null,
          nextAttemptAt: null,
        })
        .where(and(eq(digestPosts.id, id), eq(digestPosts.state, 'sending')));
    },

    /** Not posted (as far as anyone can tell): try again from `nextAttemptAt`. */
    async markFailed(id: number, error: string, nextAttemptAt: Date): Promise<void> {
      await db
        .update(digestPosts)
        .set({ state: 'failed', lastError: error, nextAttemptAt })
        .where(and(eq(digestPosts.id, id), eq(digestPosts.state, 'sending')));
    },

    /**
     * The send's outcome is unknown. The claim stays `sending`, backdated past the lease so the next
     * tick takes it over and asks Slack before sending again.
     */
    async markUncertain(id: number, error: string, claimedAt: Date): Promise<void> {
      await db
        .update(digestPosts)
        .set({ lastError: error, claimedAt })
        .where(and(eq(digestPosts.id, id), eq(digestPosts.state, 'sending')));
    },

    /**
     * Undoes an attempt that Slack refused for its token: the claim goes back to the row as it was
     * before this attempt (`previous`), or, for a first attempt, is removed, so the next attempt is a
     * first attempt again. Only the holder of the claim can do it.
     */
    async putBack(post: DigestPost, previous: DigestPost | undefined): Promise<void> {
      const held = and(
        eq(digestPosts.id, post.id),
        eq(digestPosts.state, 'sending'),
        post.claimedBy === null ? isNull(digestPosts.claimedBy) : eq(digestPosts.claimedBy, post.claimedBy),
      );
      if (!previous) {
        await db.delete(digestPosts).where(held);
        return;
      }
      await db
        .update(digestPosts)
        .set({
          state: previous.state,
          attempts: previous.attempts,
          lastError: previous.lastError,
          claimedAt: previous.claimedAt,
          claimedBy: previous.claimedBy,
          nextAttemptAt: previous.nextAttemptAt,
        })
        .where(held);
    },

    /** True for the one caller that may tell an admin about this post's failure. */
    async claimAdminNotice(id: number, now: Date): Promise<boolean> {
      const rows = await db
        .update(digestPosts)
        .set({ adminNotifiedAt: now })
        .where(and(eq(digestPosts.id, id), isNull(digestPosts.adminNotifiedAt)))
        .returning({ id: digestPosts.id });
      return rows.length > 0;
    },
  };
}

export type DigestsRepository = ReturnType<typeof createDigestsRepository>;
