import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { reminders, rounds } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import {
  askCustomerAgain,
  cancelRound,
  muteReminders,
  REMINDER_EVENT_TYPE,
  type ReminderDeps,
  runRemindersTick,
  snoozeInterview,
  unmuteReminders,
} from '../../../src/modules/reminders/reminders.usecases.js';
import { REMINDER_ACTIONS } from '../../../src/modules/reminders/reminders.views.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { reminderDepsFor, seedRound } from '../../helpers/reminders.js';
import { type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
const posts = (channel?: string) =>
  standIn
    .callsTo('chat.postMessage')
    .filter((call) => call.reply?.body.ok && (!channel || call.args.channel === channel));

describeEachDatabase('reminders', (getDb) => {
  const clock = fixedClock('2026-11-23T10:00:00Z'); // Monday
  let deps: ReminderDeps;
  const db = () => getDb().handle.db;
  const tick = (iso: string) => {
    clock.set(iso);
    return runRemindersTick(deps, new Date(iso));
  };
  // The round's own outbox (request, result) is tested on its own; these tests are about reminders.
  const rows = async () =>
    (await db().select().from(reminders).orderBy(reminders.id)).filter(
      (row) => row.kind !== 'customer_request' && row.kind !== 'round_result',
    );

  /** A round whose interview reminder went out on Thursday 26 November, 09:00 in London. */
  const remindedOnThursday = async () => {
    await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-26',
    });
    await tick('2026-11-23T10:01:00Z');
    await tick('2026-11-26T09:00:00Z');
    const [reminder] = (await rows()).filter((r) => r.kind === 'interview_due');
    if (!reminder) throw new Error('no reminder');
    return reminder;
  };

  beforeEach(() => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', tz: 'America/New_York' });
    clock.set('2026-11-23T10:00:00Z');
    deps = reminderDepsFor(db(), standIn, clock);
  });

  it('gives a new round its reminders: the interview day for staff, two nudges in the customer’s zone', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-26',
    });
    const report = await tick('2026-11-23T10:01:00Z');
    expect(report.scheduled).toBe(3);
    const scheduled = await rows();
    expect(scheduled.map((r) => [r.kind, r.recipientUserId, r.dueAt.toISOString()])).toEqual([
      ['interview_due', STAFF, '2026-11-26T09:00:00.000Z'], // Thursday 09:00 in London
      ['customer_nudge', CUSTOMER, '2026-11-27T14:00:00.000Z'], // 4 days on is Friday 05:00 in New York: 09:00 EST
      ['customer_nudge', CUSTOMER, '2026-12-01T14:00:00.000Z'], // 8 days on is Tuesday 05:00: 09:00 EST
    ]);
    expect(scheduled.every((r) => r.roundId === round.id && r.state === 'pending')).toBe(true);
    // A second tick schedules nothing more.
    expect((await tick('2026-11-23T10:02:00Z')).scheduled).toBe(0);
  });

  it('sends a customer’s request left in the outbox (the app stopped before sending it) once, at any hour', async () => {
    const round = await seedRound(
      db(),
      { staffUserId: STAFF, createdAt: new Date('2026-11-23T10:00:00Z'), interviewOn: '2026-11-30' },
      { requestDelivered: false },
    );
    await tick('2026-11-24T03:00:00Z'); // 22:00 in New York: a request is not a reminder, it goes now
    await tick('2026-11-24T03:05:00Z');
    const requests = posts(CUSTOMER);
    expect(requests).toHaveLength(1);
    expect(JSON.stringify(requests[0]?.args.blocks)).toContain('not anonymous');
    const [stored] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(stored?.requestTs).toBe(requests[0]?.reply?.body.ts);
  });

  it('sends the staff member’s result from the outbox even if the app stopped right after storing the answer', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-30',
    });
    await deps.rounds.recordResponse(
      {
        roundId: round.id,
        customerScore: 3,
        needFromMe: 'a',
        whyDependOnMe: 'b',
        notAdequatelyProviding: 'c',
        concentrateOn: 'd',
        noLongerNeed: 'e',
        answeredByUserId: CUSTOMER,
        recordedOnBehalf: false,
        sourceViewId: 'VOUTBOX',
      },
      new Date('2026-11-24T10:00:00Z'),
    );
    await tick('2026-11-24T10:01:00Z');
    await tick('2026-11-24T10:02:00Z');
    const results = posts(STAFF).filter((call) => String(call.args.text).includes('rated your service 3/10'));
    expect(results).toHaveLength(1);
    expectWithinBlockKitLimits('message', results[0]?.args);
  });

  it('gives an outside customer’s round only the interview reminder, with a Record button', async () => {
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      customerName: 'Pat',
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    await tick('2026-11-23T10:01:00Z');
    expect((await rows()).map((r) => r.kind)).toEqual(['interview_due']);
    await tick('2026-11-24T09:00:00Z');
    const [post] = posts(STAFF);
    expect(JSON.stringify(post?.args.blocks)).toContain('Record the interview');
    expectWithinBlockKitLimits('message', post?.args);
  });

  it('sends on the day, once, with its metadata, and not before', async () => {
    await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-25',
    });
    await tick('2026-11-23T10:01:00Z');
    await tick('2026-11-25T08:59:00Z');
    expect(posts()).toHaveLength(0);
    const report = await tick('2026-11-25T09:00:00Z');
    expect(report.sent).toBe(1);
    const [post] = posts(STAFF);
    expect(post?.args.metadata).toMatchObject({ event_type: REMINDER_EVENT_TYPE });
    expectWithinBlockKitLimits('message', post?.args);
    const actionIds = JSON.stringify(post?.args.blocks);
    for (const id of [
      REMINDER_ACTIONS.askAgain,
      REMINDER_ACTIONS.snooze,
      REMINDER_ACTIONS.cancelRound,
      REMINDER_ACTIONS.mute,
    ]) {
      expect(actionIds).toContain(id);
    }
    await tick('2026-11-25T09:05:00Z');
    await tick('2026-11-25T10:00:00Z');
    expect(posts(STAFF)).toHaveLength(1);
    const sent = (await rows()).find((r) => r.kind === 'interview_due');
    expect(sent).toMatchObject({ state: 'sent', attempts: 1, messageChannelId: `D${STAFF.slice(1)}` });
  });

  it('holds a reminder due outside working hours until the person’s morning, and skips weekends', async () => {
    // Due Friday evening in London: it waits until Monday 09:00.
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-27',
    });
    await tick('2026-11-23T10:01:00Z');
    await db()
      .update(reminders)
      .set({ dueAt: new Date('2026-11-27T18:30:00Z') });
    const report = await tick('2026-11-27T18:31:00Z');
    expect(report.deferred).toBe(1);
    expect((await rows())[0]?.dueAt.toISOString()).toBe('2026-11-30T09:00:00.000Z');
    await tick('2026-11-28T12:00:00Z');
    expect(posts()).toHaveLength(0);
    await tick('2026-11-30T09:00:00Z');
    expect(posts(STAFF)).toHaveLength(1);
  });

  it('nudges an unanswering customer at most twice, and stops once they answer', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-23',
    });
    await tick('2026-11-23T10:01:00Z');
    await tick('2026-11-27T14:00:00Z');
    await tick('2026-12-01T14:00:00Z');
    await tick('2026-12-08T14:00:00Z');
    const nudges = posts(CUSTOMER);
    expect(nudges).toHaveLength(2);
    expect(JSON.stringify(nudges[1]?.args.blocks)).toContain('last reminder');
    for (const nudge of nudges) expectWithinBlockKitLimits('message', nudge.args);

    // Another round, answered before its first nudge: no nudge.
    const answered = await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-12-08T14:00:00Z'),
      interviewOn: '2026-12-20',
    });
    await tick('2026-12-08T14:01:00Z');
    await deps.rounds.recordResponse(
      {
        roundId: answered.id,
        customerScore: 6,
        needFromMe: 'a',
        whyDependOnMe: 'b',
        notAdequatelyProviding: 'c',
        concentrateOn: 'd',
        noLongerNeed: 'e',
        answeredByUserId: CUSTOMER,
        recordedOnBehalf: false,
        sourceViewId: 'VANSWER',
      },
      new Date('2026-12-09T10:00:00Z'),
    );
    await tick('2026-12-14T15:00:00Z');
    expect(posts(CUSTOMER)).toHaveLength(2);
    const cancelled = (await rows()).filter((r) => r.roundId === answered.id);
    expect(cancelled).toHaveLength(3);
    expect(cancelled.every((r) => r.state === 'cancelled')).toBe(true);
    expect(round.id).not.toBe(answered.id);
  });

  it('expires an unanswered round after 21 days and tells the staff member once', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-02T10:00:00Z'),
      interviewOn: '2026-12-31',
    });
    await tick('2026-11-02T10:01:00Z');
    const report = await tick('2026-11-23T10:00:00Z');
    expect(report.expired).toBe(1);
    const [expired] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(expired?.status).toBe('expired');
    const told = posts(STAFF).filter((call) => String(call.args.text).includes('expired'));
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]?.args.blocks)).toContain(REMINDER_ACTIONS.startRound);
    expect((await rows()).find((r) => r.kind === 'interview_due')?.state).toBe('cancelled');
    await tick('2026-11-24T10:00:00Z');
    expect(posts(STAFF).filter((call) => String(call.args.text).includes('expired'))).toHaveLength(1);
  });

  it('invites a staff member whose last round is older than the cadence, once', async () => {
    const old = await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-08-01T10:00:00Z'),
      interviewOn: '2026-08-03',
    });
    await db()
      .update(rounds)
      .set({ status: 'completed', completedAt: new Date('2026-08-05T10:00:00Z') })
      .where(eq(rounds.id, old.id));
    await tick('2026-10-29T10:00:00Z'); // 89 days
    expect(posts(STAFF).filter((c) => String(c.args.text).includes('since your last'))).toHaveLength(0);
    await tick('2026-10-30T10:00:00Z'); // 90 days
    await tick('2026-11-06T10:00:00Z');
    const invitations = posts(STAFF).filter((c) => String(c.args.text).includes('since your last'));
    expect(invitations).toHaveLength(1);
    expectWithinBlockKitLimits('message', invitations[0]?.args);
    // A new round resets the clock: no second invitation until 90 days after it.
    await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-06T11:00:00Z'),
      interviewOn: '2026-11-09',
    });
    await tick('2026-11-20T10:00:00Z');
    expect(posts(STAFF).filter((c) => String(c.args.text).includes('since your last'))).toHaveLength(1);
  });

  it('snoozes the interview reminder by two working days; pressing twice snoozes once', async () => {
    const first = await remindedOnThursday();
    const now = new Date('2026-11-26T09:30:00Z'); // Thursday
    expect(await snoozeInterview(deps, { reminderId: first.id, userId: STAFF, now })).toMatchObject({
      ok: true,
    });
    expect(await snoozeInterview(deps, { reminderId: first.id, userId: STAFF, now })).toMatchObject({
      ok: true,
    });
    const snoozed = (await rows()).filter((r) => r.kind === 'interview_due' && r.id !== first.id);
    expect(snoozed).toHaveLength(1);
    expect(snoozed[0]?.dueAt.toISOString()).toBe('2026-11-30T09:00:00.000Z'); // Saturday -> Monday 09:00
    expect(await snoozeInterview(deps, { reminderId: first.id, userId: 'USOMEONE', now })).toMatchObject({
      ok: false,
    });
    await tick('2026-11-30T09:00:00Z');
    expect(posts(STAFF).filter((c) => String(c.args.text).startsWith('Reminder:'))).toHaveLength(2);
  });

  it('asks the customer again within their working hours, once per press', async () => {
    const reminder = await remindedOnThursday();
    const now = new Date('2026-11-26T09:30:00Z'); // 04:30 in New York
    await askCustomerAgain(deps, { reminderId: reminder.id, userId: STAFF, now });
    await askCustomerAgain(deps, { reminderId: reminder.id, userId: STAFF, now });
    await tick('2026-11-26T09:31:00Z');
    expect(posts(CUSTOMER)).toHaveLength(0);
    await tick('2026-11-26T14:00:00Z');
    expect(posts(CUSTOMER)).toHaveLength(1);
    expect(JSON.stringify(posts(CUSTOMER)[0]?.args.blocks)).toContain('not anonymous');
  });

  it('cancels a round and everything still to come for it; only its staff member may', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-26',
    });
    await tick('2026-11-23T10:01:00Z');
    const now = new Date('2026-11-24T10:00:00Z');
    expect(await cancelRound(deps, { roundId: round.id, userId: CUSTOMER, now })).toMatchObject({
      ok: false,
    });
    expect(await cancelRound(deps, { roundId: round.id, userId: STAFF, now })).toMatchObject({ ok: true });
    expect(await cancelRound(deps, { roundId: round.id, userId: STAFF, now })).toMatchObject({ ok: false });
    expect((await rows()).every((r) => r.state === 'cancelled')).toBe(true);
    await tick('2026-12-20T10:00:00Z');
    expect(posts()).toHaveLength(0);
  });

  it('holds everything for a muted person until the mute ends, inside working hours', async () => {
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    await tick('2026-11-23T10:01:00Z');
    await muteReminders(deps, { userId: STAFF, days: 14, now: new Date('2026-11-23T11:00:00Z') });
    const report = await tick('2026-11-24T09:00:00Z');
    expect(report.deferred).toBe(1);
    expect((await rows())[0]?.dueAt.toISOString()).toBe('2026-12-07T11:00:00.000Z');
    await unmuteReminders(deps, { userId: STAFF, now: new Date('2026-11-25T10:00:00Z') });
    await tick('2026-12-07T11:00:00Z');
    expect(posts(STAFF)).toHaveLength(1);
  });

  it('marks a reminder to someone who left as failed, with the reason, without retrying', async () => {
    standIn.on('chat.postMessage', (call) =>
      call.args.channel === CUSTOMER ? { body: { ok: false, error: 'user_not_found' } } : undefined,
    );
    await seedRound(db(), {
      staffUserId: STAFF,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-12-20',
    });
    await tick('2026-11-23T10:01:00Z');
    await tick('2026-11-27T14:00:00Z');
    await tick('2026-11-27T15:00:00Z');
    const nudge = (await rows()).find((r) => r.kind === 'customer_nudge' && r.dedupeKey.endsWith(':1'));
    expect(nudge).toMatchObject({ state: 'failed', lastError: 'user_not_found', attempts: 1 });
    expect(standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === CUSTOMER)).toHaveLength(1);
  });

  it('honours 429 Retry-After and delivers once', async () => {
    let limited = 0;
    standIn.on('chat.postMessage', () =>
      limited++ < 1 ? { status: 429, headers: { 'Retry-After': '1' } } : undefined,
    );
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    await tick('2026-11-23T10:01:00Z');
    const report = await tick('2026-11-24T09:00:00Z');
    expect(report.rateLimited).toBe(1);
    expect(report.sent).toBe(1);
    expect(posts(STAFF)).toHaveLength(1);
  });

  it('after a crash between sending and recording, finds the message in Slack instead of sending it twice', async () => {
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    await tick('2026-11-23T10:01:00Z');
    // A copy claims the reminder, posts it, and dies before recording the send.
    const now = new Date('2026-11-24T09:00:00Z');
    const [claimed] = await deps.reminders.claimDue(now, 10, 'crashed-copy');
    if (!claimed) throw new Error('nothing claimed');
    const sent = await deps.messenger.post(
      STAFF,
      { text: 'Reminder: (sent before the crash)', blocks: [] },
      {
        metadata: { eventType: REMINDER_EVENT_TYPE, key: `reminder:${claimed.id}` },
      },
    );
    expect(sent.ok).toBe(true);
    await deps.people.rememberDmChannel(STAFF, `D${STAFF.slice(1)}`);
    // Inside the lease nothing happens; after it, the claim is checked against Slack.
    await tick('2026-11-24T09:01:00Z');
    const report = await tick('2026-11-24T09:03:00Z');
    expect(report.reconciled).toBe(1);
    expect(posts(STAFF)).toHaveLength(1);
    expect(await deps.reminders.find(claimed.id)).toMatchObject({
      state: 'sent',
      messageTs: sent.ok ? sent.ts : '',
    });
  });

  it('after a crash before sending, sends the claimed reminder once the lease runs out', async () => {
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    await tick('2026-11-23T10:01:00Z');
    const [claimed] = await deps.reminders.claimDue(new Date('2026-11-24T09:00:00Z'), 10, 'crashed-copy');
    await tick('2026-11-24T09:01:00Z');
    expect(posts()).toHaveLength(0);
    await tick('2026-11-24T09:03:00Z');
    expect(posts(STAFF)).toHaveLength(1);
    expect(await deps.reminders.find(claimed?.id ?? 0)).toMatchObject({ state: 'sent' });
  });

  it('treats a timed-out send as unknown and confirms it with Slack rather than resending', async () => {
    deps = reminderDepsFor(db(), standIn, clock, { timeoutMs: 300 });
    standIn.on('chat.postMessage', async () => {
      await new Promise((resolve) => setTimeout(resolve, 600)); // Slack posts it, but answers too late
      return undefined;
    });
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    await tick('2026-11-23T10:01:00Z');
    expect((await tick('2026-11-24T09:00:00Z')).uncertain).toBe(1);
    // Slack finishes posting after the client gave up.
    await expect.poll(() => posts(STAFF).length).toBe(1);
    const report = await tick('2026-11-24T09:01:00Z');
    expect(report.reconciled).toBe(1);
    const [row] = await db()
      .select()
      .from(reminders)
      .where(and(eq(reminders.kind, 'interview_due')));
    expect(row?.state).toBe('sent');
    expect(posts(STAFF)).toHaveLength(1);
  });
});
