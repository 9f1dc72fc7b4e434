import { and, asc, count, desc, eq, gt, gte, isNotNull, max, min, ne, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  type ActionPlan,
  actionPlans,
  type Committee,
  committees,
  type DigestPost,
  digestPosts,
  personSettings,
  type Round,
  reminders,
  roundResponses,
  rounds,
  staffProfiles,
} from '../../db/schema.js';
import { claimSlackEvent } from '../installation/installation.repository.js';

/** A list cut to what a Home can show, with the count of everything, so the rest can be summarised. */
export interface Listed<T> {
  items: T[];
  total: number;
}

/** A completed round as the Home draws it: when, with whom, both scores. */
export interface CompletedRound {
  id: number;
  completedAt: Date;
  customerUserId: string | null;
  customerName: string;
  service: string;
  segment: Round['segment'];
  selfScore: number;
  customerScore: number;
}

/**
 * What the Home tab reads, across modules, in one place: read-only queries, each bounded (a Home
 * shows at most a few dozen rows, however much history someone has).
 */
export function createHomeRepository({ db }: { db: Database }) {
  // Asked for both people of every round started or answered: built once (src/db/prepared.ts).
  const openedAt = db
    .select({ at: personSettings.homeOpenedAt })
    .from(personSettings)
    .where(eq(personSettings.userId, sql.placeholder('userId')))
    .limit(1)
    .prepare('home_opened_at');
  return {
    /** Records an `app_home_opened` delivery by Slack's event id: false for Slack's retry of one. */
    async claimOpening(eventId: string, receivedAt: Date): Promise<boolean> {
      return claimSlackEvent(db, { eventId, type: 'app_home_opened', receivedAt });
    },

    /** Remembers that this person has opened their Home (so changes republish it from now on). */
    async noteOpened(userId: string, at: Date): Promise<void> {
      await db
        .insert(personSettings)
        .values({ userId, homeOpenedAt: at, updatedAt: at })
        .onConflictDoUpdate({ target: personSettings.userId, set: { homeOpenedAt: at, updatedAt: at } });
    },

    /** Whether this person has ever opened their Home. */
    async hasOpened(userId: string): Promise<boolean> {
      const [row] = await openedAt.execute({ userId });
      return Boolean(row?.at);
    },

    /** Rounds in which this person is the customer and has not answered yet, oldest first. */
    async waitingFor(userId: string, limit: number): Promise<Listed<Round>> {
      const where = and(eq(rounds.customerUserId, userId), eq(rounds.status, 'awaiting_customer'));
      const [items, [total]] = await Promise.all([
        db.select().from(rounds).where(where).orderBy(asc(rounds.createdAt)).limit(limit),
        db.select({ n: count() }).from(rounds).where(where),
      ]);
      return { items, total: total?.n ?? 0 };
    },

    /** This staff member's rounds awaiting their customer, oldest first. */
    async openRoundsOf(userId: string, limit: number): Promise<Listed<Round>> {
      const where = and(eq(rounds.staffUserId, userId), eq(rounds.status, 'awaiting_customer'));
      const [items, [total]] = await Promise.all([
        db.select().from(rounds).where(where).orderBy(asc(rounds.createdAt)).limit(limit),
        db.select({ n: count() }).from(rounds).where(where),
      ]);
      return { items, total: total?.n ?? 0 };
    },

    /** This staff member's completed rounds since `since`, oldest first (a year is a few hundred at most). */
    async completedSince(userId: string, since: Date, limit = 1000): Promise<CompletedRound[]> {
      const rows = await db
        .select({
          id: rounds.id,
          completedAt: rounds.completedAt,
          customerUserId: rounds.customerUserId,
          customerName: rounds.customerName,
          service: rounds.service,
          segment: rounds.segment,
          selfScore: rounds.selfScore,
          customerScore: roundResponses.customerScore,
        })
        .from(rounds)
        .innerJoin(roundResponses, eq(roundResponses.roundId, rounds.id))
        .where(
          and(eq(rounds.staffUserId, userId), eq(rounds.status, 'completed'), gte(rounds.completedAt, since)),
        )
        .orderBy(asc(rounds.completedAt), asc(rounds.id))
        .limit(limit);
      return rows.map((row) => ({ ...row, completedAt: row.completedAt as Date }));
    },

    /** Open plans this person is in, as staff member or manager, with the next check-in due. */
    async plansOf(
      userId: string,
      limit: number,
    ): Promise<Listed<{ plan: ActionPlan; nextCheckinAt: Date | null }>> {
      const where = and(
        ne(actionPlans.state, 'closed'),
        or(eq(actionPlans.staffUserId, userId), eq(actionPlans.managerUserId, userId)),
      );
      const nextCheckin = db
        .select({ planId: reminders.planId, dueAt: min(reminders.dueAt).as('due_at') })
        .from(reminders)
        .where(
          and(
            eq(reminders.kind, 'plan_checkin'),
            eq(reminders.state, 'pending'),
            isNotNull(reminders.planId),
          ),
        )
        .groupBy(reminders.planId)
        .as('next_checkin');
      const [items, [total]] = await Promise.all([
        db
          .select({ plan: actionPlans, nextCheckinAt: nextCheckin.dueAt })
          .from(actionPlans)
          .leftJoin(nextCheckin, eq(nextCheckin.planId, actionPlans.id))
          .where(where)
          .orderBy(desc(actionPlans.createdAt))
          .limit(limit),
        db.select({ n: count() }).from(actionPlans).where(where),
      ]);
      return {
        items: items.map((row) => ({ plan: row.plan, nextCheckinAt: row.nextCheckinAt ?? null })),
        total: total?.n ?? 0,
      };
    },

    /** Every active committee with its latest digest post, if any (an admin's overview). */
    async committeesWithLastPost(
      limit: number,
    ): Promise<Listed<{ committee: Committee; lastPost: DigestPost | null }>> {
      const latest = db
        .select({ committeeId: digestPosts.committeeId, id: max(digestPosts.id).as('last_post_id') })
        .from(digestPosts)
        .groupBy(digestPosts.committeeId)
        .as('latest');
      const [items, [total]] = await Promise.all([
        db
          .select({ committee: committees, lastPost: digestPosts })
          .from(committees)
          .leftJoin(latest, eq(latest.committeeId, committees.id))
          .leftJoin(digestPosts, eq(digestPosts.id, latest.id))
          .where(eq(committees.active, true))
          .orderBy(asc(committees.id))
          .limit(limit),
        db.select({ n: count() }).from(committees).where(eq(committees.active, true)),
      ]);
      return {
        items: items.map((row) => ({ committee: row.committee, lastPost: row.lastPost ?? null })),
        total: total?.n ?? 0,
      };
    },

    /**
     * Staff members (everyone who has ever rated their service) whose latest round started before
     * `since`, by unit then by how long ago.
     */
    async staffWithoutRoundSince(
      since: Date,
      limit: number,
    ): Promise<Listed<{ userId: string; unit: string; lastRoundAt: Date | null }>> {
      const last = db
        .select({ staffUserId: rounds.staffUserId, at: max(rounds.createdAt).as('at') })
        .from(rounds)
        .groupBy(rounds.staffUserId)
        .as('last');
      const where = sql`(${last.at} is null or ${last.at} < ${since.toISOString()}::timestamptz)`;
      const [items, [total]] = await Promise.all([
        db
          .select({ userId: staffProfiles.userId, unit: staffProfiles.unit, lastRoundAt: last.at })
          .from(staffProfiles)
          .leftJoin(last, eq(last.staffUserId, staffProfiles.userId))
          .where(where)
          .orderBy(asc(staffProfiles.unit), asc(last.at), asc(staffProfiles.userId))
          .limit(limit),
        db
          .select({ n: count() })
          .from(staffProfiles)
          .leftJoin(last, eq(last.staffUserId, staffProfiles.userId))
          .where(where),
      ]);
      return {
        items: items.map((row) => ({
          ...row,
          lastRoundAt: row.lastRoundAt ? new Date(row.lastRoundAt) : null,
        })),
        total: total?.n ?? 0,
      };
    },

    /** People whose reminders are muted now, and until when. */
    async mutedPeople(now: Date, limit: number): Promise<Listed<{ userId: string; mutedUntil: Date }>> {
      const where = gt(personSettings.mutedUntil, now);
      const [items, [total]] = await Promise.all([
        db
          .select({ userId: personSettings.userId, mutedUntil: personSettings.mutedUntil })
          .from(personSettings)
          .where(where)
          .orderBy(asc(personSettings.mutedUntil))
          .limit(limit),
        db.select({ n: count() }).from(personSettings).where(where),
      ]);
      return {
        items: items.map((row) => ({ userId: row.userId, mutedUntil: row.mutedUntil as Date })),
        total: total?.n ?? 0,
      };
    },
  };
}

export type HomeRepository = ReturnType<typeof createHomeRepository>;
