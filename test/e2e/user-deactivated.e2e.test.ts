import { asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { erasures, reminders, rounds, slackEvents, slackUsers } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { countRows } from '../helpers/fault-rows.js';
import { seedRound } from '../helpers/reminders.js';
import { eventCallbackBody } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * Slack's `user_change` event, signed and sent to /slack/events as Slack sends it. When it says a
 * person was deactivated, their pending reminders stop at once; nothing is erased. Slack's retry of
 * the same delivery does nothing again, and an ordinary profile edit does nothing at all.
 */

const GONE = 'UGONE';
const STAYS = 'USTAYS';
const NOW = '2026-11-24T10:00:00Z';
const DAY = 86_400_000;

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('user_change: a person deactivated', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    app = await startTestApp({ database: getDb(), standIn, clock });
  });
  afterEach(() => app.stop());

  const userChange = (eventId: string, user: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.send(
      {
        kind: 'event',
        body: eventCallbackBody(eventId, {
          type: 'user_change',
          user: {
            team_id: 'T1',
            name: 'someone',
            real_name: 'Some One',
            is_bot: false,
            tz: 'Europe/London',
            ...user,
          },
          cache_ts: 1_700_000_000,
          event_ts: '1700000000.000100',
        }),
      },
      { headers },
    );
  const settled = () => expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);
  const reminder = (
    recipientUserId: string,
    key: string,
    state: 'pending' | 'sent' = 'pending',
    roundId?: number,
  ) => ({
    kind: 'interview_due' as const,
    roundId: roundId ?? null,
    recipientUserId,
    dueAt: new Date(Date.parse(NOW) + DAY),
    state,
    ...(state === 'sent' ? { sentAt: new Date(NOW) } : {}),
    dedupeKey: key,
  });
  const states = async () =>
    (await db().select().from(reminders).orderBy(asc(reminders.id))).map((row) => ({
      key: row.dedupeKey,
      state: row.state,
      lastError: row.lastError,
    }));

  async function seed() {
    // A round GONE started, still awaiting its customer; the request already went out.
    const round = await seedRound(db(), {
      staffUserId: GONE,
      customerUserId: STAYS,
      createdAt: new Date(NOW),
    });
    await db()
      .insert(reminders)
      .values([
        reminder(GONE, 'gone-interview', 'pending', round.id),
        reminder(GONE, 'gone-cadence'),
        reminder(GONE, 'gone-sent', 'sent'),
        reminder(STAYS, 'stays-nudge', 'pending', round.id),
      ]);
    await db()
      .insert(slackUsers)
      .values({
        userId: GONE,
        name: 'Gwen',
        isBot: false,
        deleted: false,
        tz: 'Europe/London',
        fetchedAt: new Date(NOW),
      });
    return round;
  }

  it('cancels the pending reminders of a deactivated person, once; erases nothing', async () => {
    const round = await seed();
    const [roundBefore] = await db().select().from(rounds).where(eq(rounds.id, round.id));

    const first = await userChange('Ev0DEACTIVATE1', { id: GONE, deleted: true });
    expect(first.status).toBe(200);
    await settled();
    await expect.poll(states).toEqual([
      { key: `customer_request:${round.id}`, state: 'sent', lastError: null },
      { key: 'gone-interview', state: 'cancelled', lastError: 'user_deactivated' },
      { key: 'gone-cadence', state: 'cancelled', lastError: 'user_deactivated' },
      { key: 'gone-sent', state: 'sent', lastError: null },
      { key: 'stays-nudge', state: 'pending', lastError: null },
    ]);
    // The people cache knows at once; the round and its words are as they were; nothing erased.
    expect((await db().select().from(slackUsers).where(eq(slackUsers.userId, GONE)))[0]?.deleted).toBe(true);
    expect((await db().select().from(rounds).where(eq(rounds.id, round.id)))[0]).toEqual(roundBefore);
    expect(await db().select().from(erasures)).toEqual([]);
    expect(await db().select().from(slackEvents)).toMatchObject([
      { eventId: 'Ev0DEACTIVATE1', type: 'user_change' },
    ]);

    // Slack retries the delivery (our answer was slow, say). A reminder queued since stays queued:
    // the retry is recognised by its event id and does nothing again.
    await db().insert(reminders).values(reminder(GONE, 'gone-later'));
    const retry = await userChange(
      'Ev0DEACTIVATE1',
      { id: GONE, deleted: true },
      { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
    );
    expect(retry.status).toBe(200);
    await settled();
    expect((await states()).find((row) => row.key === 'gone-later')).toMatchObject({ state: 'pending' });
    expect(await db().select().from(slackEvents)).toHaveLength(1);
    expect(app.logs.text).toContain('"outcome":"duplicate"');
  });

  it('acts on a deactivation only: a profile edit before it changes and records nothing', async () => {
    await seed();
    const before = await countRows(db());
    const statesBefore = await states();
    const edit = await userChange('Ev0EDIT1', { id: GONE, deleted: false, real_name: 'Gwen R.' });
    expect(edit.status).toBe(200);
    await settled();
    expect(await states()).toEqual(statesBefore);
    expect(await countRows(db())).toEqual(before);

    await userChange('Ev0DEACTIVATE2', { id: GONE, deleted: true });
    await settled();
    await expect
      .poll(async () => (await states()).filter((row) => row.state === 'cancelled').map((row) => row.key))
      .toEqual(['gone-interview', 'gone-cadence']);
  });

  it('refuses an unsigned or wrongly signed user_change with 401 and cancels nothing; the genuine delivery then does', async () => {
    await seed();
    const statesBefore = await states();
    const body = {
      type: 'event_callback',
      event_id: 'Ev0DEACTIVATE3',
      event: { type: 'user_change', user: { id: GONE, deleted: true } },
    };
    for (const signature of [null, 'v0=0000000000000000000000000000000000000000000000000000000000000000']) {
      const refused = await app.send({ kind: 'event', body }, { signature });
      expect(refused.status).toBe(401);
    }
    await settled();
    expect(await states()).toEqual(statesBefore);
    expect(await db().select().from(slackEvents)).toEqual([]);

    // The forged ones did not use up the event id: Slack's own delivery of it is acted on.
    expect((await app.send({ kind: 'event', body })).status).toBe(200);
    await settled();
    await expect
      .poll(async () => (await states()).filter((row) => row.state === 'cancelled').map((row) => row.key))
      .toEqual(['gone-interview', 'gone-cadence']);
  });
});
