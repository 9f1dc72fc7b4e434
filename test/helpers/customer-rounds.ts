import type { Database } from '../../src/db/client.js';
import { roundResponses, rounds, slackUsers, staffProfiles } from '../../src/db/schema.js';
import type { Segment } from '../../src/modules/home/home.circles.js';

let seq = 0;

/**
 * A staff member's round with one customer about one service, in one segment: answered (with
 * `score`) or not (expired, never rated). A Slack customer by `userId`, an outside one by `name`.
 */
export async function seedCustomerRound(
  db: Database,
  round: {
    staff: string;
    customer: { userId: string } | { name: string };
    service: string;
    segment: Segment;
    score?: number;
    createdAt: Date;
  },
): Promise<number> {
  seq++;
  await db.insert(staffProfiles).values({ userId: round.staff, unit: 'Reference' }).onConflictDoNothing();
  const userId = 'userId' in round.customer ? round.customer.userId : null;
  const name = 'name' in round.customer ? round.customer.name : (userId ?? '');
  const answered = round.score !== undefined;
  const completedAt = answered ? new Date(round.createdAt.getTime() + 3_600_000) : null;
  const [row] = await db
    .insert(rounds)
    .values({
      staffUserId: round.staff,
      customerUserId: userId,
      customerName: name,
      customerKey: userId ? `slack:${userId}` : `name:${name.toLowerCase()}`,
      service: round.service,
      serviceKey: round.service.toLowerCase(),
      segment: round.segment,
      unit: 'Reference',
      selfScore: 6,
      interviewOn: round.createdAt.toISOString().slice(0, 10),
      status: answered ? 'completed' : 'expired',
      sourceViewId: `VCIRCLE${seq}-${Math.random()}`,
      createdAt: round.createdAt,
      completedAt,
      closedAt: answered ? null : round.createdAt,
    })
    .returning({ id: rounds.id });
  if (!row) throw new Error('no round');
  if (answered && round.score !== undefined)
    await db.insert(roundResponses).values({
      roundId: row.id,
      customerScore: round.score,
      answeredByUserId: userId ?? round.staff,
      recordedOnBehalf: userId === null,
      sourceViewId: `VCIRCLERESP${seq}-${Math.random()}`,
      createdAt: completedAt ?? round.createdAt,
    });
  return row.id;
}

/** Puts a name in the people cache, as a users.info lookup would have. */
export async function cacheName(db: Database, userId: string, name: string, fetchedAt = new Date()) {
  await db
    .insert(slackUsers)
    .values({ userId, name, isBot: false, deleted: false, tz: 'UTC', fetchedAt })
    .onConflictDoUpdate({ target: slackUsers.userId, set: { name, fetchedAt } });
}
