import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { reminders, type SlackUser, slackUsers } from '../../db/schema.js';
import { claimSlackEvent } from '../installation/installation.repository.js';

export type Person = SlackUser;

export function createPeopleRepository({ db }: { db: Database }) {
  // Each runs once or twice per submission and per message sent: built once (src/db/prepared.ts).
  const findPerson = db
    .select()
    .from(slackUsers)
    .where(eq(slackUsers.userId, sql.placeholder('userId')))
    .limit(1)
    .prepare('person_find');
  const savePerson = db
    .insert(slackUsers)
    .values({
      userId: sql.placeholder('userId'),
      name: sql.placeholder('name'),
      isBot: sql.placeholder('isBot'),
      deleted: sql.placeholder('deleted'),
      tz: sql`${sql.placeholder('tz')}`, // may be null: bound as is
      fetchedAt: sql.placeholder('fetchedAt'),
    })
    .onConflictDoUpdate({
      target: slackUsers.userId,
      set: {
        name: sql`excluded.name`,
        isBot: sql`excluded.is_bot`,
        deleted: sql`excluded.deleted`,
        tz: sql`excluded.tz`,
        fetchedAt: sql`excluded.fetched_at`,
      },
    })
    .prepare('person_save');
  const rememberDm = db
    .update(slackUsers)
    .set({ dmChannelId: sql`${sql.placeholder('channelId')}` })
    .where(eq(slackUsers.userId, sql.placeholder('userId')))
    .prepare('person_dm_channel');
  return {
    async find(userId: string): Promise<Person | undefined> {
      const [row] = await findPerson.execute({ userId });
      return row;
    },

    /** Stores what users.info said, keeping the DM channel already learnt. */
    async save(person: Omit<Person, 'dmChannelId'>): Promise<void> {
      await savePerson.execute({ ...person });
    },

    async rememberDmChannel(userId: string, channelId: string): Promise<void> {
      await rememberDm.execute({ userId, channelId });
    },

    /**
     * Slack says a person was deactivated (a `user_change` event with `deleted`): their pending
     * reminders are cancelled with `reason`, and the cache knows at once that they have left. Once per
     * event id, in one transaction: Slack's retry of the same delivery changes nothing (`handled`
     * false). Nothing is erased: their rounds and words stay, under the retention period.
     */
    async recordDeparture(event: {
      eventId: string;
      userId: string;
      receivedAt: Date;
      reason: string;
    }): Promise<{ handled: false } | { handled: true; cancelled: number }> {
      return db.transaction(async (tx) => {
        const first = await claimSlackEvent(tx, {
          eventId: event.eventId,
          type: 'user_change',
          receivedAt: event.receivedAt,
        });
        if (!first) return { handled: false as const };
        const cancelled = await tx
          .update(reminders)
          .set({ state: 'cancelled', lastError: event.reason })
          .where(and(eq(reminders.recipientUserId, event.userId), eq(reminders.state, 'pending')))
          .returning({ id: reminders.id });
        await tx.update(slackUsers).set({ deleted: true }).where(eq(slackUsers.userId, event.userId));
        return { handled: true as const, cancelled: cancelled.length };
      });
    },
  };
}

export type PeopleRepository = ReturnType<typeof createPeopleRepository>;
