import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type Committee, committees } from '../../db/schema.js';
import { recordAudit } from '../audit/audit.repository.js';

type Executor = Pick<Database, 'insert' | 'update'>;

/** What the audit log keeps of a committee's settings: all of them (units are names of units, not of people). */
const settingsDetail = (committee: Committee) => ({ committeeId: committee.id, ...settingsOf(committee) });

/** What an admin chooses for a committee channel. */
export interface CommitteeSettings {
  /** Empty: all staff. Otherwise these units, compared case-insensitively. */
  units: string[];
  weekday: number;
  hour: number;
  timeZone: string;
  minGroupSize: number;
  showIndividuals: boolean;
}

/** A committee's settings, as an admin chose them. */
export function settingsOf(committee: Committee): CommitteeSettings {
  return {
    units: committee.units,
    weekday: committee.weekday,
    hour: committee.hour,
    timeZone: committee.timeZone,
    minGroupSize: committee.minGroupSize,
    showIndividuals: committee.showIndividuals,
  };
}

/**
 * Committees are channels subscribed to the digest. A channel has at most one active committee (a
 * partial unique index); unsubscribing keeps the row, inactive, so past digests keep their committee.
 * Every subscription, settings change and unsubscription is recorded in the audit log in the same
 * transaction as the change.
 */
export function createCommitteesRepository({ db }: { db: Database }) {
  /** Subscribes the channel; undefined when it has an active committee already (the unique index). */
  async function insertCommittee(
    executor: Executor,
    channelId: string,
    settings: CommitteeSettings,
    { userId, now }: { userId: string; now: Date },
  ): Promise<Committee | undefined> {
    const [inserted] = await executor
      .insert(committees)
      .values({ channelId, ...settings, createdByUserId: userId, createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: committees.channelId, where: sql`${committees.active}` })
      .returning();
    if (inserted)
      await recordAudit(executor, {
        kind: 'committee_subscribed',
        actor: userId,
        subject: channelId,
        detail: settingsDetail(inserted),
        at: now,
      });
    return inserted;
  }

  const recordSettingsChange = (executor: Executor, committee: Committee, userId: string, now: Date) =>
    recordAudit(executor, {
      kind: 'committee_settings_changed',
      actor: userId,
      subject: committee.channelId,
      detail: settingsDetail(committee),
      at: now,
    });

  function subscribe(
    channelId: string,
    settings: CommitteeSettings,
    who: { userId: string; now: Date },
  ): Promise<Committee | undefined> {
    return db.transaction((tx) => insertCommittee(tx, channelId, settings, who));
  }

  return {
    async findActiveByChannel(channelId: string): Promise<Committee | undefined> {
      const [row] = await db
        .select()
        .from(committees)
        .where(and(eq(committees.channelId, channelId), eq(committees.active, true)))
        .limit(1);
      return row;
    },

    async listActive(): Promise<Committee[]> {
      return db.select().from(committees).where(eq(committees.active, true)).orderBy(asc(committees.id));
    },

    /**
     * Subscribes the channel, or changes its settings if it is subscribed already. Two admins saving
     * at once cannot make two committees: the insert yields to the unique index, then updates.
     */
    async save(
      channelId: string,
      settings: CommitteeSettings,
      { userId, now }: { userId: string; now: Date },
    ): Promise<{ committee: Committee; created: boolean }> {
      return db.transaction(async (tx) => {
        const inserted = await insertCommittee(tx, channelId, settings, { userId, now });
        if (inserted) return { committee: inserted, created: true };
        const [updated] = await tx
          .update(committees)
          .set({ ...settings, updatedAt: now })
          .where(and(eq(committees.channelId, channelId), eq(committees.active, true)))
          .returning();
        if (!updated) throw new Error('committee vanished between insert and update');
        await recordSettingsChange(tx, updated, userId, now);
        return { committee: updated, created: false };
      });
    },

    subscribe,

    /**
     * Changes the settings of this committee, only while it is still the channel's active one: a
     * form opened before an unsubscribe (or a re-subscribe) changes nothing and gets undefined.
     */
    async changeSettings(
      committeeId: number,
      channelId: string,
      settings: CommitteeSettings,
      { userId, now }: { userId: string; now: Date },
    ): Promise<Committee | undefined> {
      return db.transaction(async (tx) => {
        const [updated] = await tx
          .update(committees)
          .set({ ...settings, updatedAt: now })
          .where(
            and(
              eq(committees.id, committeeId),
              eq(committees.channelId, channelId),
              eq(committees.active, true),
            ),
          )
          .returning();
        if (updated) await recordSettingsChange(tx, updated, userId, now);
        return updated;
      });
    },

    /** Stops the channel's digest. Answers the committee it stopped, or undefined if there was none. */
    async deactivate(
      channelId: string,
      { userId, now }: { userId: string; now: Date },
    ): Promise<Committee | undefined> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .update(committees)
          .set({ active: false, updatedAt: now })
          .where(and(eq(committees.channelId, channelId), eq(committees.active, true)))
          .returning();
        if (row)
          await recordAudit(tx, {
            kind: 'committee_unsubscribed',
            actor: userId,
            subject: channelId,
            detail: { committeeId: row.id },
            at: now,
          });
        return row;
      });
    },
  };
}

export type CommitteesRepository = ReturnType<typeof createCommitteesRepository>;
