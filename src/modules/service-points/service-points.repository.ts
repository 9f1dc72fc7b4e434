import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type ServicePoint, servicePoints, type WalkUpAnswer, walkUpAnswers } from '../../db/schema.js';

/** A service point's name, compared as the unique index compares it: spaces collapsed, lower case. */
export const servicePointNameKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

export type NewWalkUpAnswer = Omit<WalkUpAnswer, 'id' | 'erasedAt'>;

/**
 * Service points and their walk-up answers. A point's link is found by the SHA-256 of its token;
 * two active points cannot share a name (a partial unique index), and a retired one keeps its answers.
 */
export function createServicePointsRepository({ db }: { db: Database }) {
  return {
    /** Adds a point; undefined when an active point has that name already. */
    async add(point: Omit<ServicePoint, 'id' | 'retiredAt' | 'nameKey'>): Promise<ServicePoint | undefined> {
      const [inserted] = await db
        .insert(servicePoints)
        .values({ ...point, nameKey: servicePointNameKey(point.name) })
        .onConflictDoNothing({
          target: servicePoints.nameKey,
          where: sql`${servicePoints.retiredAt} is null`,
        })
        .returning();
      return inserted;
    },

    async findByTokenHash(tokenHash: string): Promise<ServicePoint | undefined> {
      const [row] = await db
        .select()
        .from(servicePoints)
        .where(eq(servicePoints.tokenHash, tokenHash))
        .limit(1);
      return row;
    },

    async findActiveByName(name: string): Promise<ServicePoint | undefined> {
      const [row] = await db
        .select()
        .from(servicePoints)
        .where(and(eq(servicePoints.nameKey, servicePointNameKey(name)), isNull(servicePoints.retiredAt)))
        .limit(1);
      return row;
    },

    async listActive(): Promise<ServicePoint[]> {
      return db
        .select()
        .from(servicePoints)
        .where(isNull(servicePoints.retiredAt))
        .orderBy(asc(servicePoints.id));
    },

    /** Retires an active point; undefined when there is none by that id (or it is retired already). */
    async retire(id: number, now: Date): Promise<ServicePoint | undefined> {
      const [row] = await db
        .update(servicePoints)
        .set({ retiredAt: now })
        .where(and(eq(servicePoints.id, id), isNull(servicePoints.retiredAt)))
        .returning();
      return row;
    },

    async addAnswer(answer: NewWalkUpAnswer): Promise<WalkUpAnswer> {
      const [row] = await db.insert(walkUpAnswers).values(answer).returning();
      return row as WalkUpAnswer;
    },
  };
}

export type ServicePointsRepository = ReturnType<typeof createServicePointsRepository>;
