import { eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type SlackUser, slackUsers } from '../../db/schema.js';

export type Person = SlackUser;

export function createPeopleRepository({ db }: { db: Database }) {
  return {
    async find(userId: string): Promise<Person | undefined> {
      const [row] = await db.select().from(slackUsers).where(eq(slackUsers.userId, userId)).limit(1);
      return row;
    },

    /** Stores what users.info said, keeping the DM channel already learnt. */
    async save(person: Omit<Person, 'dmChannelId'>): Promise<void> {
      await db
        .insert(slackUsers)
        .values(person)
        .onConflictDoUpdate({
          target: slackUsers.userId,
          set: {
            name: person.name,
            isBot: person.isBot,
            deleted: person.deleted,
            tz: person.tz,
            fetchedAt: person.fetchedAt,
          },
        });
    },

    async rememberDmChannel(userId: string, channelId: string): Promise<void> {
      await db.update(slackUsers).set({ dmChannelId: channelId }).where(eq(slackUsers.userId, userId));
    },
  };
}

export type PeopleRepository = ReturnType<typeof createPeopleRepository>;
