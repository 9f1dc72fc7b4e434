import { PassThrough } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { reminders, rounds } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/logger.js';
import {
  askCustomerAgain,
  cancelRound,
  muteReminders,
  snoozeInterview,
  unmuteReminders,
} from '../../../src/modules/reminders/reminders.buttons.js';
import type { ReminderDeps } from '../../../src/modules/reminders/reminders.deps.js';
import { runRemindersTick } from '../../../src/modules/reminders/reminders.job.js';
import { REMINDER_EVENT_TYPE, type ReminderKinds } from '../../../src/modules/reminders/reminders.outbox.js';
import { REMINDER_ACTIONS } from '../../../src/modules/reminders/reminders.views.js';
import { reminderDoneWords } from '../../../src/modules/reminders/reminders.words.js';
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

  /** A round with an outside customer, its interview reminder queued for Tuesday 24 November. */
  const interviewDueOnTuesday = async () => {
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    await tick('2026-11-23T10:01:00Z');
  };

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
    const said = await snoozeInterview(deps, { reminderId: first.id, userId: STAFF, now });
    expect(said).toMatchObject({
      ok: true,
    });
    expect(said.ok && reminderDoneWords(said.done)).toBe("Snoozed: we'll remind you again on Mon 30 Nov.");
    expect(await snoozeInterview(deps, { reminderId: first.id, userId: STAFF, now })).toMatchObject({
      ok: true,
    });
    const snoozed = (await rows()).filter((r) => r.kind === 'interview_due' && r.id !== first.id);
    expect(snoozed).toHaveLength(1);
    expect(snoozed[0]?.dueAt.toISOString()).toBe('2026-11-30T09:00:00.000Z'); // Saturday -> Monday 09:00
    expect(await snoozeInterview(deps, { reminderId: first.id, userId: 'USOMEONE', now })).toMatchObject({
      ok: false,
      code: 'not_yours',
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
      code: 'not_your_round',
    });
    expect(await cancelRound(deps, { roundId: round.id, userId: STAFF, now })).toMatchObject({ ok: true });
    expect(await cancelRound(deps, { roundId: round.id, userId: STAFF, now })).toMatchObject({
      ok: false,
      code: 'round_not_open',
    });
    expect((await rows()).every((r) => r.state === 'cancelled')).toBe(true);
    await tick('2026-12-20T10:00:00Z');
    expect(posts()).toHaveLength(0);
  });

  it('holds everything for a muted person until the mute ends, inside working hours', async () => {
    await interviewDueOnTuesday();
    await muteReminders(deps, { userId: STAFF, days: 14, now: new Date('2026-11-23T11:00:00Z') });
    const report = await tick('2026-11-24T09:00:00Z');
    expect(report.deferred).toBe(1);
    expect((await rows())[0]?.dueAt.toISOString()).toBe('2026-12-07T11:00:00.000Z');
    await unmuteReminders(deps, { userId: STAFF, now: new Date('2026-11-25T10:00:00Z') });
    await tick('2026-12-07T11:00:00Z');
    expect(posts(STAFF)).toHaveLength(1);
  });

  describe('what a mute held back, once it is lifted or runs out', () => {
    const HOUR_MS = 3_600_000;
    /** Ticks every hour, on the hour, from `from` to `to`: what arrives when, to the hour. */
    const tickHourly = async (from: string, to: string) => {
      for (let at = Date.parse(from); at <= Date.parse(to); at += HOUR_MS)
        await tick(new Date(at).toISOString());
    };
    /** The reminders sent to a person, in the order they went, with the moment each went. */
    const arrivals = async (userId: string) =>
      (await rows())
        .filter((row) => row.recipientUserId === userId && row.state === 'sent')
        .sort((a, b) => (a.sentAt?.getTime() ?? 0) - (b.sentAt?.getTime() ?? 0) || a.id - b.id)
        .map((row) => [row.dedupeKey, row.sentAt?.toISOString()]);
    const dueTimes = async (userId: string) =>
      (await rows())
        .filter((row) => row.recipientUserId === userId && row.state === 'pending')
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id)
        .map((row) => [row.dedupeKey, row.dueAt.toISOString()]);

    /**
     * A round created Monday 23 November 10:00 UTC: its customer (New York) is nudged on Friday 27
     * November and Tuesday 1 December, 09:00 there, 4 days apart. The customer mutes for `days` at
     * 10:00 New York that Monday.
     */
    const mutedCustomer = async (days: number) => {
      const round = await seedRound(db(), {
        staffUserId: STAFF,
        createdAt: new Date('2026-11-23T10:00:00Z'),
        interviewOn: '2026-11-23',
      });
      await tick('2026-11-23T10:01:00Z');
      await muteReminders(deps, { userId: CUSTOMER, days, now: new Date('2026-11-23T15:00:00Z') });
      return round;
    };

    it('unmute releases held nudges into the next working hours, as many days apart as planned', async () => {
      const round = await mutedCustomer(14); // until Monday 7 December, 15:00 UTC
      await tick('2026-11-27T14:00:00Z');
      await tick('2026-12-01T14:00:00Z');
      expect(await arrivals(CUSTOMER)).toEqual([]);

      // Thursday 18:30 in New York: after hours, so the first comes Friday at 09:00 there.
      const said = await unmuteReminders(deps, { userId: CUSTOMER, now: new Date('2026-12-03T23:30:00Z') });
      expect(said).toEqual({ ok: true, done: { code: 'unmuted' } });
      expect(said.ok && reminderDoneWords(said.done)).toBe('Reminders are on again.');
      await tickHourly('2026-12-04T00:00:00Z', '2026-12-09T00:00:00Z');
      expect(await arrivals(CUSTOMER)).toEqual([
        [`customer_nudge:${round.id}:1`, '2026-12-04T14:00:00.000Z'], // Friday 09:00 in New York
        [`customer_nudge:${round.id}:2`, '2026-12-08T14:00:00.000Z'], // four days on, not with it
      ]);
      const nudges = posts(CUSTOMER).filter((call) => JSON.stringify(call.args.blocks).includes('reminder'));
      expect(nudges).toHaveLength(2);
      expect(JSON.stringify(nudges[1]?.args.blocks)).toContain('last reminder');
      // Released means released: nothing is left marked as held.
      expect((await rows()).every((row) => row.mutedFrom === null)).toBe(true);
    });

    it('a mute that runs out releases them from its end, keeping the days between them', async () => {
      const round = await mutedCustomer(14);
      await tick('2026-11-27T14:00:00Z');
      await tick('2026-12-01T14:00:00Z');
      await tickHourly('2026-12-07T12:00:00Z', '2026-12-12T00:00:00Z');
      expect(await arrivals(CUSTOMER)).toEqual([
        [`customer_nudge:${round.id}:1`, '2026-12-07T15:00:00.000Z'], // the mute's end, 10:00 in New York
        [`customer_nudge:${round.id}:2`, '2026-12-11T15:00:00.000Z'],
      ]);
    });

    it('a mute that ends between two nudges keeps the second as many days after the first', async () => {
      // Six days: until Sunday 29 November, so the held first nudge comes Monday 09:00 in New York,
      // and the second, never due while muted, moves with it rather than follow it the next day.
      const round = await mutedCustomer(6);
      await tick('2026-11-27T14:00:00Z');
      expect(await dueTimes(CUSTOMER)).toEqual([
        [`customer_nudge:${round.id}:1`, '2026-11-30T14:00:00.000Z'],
        [`customer_nudge:${round.id}:2`, '2026-12-04T14:00:00.000Z'],
      ]);
      await tickHourly('2026-11-29T12:00:00Z', '2026-12-05T00:00:00Z');
      expect(await arrivals(CUSTOMER)).toEqual([
        [`customer_nudge:${round.id}:1`, '2026-11-30T14:00:00.000Z'],
        [`customer_nudge:${round.id}:2`, '2026-12-04T14:00:00.000Z'],
      ]);
    });

    it('keeps the order and gaps of an interview day and a nudge for different rounds; moves no one else’s', async () => {
      const OTHER = 'UQUINN';
      standIn.addUser({ id: OTHER, name: 'quinn', tz: 'Europe/London' });
      const created = new Date('2026-11-23T10:00:00Z');
      // The customer's nudges for round A: Friday 27 November and Tuesday 1 December, 09:00 New York.
      const asked = await seedRound(db(), {
        staffUserId: STAFF,
        createdAt: created,
        interviewOn: '2026-11-24',
      });
      // The same person's own interview days, for rounds B (Monday 30 November) and C (10 December).
      const own = await seedRound(db(), {
        staffUserId: CUSTOMER,
        customerUserId: null,
        customerName: 'Pat',
        createdAt: created,
        interviewOn: '2026-11-30',
      });
      const later = await seedRound(db(), {
        staffUserId: CUSTOMER,
        customerUserId: null,
        customerName: 'Robin',
        createdAt: created,
        interviewOn: '2026-12-10',
      });
      // Someone else, muted as well, with nudges held on the same days (09:00 in London).
      await seedRound(db(), {
        staffUserId: STAFF,
        customerUserId: OTHER,
        createdAt: created,
        interviewOn: '2026-11-24',
      });
      await tick('2026-11-23T10:01:00Z');
      for (const userId of [CUSTOMER, OTHER])
        await muteReminders(deps, { userId, days: 14, now: new Date('2026-11-23T15:00:00Z') });
      for (const at of ['2026-11-27T09:00:00Z', '2026-11-27T14:00:00Z', '2026-11-30T14:00:00Z'])
        await tick(at);
      const othersBefore = await dueTimes(OTHER);
      expect(othersBefore.length).toBe(2);
      const neverHeld = (await rows()).find((row) => row.roundId === later.id);
      expect(neverHeld?.mutedFrom).toBeNull();

      // Monday 15:00 in New York, inside working hours: the first goes now.
      await unmuteReminders(deps, { userId: CUSTOMER, now: new Date('2026-11-30T20:00:00Z') });
      expect(await dueTimes(OTHER)).toEqual(othersBefore);
      const untouched = (await rows()).find((row) => row.id === neverHeld?.id);
      expect(untouched?.dueAt.toISOString()).toBe('2026-12-10T14:00:00.000Z');

      await tickHourly('2026-11-30T20:00:00Z', '2026-12-05T00:00:00Z');
      expect(await arrivals(CUSTOMER)).toEqual([
        [`customer_nudge:${asked.id}:1`, '2026-11-30T20:00:00.000Z'],
        [`interview_due:${own.id}`, '2026-12-03T20:00:00.000Z'], // 3 days after, as planned
        [`customer_nudge:${asked.id}:2`, '2026-12-04T20:00:00.000Z'], // 4 days after the first
      ]);
      expect(await arrivals(OTHER)).toEqual([]);
      expect(await dueTimes(OTHER)).toEqual(othersBefore);
    });

    it('a mute lengthened or shortened while in force moves what it holds to its new end', async () => {
      const round = await mutedCustomer(14);
      await tick('2026-11-27T14:00:00Z');
      await tick('2026-12-01T14:00:00Z');
      // Wednesday: "mute 2" ends the mute on Friday 4 December, 15:00 UTC, not on the 7th.
      await muteReminders(deps, { userId: CUSTOMER, days: 2, now: new Date('2026-12-02T15:00:00Z') });
      expect(await dueTimes(CUSTOMER)).toEqual([
        [`customer_nudge:${round.id}:1`, '2026-12-04T15:00:00.000Z'],
        [`customer_nudge:${round.id}:2`, '2026-12-08T15:00:00.000Z'],
      ]);
      await tickHourly('2026-12-04T12:00:00Z', '2026-12-09T00:00:00Z');
      expect(await arrivals(CUSTOMER)).toEqual([
        [`customer_nudge:${round.id}:1`, '2026-12-04T15:00:00.000Z'],
        [`customer_nudge:${round.id}:2`, '2026-12-08T15:00:00.000Z'],
      ]);
    });

    it('a new mute measures from what it holds, not from the plan of a mute that ran out', async () => {
      const asked = await seedRound(db(), {
        staffUserId: STAFF,
        createdAt: new Date('2026-11-30T10:00:00Z'),
        interviewOn: '2026-12-30',
      });
      const own = await seedRound(db(), {
        staffUserId: CUSTOMER,
        customerUserId: null,
        customerName: 'Pat',
        createdAt: new Date('2026-11-30T10:00:00Z'),
        interviewOn: '2026-12-10',
      });
      await tick('2026-11-30T10:01:00Z');
      // A first mute, until Saturday 5 December: the nudges of 4 and 8 December go on 7 and 11 December.
      await muteReminders(deps, { userId: CUSTOMER, days: 5, now: new Date('2026-11-30T15:00:00Z') });
      await tick('2026-12-04T14:00:00Z');
      await tick('2026-12-07T14:00:00Z');
      expect(await arrivals(CUSTOMER)).toEqual([
        [`customer_nudge:${asked.id}:1`, '2026-12-07T14:00:00.000Z'],
      ]);
      // A second, until Monday 14 December: it holds the interview day of the 10th, then that nudge.
      await muteReminders(deps, { userId: CUSTOMER, days: 5, now: new Date('2026-12-09T15:00:00Z') });
      await tick('2026-12-10T14:00:00Z');
      await tick('2026-12-11T14:00:00Z');
      expect(await dueTimes(CUSTOMER)).toEqual([
        [`interview_due:${own.id}`, '2026-12-14T15:00:00.000Z'],
        [`customer_nudge:${asked.id}:2`, '2026-12-15T15:00:00.000Z'], // a day later, as it was due
      ]);
    });

    it('never holds the request a customer waits for, even when it is retried beside a held nudge', async () => {
      deps = reminderDepsFor(db(), standIn, clock, { settings: { concurrency: 1 } });
      let refused = false;
      standIn.on('chat.postMessage', (call) => {
        if (refused || !JSON.stringify(call.args.blocks).includes('not anonymous')) return undefined;
        refused = true;
        return { body: { ok: false, error: 'temporarily_refused' } };
      });
      // The app was down from the round's creation until the first nudge was due.
      const round = await seedRound(
        db(),
        { staffUserId: STAFF, createdAt: new Date('2026-11-23T10:00:00Z'), interviewOn: '2026-11-23' },
        { requestDelivered: false },
      );
      await muteReminders(deps, { userId: CUSTOMER, days: 14, now: new Date('2026-11-23T15:00:00Z') });
      await tick('2026-11-27T14:00:00Z'); // the request is refused once; the first nudge is held
      const [request] = await db()
        .select()
        .from(reminders)
        .where(eq(reminders.dedupeKey, `customer_request:${round.id}`));
      expect(request).toMatchObject({ state: 'pending', mutedFrom: null, lastError: 'temporarily_refused' });
      expect(request?.dueAt.toISOString()).toBe('2026-11-27T14:01:00.000Z');
      await tick('2026-11-27T14:01:00Z');
      const [sent] = await db()
        .select()
        .from(reminders)
        .where(eq(reminders.dedupeKey, `customer_request:${round.id}`));
      expect(sent?.sentAt?.toISOString()).toBe('2026-11-27T14:01:00.000Z');
      // The nudges, meanwhile, wait for the mute's end, four days apart.
      expect(await dueTimes(CUSTOMER)).toEqual([
        [`customer_nudge:${round.id}:1`, '2026-12-07T15:00:00.000Z'],
        [`customer_nudge:${round.id}:2`, '2026-12-11T15:00:00.000Z'],
      ]);
    });
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
    await interviewDueOnTuesday();
    const report = await tick('2026-11-24T09:00:00Z');
    expect(report.rateLimited).toBe(1);
    expect(report.sent).toBe(1);
    expect(posts(STAFF)).toHaveLength(1);
  });

  it('after a crash between sending and recording, finds the message in Slack instead of sending it twice', async () => {
    await interviewDueOnTuesday();
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
    await interviewDueOnTuesday();
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
    await interviewDueOnTuesday();
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

  /**
   * A copy of an older version, beside a newer one during a deploy, meets a row whose kind it has no
   * handler for. It must neither send nor cancel it, nor stop its tick: the row waits for a copy
   * that knows it.
   */
  const olderCopy = () => {
    const logs = new PassThrough();
    let text = '';
    logs.on('data', (chunk) => {
      text += String(chunk);
    });
    const known = Object.fromEntries(
      Object.entries(deps.kinds).filter(([kind]) => kind !== 'interview_due'),
    ) as ReminderKinds;
    const older = reminderDepsFor(db(), standIn, clock, {
      overrides: { kinds: known, logger: createLogger('info', logs) },
    });
    return { older, logs: () => text };
  };

  it('puts a reminder of a kind it does not know back for later, and a copy that knows it sends it', async () => {
    const { older, logs } = olderCopy();
    await interviewDueOnTuesday();
    clock.set('2026-11-24T09:00:00Z');
    const report = await runRemindersTick(older, new Date('2026-11-24T09:00:00Z'));
    expect(report).toMatchObject({ claimed: 1, sent: 0, cancelled: 0, failed: 0, retried: 1 });
    expect(posts()).toHaveLength(0);
    const [row] = await rows();
    expect(row).toMatchObject({
      kind: 'interview_due',
      state: 'pending',
      lastError: 'unknown_kind',
      attempts: 0,
    });
    expect(row?.dueAt.toISOString()).toBe('2026-11-24T09:15:00.000Z');
    expect(logs()).toContain('reminder of a kind this version does not know');
    expect(logs()).toContain('"kind":"interview_due"');

    expect((await tick('2026-11-24T09:10:00Z')).sent).toBe(0);
    expect((await tick('2026-11-24T09:15:00Z')).sent).toBe(1);
    expect(posts(STAFF)).toHaveLength(1);
  });

  it('leaves a stale claim of a kind it does not know as a claim, for a copy that knows it to check with Slack', async () => {
    const { older } = olderCopy();
    await interviewDueOnTuesday();
    // A newer copy claims it and dies before it says whether it sent it.
    const [claimed] = await deps.reminders.claimDue(new Date('2026-11-24T09:00:00Z'), 10, 'newer-copy');
    if (!claimed) throw new Error('nothing claimed');
    clock.set('2026-11-24T09:03:00Z');
    const report = await runRemindersTick(older, new Date('2026-11-24T09:03:00Z'));
    expect(report).toMatchObject({ reconciled: 1, sent: 0, cancelled: 0, retried: 1 });
    expect(await deps.reminders.find(claimed.id)).toMatchObject({
      state: 'sending',
      lastError: 'unknown_kind',
      attempts: 0,
    });
    // Not offered again until the retry time: then the copy that knows it asks Slack, and sends once.
    expect((await tick('2026-11-24T09:10:00Z')).reconciled).toBe(0);
    expect(posts()).toHaveLength(0);
    const later = await tick('2026-11-24T09:19:00Z');
    expect(later).toMatchObject({ reconciled: 1, sent: 1 });
    expect(posts(STAFF)).toHaveLength(1);
    expect(await deps.reminders.find(claimed.id)).toMatchObject({ state: 'sent' });
  });
});
