import { and, asc, desc, eq, getTableColumns, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../../db/client.js';
import { uniqueViolation } from '../../db/errors.js';
import { preparedSql } from '../../db/prepared.js';
import {
  type NewRound,
  type PatronLink,
  patronLinks,
  type Round,
  type RoundResponse,
  reminders,
  roundResponses,
  rounds,
  staffProfiles,
} from '../../db/schema.js';
import { DuplicateOpenRoundError, RoundNotOpenError } from './rounds.errors.js';
import { CUSTOMER_REQUEST_KEY_PREFIX, roundResultKey } from './rounds.port.js';

export type NewRoundResponse = typeof roundResponses.$inferInsert;

const roundColumns = Object.entries(getTableColumns(rounds));

/** A row of `rounds` as the database sent it (column names, driver values), as drizzle reads one. */
function roundFromRow(row: Record<string, unknown>): Round {
  const round: Record<string, unknown> = {};
  for (const [key, column] of roundColumns) {
    const value = row[column.name];
    round[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return round as Round;
}

/** The columns a new round is stored with: every one but its generated id. */
const insertedRoundColumns = roundColumns.filter(([key]) => key !== 'id');
const insertedRoundKeys = insertedRoundColumns.map(([key]) => key);

/**
 * Stores a new round and remembers the staff member's unit, in one statement, so one round trip
 * before the acknowledgement (a statement is all or nothing, like a transaction): the staff
 * member's unit, the round, the request to a customer in Slack (the outbox: if the app stops before
 * sending it, or never learns that it committed, the queue sends it) and, `withLink`, an outside
 * patron's link (only its token's hash). Built once per repository (src/db/prepared.ts).
 */
function startRoundStatement(db: Database, withLink: boolean) {
  return preparedSql<Record<string, unknown>>(db, (value) => {
    const staff = db
      .insert(staffProfiles)
      .values({ userId: value('staffUserId'), unit: value('unit'), updatedAt: value('staffUpdatedAt') })
      .onConflictDoUpdate({
        target: staffProfiles.userId,
        set: { unit: sql`excluded.unit`, updatedAt: sql`excluded.updated_at` },
      });
    // As SQL, not as the column's values: a null is bound as null (createRound encodes the rest).
    const placeholders = Object.fromEntries(insertedRoundKeys.map((key) => [key, sql`${value(key)}`]));
    const insert = db
      .insert(rounds)
      .values(placeholders as unknown as NewRound)
      .onConflictDoNothing({ target: rounds.sourceViewId })
      .returning();
    const link = withLink
      ? sql`, link as (
          insert into ${patronLinks} (round_id, token_hash, expires_at)
          select id, ${value('tokenHash')}, ${value('expiresAt')}::timestamptz
          from inserted where customer_user_id is null)`
      : sql``;
    return sql`
      with staff as (${staff.getSQL()}),
      inserted as (${insert.getSQL()}),
      request as (
        insert into ${reminders} (kind, round_id, recipient_user_id, due_at, dedupe_key)
        select 'customer_request', id, customer_user_id, created_at, ${CUSTOMER_REQUEST_KEY_PREFIX} || id
        from inserted where customer_user_id is not null)
      ${link}
      select * from inserted`;
  });
}

export function createRoundsRepository({ db }: { db: Database }) {
  const startRoundOnly = startRoundStatement(db, false);
  const startRoundWithLink = startRoundStatement(db, true);
  const roundBySourceView = db
    .select()
    .from(rounds)
    .where(eq(rounds.sourceViewId, sql.placeholder('sourceViewId')))
    .prepare('round_by_source_view');
  const roundById = db
    .select()
    .from(rounds)
    .where(eq(rounds.id, sql.placeholder('id')))
    .limit(1)
    .prepare('round_by_id');
  const requestMessage = db
    .update(rounds)
    .set({
      requestChannelId: sql`${sql.placeholder('channelId')}`,
      requestTs: sql`${sql.placeholder('ts')}`,
    })
    .where(eq(rounds.id, sql.placeholder('roundId')))
    .prepare('round_request_message');
  const formDefaults = preparedSql<{ staffUserId: string; limit: number }>(
    db,
    (value) => sql`
      select
        (select ${staffProfiles.unit} from ${staffProfiles} where ${staffProfiles.userId} = ${value('staffUserId')}) as unit,
        coalesce((
          select json_agg(recent.service order by recent.last_used desc)
          from (
            select (array_agg(${rounds.service} order by ${rounds.createdAt} desc))[1] as service,
                   max(${rounds.createdAt}) as last_used
            from ${rounds}
            where ${rounds.staffUserId} = ${value('staffUserId')}
            group by ${rounds.serviceKey}
            order by max(${rounds.createdAt}) desc
            limit ${value('limit')}
          ) recent
        ), '[]'::json) as services`,
  );
  return {
    /**
     * What the round form starts from, in one round trip (it runs before `/rate-service` is
     * acknowledged): the staff member's unit, and the services they named before, most recently
     * used first.
     */
    async formDefaults(
      staffUserId: string,
      limit: number,
    ): Promise<{ unit: string | null; services: string[] }> {
      const result = await formDefaults({ staffUserId, limit });
      // Both engines parse json into arrays; the coalesce makes it [] for a newcomer.
      const [row] = rowsOf<{ unit: string | null; services: string[] }>(result);
      return { unit: row?.unit ?? null, services: row?.services ?? [] };
    },

    /**
     * Stores a new round in one statement (startRoundStatement). A second submission of the same
     * Slack view returns the round the first one stored (`created: false`); a different request for
     * a customer and service that already have an open round is refused.
     */
    async createRound(
      round: Omit<NewRound, 'id'>,
      { patronLink }: { patronLink?: { tokenHash: string; expiresAt: Date } | undefined } = {},
    ): Promise<{ round: Round; created: boolean }> {
      // Every column is given (a new round's defaults filled here), so one statement serves all.
      const at = round.createdAt ?? new Date();
      const given: Record<string, unknown> = {
        ...round,
        status: round.status ?? 'awaiting_customer',
        createdAt: at,
      };
      const values: Record<string, unknown> = { staffUpdatedAt: at };
      for (const [key, column] of insertedRoundColumns)
        values[key] = given[key] == null ? null : column.mapToDriverValue(given[key]);
      try {
        const result = patronLink
          ? await startRoundWithLink({
              ...values,
              tokenHash: patronLink.tokenHash,
              expiresAt: patronLink.expiresAt.toISOString(),
            })
          : await startRoundOnly(values);
        const [inserted] = rowsOf<Record<string, unknown>>(result);
        if (inserted) return { round: roundFromRow(inserted), created: true };
      } catch (error) {
        if (uniqueViolation(error) === 'rounds_one_open_per_customer_service')
          throw new DuplicateOpenRoundError();
        throw error;
      }
      const [existing] = await roundBySourceView.execute({ sourceViewId: round.sourceViewId });
      if (!existing) throw new Error('round vanished between insert and select');
      return { round: existing, created: false };
    },

    /** A patron's link by its token's hash, with its round. */
    async findPatronLink(tokenHash: string): Promise<{ link: PatronLink; round: Round } | undefined> {
      const [row] = await db
        .select({ link: patronLinks, round: rounds })
        .from(patronLinks)
        .innerJoin(rounds, eq(rounds.id, patronLinks.roundId))
        .where(eq(patronLinks.tokenHash, tokenHash))
        .limit(1);
      return row;
    },

    /** Gives an open round with an outside customer a link (or a new one, replacing the old). */
    async setPatronLink(roundId: number, tokenHash: string, expiresAt: Date): Promise<boolean> {
      const [round] = await db
        .select({ id: rounds.id })
        .from(rounds)
        .where(
          and(
            eq(rounds.id, roundId),
            eq(rounds.status, 'awaiting_customer'),
            sql`${rounds.customerUserId} is null`,
          ),
        );
      if (!round) return false;
      await db
        .insert(patronLinks)
        .values({ roundId, tokenHash, expiresAt })
        .onConflictDoUpdate({ target: patronLinks.roundId, set: { tokenHash, expiresAt, usedAt: null } });
      return true;
    },

    async findRound(id: number): Promise<Round | undefined> {
      const [row] = await roundById.execute({ id });
      return row;
    },

    async findResponse(roundId: number): Promise<RoundResponse | undefined> {
      const [row] = await db
        .select()
        .from(roundResponses)
        .where(eq(roundResponses.roundId, roundId))
        .limit(1);
      return row;
    },

    /**
     * Stores the customer's response and completes the round, in one transaction. The same view
     * submitted twice returns the stored response (`created: false`). A round that is no longer
     * awaiting its customer (already answered, expired, cancelled) is refused.
     */
    async recordResponse(
      response: NewRoundResponse,
      completedAt: Date,
    ): Promise<{ round: Round; response: RoundResponse; created: boolean }> {
      return db.transaction(async (tx) => {
        const [previous] = await tx
          .select()
          .from(roundResponses)
          .where(eq(roundResponses.sourceViewId, response.sourceViewId))
          .limit(1);
        if (previous) {
          const [round] = await tx.select().from(rounds).where(eq(rounds.id, previous.roundId));
          if (round) return { round, response: previous, created: false };
        }
        // Taking the round row first serialises concurrent answers to the same round.
        const [round] = await tx
          .update(rounds)
          .set({ status: 'completed', completedAt })
          .where(and(eq(rounds.id, response.roundId), eq(rounds.status, 'awaiting_customer')))
          .returning();
        if (!round) {
          const [again] = await tx
            .select()
            .from(roundResponses)
            .where(eq(roundResponses.sourceViewId, response.sourceViewId))
            .limit(1);
          const [current] = await tx.select().from(rounds).where(eq(rounds.id, response.roundId));
          if (again && current) return { round: current, response: again, created: false };
          throw new RoundNotOpenError(current?.status ?? 'missing');
        }
        const [stored] = await tx.insert(roundResponses).values(response).returning();
        if (!stored) throw new Error('response insert returned nothing');
        // The round's link, if it had one, has had its one answer.
        await tx
          .update(patronLinks)
          .set({ usedAt: completedAt })
          .where(and(eq(patronLinks.roundId, round.id), sql`${patronLinks.usedAt} is null`));
        // Nothing still to come for this round (nudges, interview day) applies any more...
        await tx
          .update(reminders)
          .set({ state: 'cancelled', lastError: 'round_completed' })
          .where(and(eq(reminders.roundId, round.id), eq(reminders.state, 'pending')));
        // ...but the staff member's result is due, through the outbox, whatever happens next.
        await tx.insert(reminders).values({
          kind: 'round_result',
          roundId: round.id,
          recipientUserId: round.staffUserId,
          dueAt: completedAt,
          dedupeKey: roundResultKey(round.id),
        });
        return { round, response: stored, created: true };
      });
    },

    async setRequestMessage(roundId: number, channelId: string, ts: string): Promise<void> {
      await requestMessage.execute({ roundId, channelId, ts });
    },

    async listRounds({ staffUserId, limit }: { staffUserId?: string | undefined; limit: number }) {
      return db
        .select({
          round: rounds,
          customerScore: roundResponses.customerScore,
        })
        .from(rounds)
        .leftJoin(roundResponses, eq(roundResponses.roundId, rounds.id))
        .where(staffUserId ? eq(rounds.staffUserId, staffUserId) : undefined)
        .orderBy(desc(rounds.createdAt), desc(rounds.id))
        .limit(limit);
    },

    /** A staff member's rounds with their customers' responses, oldest first: their own history. */
    async historyOf(staffUserId: string, limit: number) {
      return db
        .select({ round: rounds, response: roundResponses })
        .from(rounds)
        .leftJoin(roundResponses, eq(roundResponses.roundId, rounds.id))
        .where(eq(rounds.staffUserId, staffUserId))
        .orderBy(asc(rounds.createdAt), asc(rounds.id))
        .limit(limit);
    },
  };
}

export type RoundsRepository = ReturnType<typeof createRoundsRepository>;
