import { and, desc, eq, isNull, ne } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  type HomePicture,
  homePictures,
  type Round,
  roundResponses,
  rounds,
  slackUsers,
} from '../../db/schema.js';

/** One of a staff member's rounds, as their customers' circles and services' grid read it. */
export interface CustomerRound {
  id: number;
  createdAt: Date;
  customerKey: string;
  customerUserId: string | null;
  /** As typed when the round started (for a Slack customer, the name the form showed). */
  customerName: string;
  /** The people cache's name for a Slack customer, when it has one. */
  cachedName: string | null;
  service: string;
  serviceKey: string;
  segment: Round['segment'];
  /** The customer's score, once they answered. */
  customerScore: number | null;
}

/** Enough for years of rounds: a staff member starts a few a week. */
const ROUNDS_READ = 5_000;

/**
 * What the Home's "Your customers" and "Your services" read: a staff member's rounds, newest first,
 * with the customer's score, and the picture last uploaded for them.
 */
export function createHomeCustomersRepository({ db }: { db: Database }) {
  return {
    /**
     * Every round this staff member started that was not cancelled, newest first. Erased rounds are
     * left out: their customer is forgotten, so the circles cannot name them.
     */
    async roundsOf(userId: string, limit = ROUNDS_READ): Promise<CustomerRound[]> {
      return db
        .select({
          id: rounds.id,
          createdAt: rounds.createdAt,
          customerKey: rounds.customerKey,
          customerUserId: rounds.customerUserId,
          customerName: rounds.customerName,
          cachedName: slackUsers.name,
          service: rounds.service,
          serviceKey: rounds.serviceKey,
          segment: rounds.segment,
          customerScore: roundResponses.customerScore,
        })
        .from(rounds)
        .leftJoin(roundResponses, eq(roundResponses.roundId, rounds.id))
        .leftJoin(slackUsers, eq(slackUsers.userId, rounds.customerUserId))
        .where(and(eq(rounds.staffUserId, userId), ne(rounds.status, 'cancelled'), isNull(rounds.erasedAt)))
        .orderBy(desc(rounds.createdAt), desc(rounds.id))
        .limit(limit);
    },

    async pictureOf(userId: string): Promise<HomePicture | undefined> {
      const [row] = await db.select().from(homePictures).where(eq(homePictures.userId, userId));
      return row;
    },

    /** Remembers the file uploaded for this person's picture, replacing the one before. */
    async savePicture(picture: HomePicture): Promise<void> {
      const { userId, ...rest } = picture;
      await db
        .insert(homePictures)
        .values(picture)
        .onConflictDoUpdate({ target: homePictures.userId, set: rest });
    },
  };
}

export type HomeCustomersRepository = ReturnType<typeof createHomeCustomersRepository>;
