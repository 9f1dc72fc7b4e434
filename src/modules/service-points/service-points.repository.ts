import { and, asc, count, eq, gte, isNull, lt, sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../../db/client.js';
import { type ServicePoint, servicePoints, type WalkUpAnswer, walkUpAnswers } from '../../db/schema.js';

/** A service point's name, compared as the unique index compares it: spaces collapsed, lower case. */
export const servicePointNameKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

export type NewWalkUpAnswer = Omit<WalkUpAnswer, 'id' | 'erasedAt'>;

/** One walk-up answer as its point's owner gets it: scores, the written answers (null once erased), when. */
export type OwnerAnswer = Pick<
  WalkUpAnswer,
  'id' | 'experience' | 'expectation' | 'doBetter' | 'noLongerNeed' | 'createdAt'
>;

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

    async find(id: number): Promise<ServicePoint | undefined> {
      const [row] = await db.select().from(servicePoints).where(eq(servicePoints.id, id)).limit(1);
      return row;
    },

    /**
     * A point's answers in [start, end) that are not suspected spam, oldest first (the order the
     * owner's weekly DM lists them in, and splits them by), and how many were suspected spam.
     */
    async weekAnswers(
      servicePointId: number,
      start: Date,
      end: Date,
    ): Promise<{ answers: OwnerAnswer[]; spam: number }> {
      const inWeek = and(
        eq(walkUpAnswers.servicePointId, servicePointId),
        gte(walkUpAnswers.createdAt, start),
        lt(walkUpAnswers.createdAt, end),
      );
      const answers = await db
        .select({
          id: walkUpAnswers.id,
          experience: walkUpAnswers.experience,
          expectation: walkUpAnswers.expectation,
          // Once erased, an answer has no words, whatever a column may still hold.
          doBetter: sql<
            string | null
          >`case when ${walkUpAnswers.erasedAt} is null then ${walkUpAnswers.doBetter} end`,
          noLongerNeed: sql<
            string | null
          >`case when ${walkUpAnswers.erasedAt} is null then ${walkUpAnswers.noLongerNeed} end`,
          createdAt: walkUpAnswers.createdAt,
        })
        .from(walkUpAnswers)
        .where(and(inWeek, eq(walkUpAnswers.suspectedSpam, false)))
        .orderBy(asc(walkUpAnswers.createdAt), asc(walkUpAnswers.id));
      const [spam] = await db
        .select({ count: count() })
        .from(walkUpAnswers)
        .where(and(inWeek, eq(walkUpAnswers.suspectedSpam, true)));
      return { answers, spam: Number(spam?.count ?? 0) };
    },

    /**
     * The points (with their owner) that had an answer not suspected of spam in [start, end) and whose
     * weekly DM for that week is not queued yet (no reminder keyed `<keyPrefix><id><keySuffix>`): what
     * the weekly sweep still has to queue. Through the answers' created_at index, one week's worth.
     */
    async pointsAnsweredWithoutWeekly(
      start: Date,
      end: Date,
      keyPrefix: string,
      keySuffix: string,
    ): Promise<{ id: number; ownerUserId: string }[]> {
      const result = await db.execute(sql`
        select sp.id, sp.owner_user_id from service_points sp
        -- Only to a Slack user: a forgotten owner's pseudonym is never sent anything.
        where sp.owner_user_id ~ '^[UW][A-Z0-9]+$'
          and exists (
            select 1 from walk_up_answers a
            where a.service_point_id = sp.id and not a.suspected_spam
              and a.created_at >= ${start.toISOString()}::timestamptz
              and a.created_at < ${end.toISOString()}::timestamptz)
          and not exists (
            select 1 from reminders m
            where m.dedupe_key = ${keyPrefix} || sp.id::text || ${keySuffix})
        order by sp.id`);
      return rowsOf<{ id: number | string; owner_user_id: string }>(result).map((row) => ({
        id: Number(row.id),
        ownerUserId: row.owner_user_id,
      }));
    },

    async addAnswer(answer: NewWalkUpAnswer): Promise<WalkUpAnswer> {
      const [row] = await db.insert(walkUpAnswers).values(answer).returning();
      return row as WalkUpAnswer;
    },
  };
}

export type ServicePointsRepository = ReturnType<typeof createServicePointsRepository>;
