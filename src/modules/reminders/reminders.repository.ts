import {
  and,
  asc,
  desc,
  eq,
  exists,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  ne,
  notExists,
  notInArray,
  or,
  type SQL,
  type SQLWrapper,
  sql,
} from 'drizzle-orm';
import { type AnyPgColumn, alias } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client.js';
import {
  type NewReminder,
  personSettings,
  type Reminder,
  reminders,
  rounds,
  staffProfiles,
} from '../../db/schema.js';
import { FORGOTTEN_USER_PREFIX } from '../erasure/erasure.content.js';

export type ReminderKind = Reminder['kind'];
type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** A round's own messages, which people wait for: a mute never holds them, nor moves them. */
const OUTBOX_KINDS: readonly ReminderKind[] = ['customer_request', 'round_result'];

/**
 * Where a person's held reminders go, given when they may be sent again (a mute's end, or the moment
 * it was lifted) and the due time each had before the mute held it: one new due time for each.
 */
export type PlaceHeld = (from: Date, planned: Date[]) => Date[];

/** Serialises every change to one person's mute and held reminders: holds, mutes and unmutes. */
async function lockMute(tx: Transaction, userId: string): Promise<Date | null> {
  const [row] = await tx
    .select({ mutedUntil: personSettings.mutedUntil })
    .from(personSettings)
    .where(eq(personSettings.userId, userId))
    .for('update');
  return row?.mutedUntil ?? null;
}

async function writeMute(tx: Transaction, userId: string, mutedUntil: Date | null, now: Date) {
  await tx
    .insert(personSettings)
    .values({ userId, mutedUntil, updatedAt: now })
    .onConflictDoUpdate({ target: personSettings.userId, set: { mutedUntil, updatedAt: now } });
}

/**
 * The rest of a series follows its held reminder: a later reminder to the same person for the same
 * round or plan is held with it, from its own due time. Otherwise a mute that ends between a round's
 * two nudges would release the first a day before the second, or in the same minute.
 */
async function holdRestOfSeries(tx: Transaction, userId: string): Promise<void> {
  const held = alias(reminders, 'held');
  await tx
    .update(reminders)
    .set({ mutedFrom: sql`${reminders.dueAt}` })
    .where(
      and(
        eq(reminders.recipientUserId, userId),
        eq(reminders.state, 'pending'),
        isNull(reminders.mutedFrom),
        notInArray(reminders.kind, [...OUTBOX_KINDS]),
        exists(
          tx
            .select({ one: sql`1` })
            .from(held)
            .where(
              and(
                eq(held.recipientUserId, userId),
                eq(held.state, 'pending'),
                isNotNull(held.mutedFrom),
                or(eq(held.roundId, reminders.roundId), eq(held.planId, reminders.planId)),
                lt(held.mutedFrom, reminders.dueAt),
              ),
            ),
        ),
      ),
    );
}

/**
 * Gives each of the person's held reminders its due time from `from`, all at once, so the spacing
 * is always measured from the earliest one still held. `release` ends the hold.
 */
async function placeHeld(
  tx: Transaction,
  userId: string,
  from: Date,
  place: PlaceHeld,
  release: boolean,
): Promise<Map<number, Date>> {
  const held = await tx
    .select({ id: reminders.id, mutedFrom: reminders.mutedFrom })
    .from(reminders)
    .where(
      and(
        eq(reminders.recipientUserId, userId),
        eq(reminders.state, 'pending'),
        isNotNull(reminders.mutedFrom),
      ),
    )
    .orderBy(asc(reminders.mutedFrom), asc(reminders.id))
    .for('update');
  const due = place(
    from,
    held.map((row) => row.mutedFrom as Date),
  );
  const placed = new Map<number, Date>();
  for (const [index, row] of held.entries()) {
    const dueAt = due[index] ?? from;
    await tx
      .update(reminders)
      .set({ dueAt, ...(release ? { mutedFrom: null } : {}) })
      .where(and(eq(reminders.id, row.id), eq(reminders.state, 'pending')));
    placed.set(row.id, dueAt);
  }
  return placed;
}

/** A hold left from a mute that ran out: those reminders already have their place; forget the hold. */
async function forgetHolds(tx: Transaction, userId: string): Promise<void> {
  await tx
    .update(reminders)
    .set({ mutedFrom: null })
    .where(
      and(
        eq(reminders.recipientUserId, userId),
        eq(reminders.state, 'pending'),
        isNotNull(reminders.mutedFrom),
      ),
    );
}

/**
 * `id = any(array(<locking subquery>))`. The subquery runs once, as an InitPlan. The tempting
 * `id in (select ... limit n for update skip locked)` may be rescanned by the planner, and each
 * rescan skips the rows the previous one locked: one copy then claims far more than `n`.
 */
function inClaimed(column: AnyPgColumn, subquery: SQLWrapper): SQL {
  return sql`${column} = any(array(${subquery}))`;
}

/**
 * The reminder queue's SQL. Claims use FOR UPDATE SKIP LOCKED inside a single UPDATE, so copies of
 * the app ticking together never take the same row; every later write is guarded by the state it
 * expects, so a late or repeated write cannot undo another copy's work.
 */
export function createRemindersRepository({ db }: { db: Database }) {
  // The statements of every message sent: its claim, and its record (an attempt that went, or an
  // earlier one found in Slack after all), built once (src/db/prepared.ts).
  const claimKey = db
    .update(reminders)
    .set({
      state: 'sending',
      claimedAt: sql`${sql.placeholder('now')}::timestamptz`,
      claimedBy: sql`${sql.placeholder('instanceId')}`,
    })
    .where(and(eq(reminders.dedupeKey, sql.placeholder('dedupeKey')), eq(reminders.state, 'pending')))
    .returning()
    .prepare('reminder_claim_key');
  const markSentStatement = (attempted: boolean) =>
    db
      .update(reminders)
      .set({
        state: 'sent',
        sentAt: sql`${sql.placeholder('at')}::timestamptz`,
        messageChannelId: sql`${sql.placeholder('channelId')}`,
        messageTs: sql`${sql.placeholder('ts')}`,
        lastError: null,
        ...(attempted ? { attempts: sql`${reminders.attempts} + 1` } : {}),
      })
      .where(and(eq(reminders.id, sql.placeholder('id')), eq(reminders.state, 'sending')))
      .prepare(attempted ? 'reminder_mark_sent' : 'reminder_mark_found_sent');
  const markSent = { attempted: markSentStatement(true), found: markSentStatement(false) };
  return {
    /** Inserts reminders, dropping any whose dedupe key exists. Returns those actually inserted. */
    async schedule(rows: NewReminder[]): Promise<Reminder[]> {
      if (rows.length === 0) return [];
      return db
        .insert(reminders)
        .values(rows)
        .onConflictDoNothing({ target: reminders.dedupeKey })
        .returning();
    },

    /** How many rows the outbox holds in each state (the metrics' queue depth). */
    async countByState(): Promise<{ state: Reminder['state']; count: number }[]> {
      return db
        .select({ state: reminders.state, count: sql<number>`count(*)::int` })
        .from(reminders)
        .groupBy(reminders.state);
    },

    /** Takes up to `limit` due reminders for this copy: pending -> sending. */
    async claimDue(now: Date, limit: number, instanceId: string): Promise<Reminder[]> {
      const due = db
        .select({ id: reminders.id })
        .from(reminders)
        .where(and(eq(reminders.state, 'pending'), lte(reminders.dueAt, now)))
        .orderBy(asc(reminders.dueAt), asc(reminders.id))
        .limit(limit)
        .for('update', { skipLocked: true });
      return db
        .update(reminders)
        .set({ state: 'sending', claimedAt: now, claimedBy: instanceId })
        .where(and(inClaimed(reminders.id, due), eq(reminders.state, 'pending')))
        .returning();
    },

    /** Takes one pending reminder by its key, to send it now rather than on the next tick. */
    async claimByKey(dedupeKey: string, now: Date, instanceId: string): Promise<Reminder | undefined> {
      const [row] = await claimKey.execute({ dedupeKey, now: now.toISOString(), instanceId });
      return row;
    },

    /**
     * Takes over claims older than the lease (a copy crashed, or a send's outcome was unknown). The
     * caller must find out from Slack whether the message went out before sending it again.
     */
    async claimStale(now: Date, leaseMs: number, limit: number, instanceId: string): Promise<Reminder[]> {
      const stale = db
        .select({ id: reminders.id })
        .from(reminders)
        .where(
          and(eq(reminders.state, 'sending'), lt(reminders.claimedAt, new Date(now.getTime() - leaseMs))),
        )
        .orderBy(asc(reminders.claimedAt))
        .limit(limit)
        .for('update', { skipLocked: true });
      return db
        .update(reminders)
        .set({ claimedAt: now, claimedBy: instanceId })
        .where(and(inClaimed(reminders.id, stale), eq(reminders.state, 'sending')))
        .returning();
    },

    async markSent(id: number, at: Date, channelId: string, ts: string, attempted = true): Promise<void> {
      await (attempted ? markSent.attempted : markSent.found).execute({
        id,
        at: at.toISOString(),
        channelId,
        ts,
      });
    },

    /** Back to the queue, not before `dueAt` (working hours, a mute, a rate limit, a retry). */
    async release(id: number, dueAt: Date, error: string | null = null, attempted = false): Promise<void> {
      await db
        .update(reminders)
        .set({
          state: 'pending',
          dueAt,
          claimedAt: null,
          claimedBy: null,
          lastError: error,
          ...(attempted ? { attempts: sql`${reminders.attempts} + 1` } : {}),
        })
        .where(and(eq(reminders.id, id), eq(reminders.state, 'sending')));
    },

    /**
     * Leaves a claim whose send had an unknown outcome for the stale-claim check, which asks Slack.
     * Backdating the claim makes that happen on the next tick rather than after a whole lease.
     * `attempted: false` when nothing was sent this time (a kind this copy does not know).
     */
    async markUncertain(id: number, claimedAt: Date, error: string, attempted = true): Promise<void> {
      await db
        .update(reminders)
        .set({
          claimedAt,
          lastError: error,
          ...(attempted ? { attempts: sql`${reminders.attempts} + 1` } : {}),
        })
        .where(and(eq(reminders.id, id), eq(reminders.state, 'sending')));
    },

    async fail(id: number, error: string, attempted = false): Promise<void> {
      await db
        .update(reminders)
        .set({
          state: 'failed',
          lastError: error,
          ...(attempted ? { attempts: sql`${reminders.attempts} + 1` } : {}),
        })
        .where(and(eq(reminders.id, id), eq(reminders.state, 'sending')));
    },

    async cancel(id: number, reason: string): Promise<void> {
      await db
        .update(reminders)
        .set({ state: 'cancelled', lastError: reason })
        .where(and(eq(reminders.id, id), inArray(reminders.state, ['sending', 'pending'])));
    },

    async findByKey(dedupeKey: string): Promise<Reminder | undefined> {
      const [row] = await db.select().from(reminders).where(eq(reminders.dedupeKey, dedupeKey)).limit(1);
      return row;
    },

    async find(id: number): Promise<Reminder | undefined> {
      const [row] = await db.select().from(reminders).where(eq(reminders.id, id)).limit(1);
      return row;
    },

    /** Awaiting rounds the scheduler has not yet given their reminders. */
    async roundsWithoutReminders(limit: number) {
      return db
        .select()
        .from(rounds)
        .where(
          and(
            eq(rounds.status, 'awaiting_customer'),
            notExists(
              db
                .select({ one: sql`1` })
                .from(reminders)
                .where(and(eq(reminders.roundId, rounds.id), eq(reminders.kind, 'interview_due'))),
            ),
          ),
        )
        .orderBy(asc(rounds.id))
        .limit(limit);
    },

    /**
     * Expires rounds left unanswered since `cutoff`, schedules one "expired" note to each staff
     * member and cancels the round's other reminders, in one transaction.
     */
    async expireRounds(cutoff: Date, now: Date, limit: number): Promise<number> {
      return db.transaction(async (tx) => {
        const candidates = tx
          .select({ id: rounds.id })
          .from(rounds)
          .where(and(eq(rounds.status, 'awaiting_customer'), lte(rounds.createdAt, cutoff)))
          .limit(limit)
          .for('update', { skipLocked: true });
        const expired = await tx
          .update(rounds)
          .set({ status: 'expired', closedAt: now })
          .where(and(inClaimed(rounds.id, candidates), eq(rounds.status, 'awaiting_customer')))
          .returning({ id: rounds.id, staffUserId: rounds.staffUserId });
        if (expired.length === 0) return 0;
        const ids = expired.map((round) => round.id);
        await tx
          .update(reminders)
          .set({ state: 'cancelled', lastError: 'round_expired' })
          .where(and(inArray(reminders.roundId, ids), eq(reminders.state, 'pending')));
        await tx
          .insert(reminders)
          .values(
            expired.map((round) => ({
              kind: 'round_expired' as const,
              roundId: round.id,
              recipientUserId: round.staffUserId,
              dueAt: now,
              dedupeKey: `round_expired:${round.id}`,
            })),
          )
          .onConflictDoNothing({ target: reminders.dedupeKey });
        return expired.length;
      });
    },

    /**
     * Staff whose latest round started before `cutoff` and who have not been invited since it. A
     * forgotten person's pseudonym keeps their rounds but is nobody to invite.
     */
    async staffDueForCadence(cutoff: Date, limit: number) {
      const latest = db
        .select({
          staffUserId: rounds.staffUserId,
          roundId:
            sql<number>`(array_agg(${rounds.id} order by ${rounds.createdAt} desc, ${rounds.id} desc))[1]`.as(
              'round_id',
            ),
          lastAt: sql<Date>`max(${rounds.createdAt})`.as('last_at'),
        })
        .from(rounds)
        .groupBy(rounds.staffUserId)
        .as('latest');
      const rows = await db
        .select({ staffUserId: staffProfiles.userId, roundId: latest.roundId, lastAt: latest.lastAt })
        .from(staffProfiles)
        .innerJoin(latest, eq(latest.staffUserId, staffProfiles.userId))
        .where(
          and(
            // A typed parameter: drizzle cannot map a Date compared with a raw SQL column.
            sql`${latest.lastAt} <= ${cutoff.toISOString()}::timestamptz`,
            sql`not starts_with(${staffProfiles.userId}, ${FORGOTTEN_USER_PREFIX})`,
            notExists(
              db
                .select({ one: sql`1` })
                .from(reminders)
                .where(
                  eq(
                    reminders.dedupeKey,
                    sql`'cadence:' || ${staffProfiles.userId} || ':' || ${latest.roundId}`,
                  ),
                ),
            ),
          ),
        )
        .limit(limit);
      return rows.map((row) => ({ ...row, lastAt: new Date(row.lastAt) }));
    },

    async latestRoundId(staffUserId: string): Promise<number | undefined> {
      const [row] = await db
        .select({ id: rounds.id })
        .from(rounds)
        .where(eq(rounds.staffUserId, staffUserId))
        .orderBy(desc(rounds.createdAt), desc(rounds.id))
        .limit(1);
      return row?.id;
    },

    async mutedUntil(userId: string): Promise<Date | null> {
      const [row] = await db.select().from(personSettings).where(eq(personSettings.userId, userId)).limit(1);
      return row?.mutedUntil ?? null;
    },

    /**
     * Holds a claimed reminder back for its recipient's mute (claimed -> pending), remembering the due
     * time it had (once, however often it is held), and places all the person's held reminders after
     * the mute's end. Returns the reminder's new due time, or undefined when no mute is in force any
     * more (it was lifted meanwhile): the caller then goes on as if there had been none.
     */
    async holdForMute(id: number, userId: string, now: Date, place: PlaceHeld): Promise<Date | undefined> {
      return db.transaction(async (tx) => {
        const until = await lockMute(tx, userId);
        if (!until || until <= now) return undefined;
        await tx
          .update(reminders)
          .set({
            state: 'pending',
            mutedFrom: sql`coalesce(${reminders.mutedFrom}, ${reminders.dueAt})`,
            claimedAt: null,
            claimedBy: null,
            lastError: 'muted',
          })
          .where(and(eq(reminders.id, id), eq(reminders.state, 'sending')));
        await holdRestOfSeries(tx, userId);
        const placed = await placeHeld(tx, userId, until, place, false);
        return placed.get(id) ?? until;
      });
    },

    /**
     * Mutes a person until `until`. Lengthening or shortening a mute in force moves what it holds to
     * the new end; a fresh mute starts with nothing held.
     */
    async mute(userId: string, until: Date, now: Date, place: PlaceHeld): Promise<void> {
      await db.transaction(async (tx) => {
        const previous = await lockMute(tx, userId);
        await writeMute(tx, userId, until, now);
        if (previous && previous > now) await placeHeld(tx, userId, until, place, false);
        else await forgetHolds(tx, userId);
      });
    },

    /** Lifts a person's mute: what it held is placed from `now`, and the hold ends. */
    async unmute(userId: string, now: Date, place: PlaceHeld): Promise<void> {
      await db.transaction(async (tx) => {
        const previous = await lockMute(tx, userId);
        await writeMute(tx, userId, null, now);
        if (previous && previous > now) await placeHeld(tx, userId, now, place, true);
        else await forgetHolds(tx, userId);
      });
    },

    /** Cancels a round still awaiting its customer, and its pending reminders. */
    async cancelRound(
      roundId: number,
      staffUserId: string,
      now: Date,
    ): Promise<'cancelled' | 'not_open' | 'not_yours'> {
      return db.transaction(async (tx) => {
        const [round] = await tx.select().from(rounds).where(eq(rounds.id, roundId)).for('update');
        if (!round) return 'not_open';
        if (round.staffUserId !== staffUserId) return 'not_yours';
        if (round.status !== 'awaiting_customer') return 'not_open';
        await tx.update(rounds).set({ status: 'cancelled', closedAt: now }).where(eq(rounds.id, roundId));
        await tx
          .update(reminders)
          .set({ state: 'cancelled', lastError: 'round_cancelled' })
          .where(and(eq(reminders.roundId, roundId), eq(reminders.state, 'pending')));
        return 'cancelled';
      });
    },

    async list({ due, now, limit }: { due?: boolean; now: Date; limit: number }) {
      return db
        .select()
        .from(reminders)
        .where(
          due
            ? and(eq(reminders.state, 'pending'), lte(reminders.dueAt, now))
            : ne(reminders.state, 'cancelled'),
        )
        .orderBy(asc(reminders.dueAt), asc(reminders.id))
        .limit(limit);
    },
  };
}

export type RemindersRepository = ReturnType<typeof createRemindersRepository>;
