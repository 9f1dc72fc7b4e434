import { and, count, desc, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type BestPractice, bestPractices, staffProfiles } from '../../db/schema.js';

/** A list cut to what a surface can show, with the count of everything. */
export interface ListedPractices {
  items: BestPractice[];
  total: number;
}

export interface NewPractice {
  authorUserId: string;
  unit: string;
  service: string;
  whatYouDo: string;
  whyItWorks: string;
  sourceViewId: string;
  createdAt: Date;
}

/** Units compared as the digest compares them: case-insensitively. */
const inUnits = (units: readonly string[]) =>
  units.length === 0
    ? sql`true`
    : sql`lower(${bestPractices.unit}) in (${sql.join(
        units.map((unit) => sql`${unit.toLowerCase()}`),
        sql`, `,
      )})`;

/** The SQL of best practices: shared, listed (never withdrawn ones), withdrawn by their author. */
export function createPracticesRepository({ db }: { db: Database }) {
  return {
    /**
     * The person's unit as the app last learnt it: their staff profile (their latest round), or
     * else the unit of the latest practice they shared.
     */
    async unitOf(userId: string): Promise<string | null> {
      const [profile] = await db
        .select({ unit: staffProfiles.unit })
        .from(staffProfiles)
        .where(eq(staffProfiles.userId, userId));
      if (profile) return profile.unit;
      const [latest] = await db
        .select({ unit: bestPractices.unit })
        .from(bestPractices)
        .where(eq(bestPractices.authorUserId, userId))
        .orderBy(desc(bestPractices.createdAt), desc(bestPractices.id))
        .limit(1);
      return latest?.unit ?? null;
    },

    /**
     * Stores a practice once per form: the same view submitted again finds the first one and
     * `created` is false.
     */
    async share(practice: NewPractice): Promise<{ practice: BestPractice; created: boolean }> {
      const [created] = await db
        .insert(bestPractices)
        .values(practice)
        .onConflictDoNothing({ target: bestPractices.sourceViewId })
        .returning();
      if (created) return { practice: created, created: true };
      const [existing] = await db
        .select()
        .from(bestPractices)
        .where(eq(bestPractices.sourceViewId, practice.sourceViewId));
      if (!existing) throw new Error('a practice conflicted on its view id but cannot be found');
      return { practice: existing, created: false };
    },

    async find(id: number): Promise<BestPractice | undefined> {
      const [row] = await db.select().from(bestPractices).where(eq(bestPractices.id, id));
      return row;
    },

    /**
     * Withdraws the author's own practice. 'not_found' for no such practice, 'not_yours' for
     * someone else's; a second withdrawal keeps the first time.
     */
    async withdraw(
      id: number,
      authorUserId: string,
      now: Date,
    ): Promise<'withdrawn' | 'already_withdrawn' | 'not_yours' | 'not_found'> {
      const [updated] = await db
        .update(bestPractices)
        .set({ withdrawnAt: now })
        .where(
          and(
            eq(bestPractices.id, id),
            eq(bestPractices.authorUserId, authorUserId),
            isNull(bestPractices.withdrawnAt),
          ),
        )
        .returning({ id: bestPractices.id });
      if (updated) return 'withdrawn';
      const [row] = await db
        .select({ author: bestPractices.authorUserId })
        .from(bestPractices)
        .where(eq(bestPractices.id, id));
      if (!row) return 'not_found';
      return row.author === authorUserId ? 'already_withdrawn' : 'not_yours';
    },

    /**
     * A unit's practices shared since `since`, and the viewer's own in any unit (so they can always
     * withdraw them), not withdrawn, newest first, cut and counted.
     */
    async recentForHome(
      { unit, viewerId }: { unit: string; viewerId: string },
      since: Date,
      limit: number,
    ): Promise<ListedPractices> {
      const where = and(
        or(
          sql`lower(${bestPractices.unit}) = ${unit.toLowerCase()}`,
          eq(bestPractices.authorUserId, viewerId),
        ),
        gte(bestPractices.createdAt, since),
        isNull(bestPractices.withdrawnAt),
      );
      const [items, [total]] = await Promise.all([
        db
          .select()
          .from(bestPractices)
          .where(where)
          .orderBy(desc(bestPractices.createdAt), desc(bestPractices.id))
          .limit(limit),
        db.select({ n: count() }).from(bestPractices).where(where),
      ]);
      return { items, total: total?.n ?? 0 };
    },

    /**
     * The practices shared in [start, end) by staff in these units (all units when none are
     * named), not withdrawn, oldest first, cut and counted: one digest week's.
     */
    async sharedBetween(
      units: readonly string[],
      start: Date,
      end: Date,
      limit: number,
    ): Promise<ListedPractices> {
      const where = and(
        inUnits(units),
        gte(bestPractices.createdAt, start),
        lt(bestPractices.createdAt, end),
        isNull(bestPractices.withdrawnAt),
      );
      const [items, [total]] = await Promise.all([
        db
          .select()
          .from(bestPractices)
          .where(where)
          .orderBy(bestPractices.createdAt, bestPractices.id)
          .limit(limit),
        db.select({ n: count() }).from(bestPractices).where(where),
      ]);
      return { items, total: total?.n ?? 0 };
    },
  };
}

export type PracticesRepository = ReturnType<typeof createPracticesRepository>;
