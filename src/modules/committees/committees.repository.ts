import { and, asc, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type Committee, committees } from '../../db/schema.js';

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

/**
 * Committees are channels subscribed to the digest. A channel has at most one active committee (a
 * partial unique index); unsubscribing keeps the row, inactive, so past digests keep their committee.
 */
export function createCommitteesRepository({ db }: { db: Database }) {
  /** Subscribes the channel; undefined when it has an active committee already (the unique index). */
  async function subscribe(
    channelId: string,
    settings: CommitteeSettings,
    { userId, now }: { userId: string; now: Date },
  ): Promise<Committee | undefined> {
    const [inserted] = await db
      .insert(committees)
      .values({ channelId, ...settings, createdByUserId: userId, createdAt: now, updatedAt: now })
      .onConflictDoNothing({ target: committees.channelId, where: sql`${committees.active}` })
      .returning();
    return inserted;
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
      const inserted = await subscribe(channelId, settings, { userId, now });
      if (inserted) return { committee: inserted, created: true };
      const [updated] = await db
        .update(committees)
        .set({ ...settings, updatedAt: now })
        .where(and(eq(committees.channelId, channelId), eq(committees.active, true)))
        .returning();
      if (!updated) throw new Error('committee vanished between insert and update');
      return { committee: updated, created: false };
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
      now: Date,
    ): Promise<Committee | undefined> {
      const [updated] = await db
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
      return updated;
    },

    /** Stops the channel's digest. Answers the committee it stopped, or undefined if there was none. */
    async deactivate(channelId: string, now: Date): Promise<Committee | undefined> {
      const [row] = await db
        .update(committees)
        .set({ active: false, updatedAt: now })
        .where(and(eq(committees.channelId, channelId), eq(committees.active, true)))
        .returning();
      return row;
    },
  };
}

export type CommitteesRepository = ReturnType<typeof createCommitteesRepository>;
