import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { personSettings, reminders, rounds } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { REMINDER_EVENT_TYPE } from '../../src/modules/reminders/reminders.outbox.js';
import { REMINDER_ACTIONS } from '../../src/modules/reminders/reminders.views.js';
import { ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/reminders.js';
import { blockAction, slashCommand } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const STAFF = 'USTAFF';
// Tuesday 24 November 2026, 10:00 in London: inside working hours.
const NOW = '2026-11-24T10:00:00Z';

describeEachDatabase('reminders end to end', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    app = await startTestApp({ database: getDb(), standIn, clock, env: { SLACK_API_TIMEOUT_MS: '2000' } });
  });
  afterEach(() => app.stop());

  const tick = async (iso: string) => {
    clock.set(iso);
    await app.radar.scheduler.tick(new Date(iso));
  };

  it('delivers everything deliverable exactly once through 429s, and marks the undeliverable with the reason', async () => {
    const gone = new Set(['USTAFF5', 'USTAFF11']);
    for (let i = 0; i < 24; i++) {
      standIn.addUser({ id: `USTAFF${i}`, name: `staff${i}`, tz: 'Europe/London' });
      await seedRound(db(), {
        staffUserId: `USTAFF${i}`,
        customerUserId: null,
        customerName: `Patron ${i}`,
        createdAt: new Date('2026-11-20T10:00:00Z'),
        interviewOn: '2026-11-24',
      });
    }
    let calls = 0;
    standIn.on('chat.postMessage', (call) => {
      if (gone.has(String(call.args.channel))) return { body: { ok: false, error: 'user_not_found' } };
      calls++;
      return calls % 7 === 3 ? { status: 429, headers: { 'Retry-After': '1' } } : undefined;
    });
    await tick('2026-11-20T10:01:00Z'); // schedules
    await tick(NOW); // delivers, waiting out each Retry-After

    const delivered = new Map<string, number>();
    for (const call of standIn.callsTo('chat.postMessage')) {
      if (call.reply?.body.ok !== true || call.args.metadata?.event_type !== REMINDER_EVENT_TYPE) continue;
      const key = String(call.args.metadata.event_payload.radar_key);
      delivered.set(key, (delivered.get(key) ?? 0) + 1);
      expectWithinBlockKitLimits('message', call.args);
    }
    expect(delivered.size).toBe(22);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(standIn.callsTo('chat.postMessage').some((call) => call.reply?.status === 429)).toBe(true);
    const rows = await db().select().from(reminders);
    expect(rows.filter((row) => row.state === 'sent')).toHaveLength(22);
    const failed = rows.filter((row) => row.state === 'failed');
    expect(failed.map((row) => [row.recipientUserId, row.lastError]).sort()).toEqual([
      ['USTAFF11', 'user_not_found'],
      ['USTAFF5', 'user_not_found'],
    ]);
    // Nothing is retried forever: a later tick sends nothing more.
    const before = standIn.callsTo('chat.postMessage').length;
    await tick('2026-11-24T11:00:00Z');
    expect(standIn.callsTo('chat.postMessage')).toHaveLength(before);
  });

  async function remindedRound() {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      customerName: 'Pat Patron',
      service: 'Archives',
      createdAt: new Date('2026-11-20T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    await tick('2026-11-20T10:01:00Z');
    await tick(NOW);
    const message = await standIn.waitForCall('chat.postMessage', (call) => call.args.channel === STAFF);
    const [reminder] = await db().select().from(reminders).where(eq(reminders.roundId, round.id));
    if (!reminder?.messageTs) throw new Error('reminder not sent');
    return { round, reminder, message };
  }

  const press = (
    actionId: string,
    value: string,
    reminder: { messageChannelId: string | null; messageTs: string | null },
    userId = STAFF,
  ) =>
    app.send({
      kind: 'interactive',
      payload: blockAction({
        userId,
        actionId,
        value,
        channelId: reminder.messageChannelId ?? undefined,
        messageTs: reminder.messageTs ?? undefined,
        responseUrl: app.responseUrl,
      }),
    });

  it('snoozes from the button: a new reminder two working days on, and the message loses its buttons', async () => {
    const { round, reminder } = await remindedRound();
    const response = await press(REMINDER_ACTIONS.snooze, String(reminder.id), reminder);
    expect(response.status).toBe(200);
    const update = await standIn.waitForCall('chat.update', (call) => call.args.ts === reminder.messageTs);
    expect(JSON.stringify(update.args.blocks)).toContain('Snoozed');
    expect(JSON.stringify(update.args.blocks)).not.toContain(REMINDER_ACTIONS.snooze);
    expectWithinBlockKitLimits('message', update.args);
    const all = await db().select().from(reminders).where(eq(reminders.roundId, round.id));
    expect(all.filter((row) => row.state === 'pending').map((row) => row.dueAt.toISOString())).toEqual([
      '2026-11-26T10:00:00.000Z',
    ]);
  });

  it('refuses another person’s click on a reminder, changing nothing', async () => {
    const { round, reminder } = await remindedRound();
    await press(REMINDER_ACTIONS.snooze, String(reminder.id), reminder, 'USTRANGER');
    const refusal = await standIn.waitForCall('respond');
    expect(String(refusal.args.text)).toContain('meant for someone else');
    await press(REMINDER_ACTIONS.cancelRound, String(round.id), reminder, 'USTRANGER');
    await standIn.waitForCall('respond', (call) => String(call.args.text).includes('Only the staff member'));
    const [stillOpen] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(stillOpen?.status).toBe('awaiting_customer');
    expect(await db().select().from(reminders).where(eq(reminders.roundId, round.id))).toHaveLength(1);
  });

  it('cancels the round from the button', async () => {
    const { round, reminder } = await remindedRound();
    await press(REMINDER_ACTIONS.cancelRound, String(round.id), reminder);
    await standIn.waitForCall('chat.update', (call) =>
      JSON.stringify(call.args.blocks).includes('cancelled'),
    );
    const [cancelled] = await db().select().from(rounds).where(eq(rounds.id, round.id));
    expect(cancelled?.status).toBe('cancelled');
  });

  it('mutes and unmutes with /rate-service mute and unmute', async () => {
    const muted = await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: 'mute 7', userId: STAFF }),
    });
    expect(muted.json.text).toContain('muted until');
    const [setting] = await db().select().from(personSettings).where(eq(personSettings.userId, STAFF));
    expect(setting?.mutedUntil?.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    const bad = await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: 'mute 999', userId: STAFF }),
    });
    expect(bad.json.text).toContain('1 to 365 days');
    const unmuted = await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: 'unmute', userId: STAFF }),
    });
    expect(unmuted.json.text).toContain('on again');
    const [after] = await db().select().from(personSettings).where(eq(personSettings.userId, STAFF));
    expect(after?.mutedUntil).toBeNull();
  });

  it('releases what a mute held on /rate-service unmute: the next working morning, then as many days on as planned', async () => {
    const CUSTOMER = 'UCUST';
    standIn.addUser({ id: CUSTOMER, name: 'casey', tz: 'America/New_York' });
    // Nudges planned for Friday 27 November and Tuesday 1 December, 09:00 in New York.
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-12-20',
    });
    const command = (text: string) =>
      app.send({
        kind: 'command',
        fields: slashCommand({ command: '/rate-service', text, userId: CUSTOMER }),
      });
    expect((await command('mute 14')).json.text).toContain('muted until'); // until 8 December
    await tick(NOW);
    await tick('2026-11-27T14:00:00Z');
    await tick('2026-12-01T14:00:00Z');
    const toCustomer = () =>
      standIn
        .callsTo('chat.postMessage')
        .filter((call) => call.args.channel === CUSTOMER && call.reply?.body.ok);
    expect(toCustomer()).toHaveLength(0);

    clock.set('2026-12-03T23:30:00Z'); // Thursday 18:30 in New York
    expect((await command('unmute')).json.text).toContain('on again');
    const arrived: [string, string][] = [];
    for (
      let at = Date.parse('2026-12-04T00:00:00Z');
      at <= Date.parse('2026-12-09T00:00:00Z');
      at += 3_600_000
    ) {
      const before = toCustomer().length;
      await tick(new Date(at).toISOString());
      for (const call of toCustomer().slice(before))
        arrived.push([new Date(at).toISOString(), String(call.args.metadata?.event_payload.radar_key)]);
    }
    const sent = await db().select().from(reminders).where(eq(reminders.roundId, round.id));
    const keyOf = (nudge: number) =>
      `reminder:${sent.find((row) => row.dedupeKey === `customer_nudge:${round.id}:${nudge}`)?.id}`;
    expect(arrived).toEqual([
      ['2026-12-04T14:00:00.000Z', keyOf(1)], // Friday 09:00 in New York
      ['2026-12-08T14:00:00.000Z', keyOf(2)], // four days on, as planned
    ]);
    for (const call of toCustomer()) expectWithinBlockKitLimits('message', call.args);
  });

  it('starts a new round from an expiry note, prefilled with the same customer and service', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      customerName: 'Pat Patron',
      service: 'Archives',
      createdAt: new Date('2026-11-02T10:00:00Z'),
      interviewOn: '2026-12-20',
    });
    await tick('2026-11-02T10:01:00Z');
    await tick('2026-11-23T10:00:00Z');
    const note = await standIn.waitForCall('chat.postMessage', (call) =>
      String(call.args.text).includes('expired'),
    );
    expectWithinBlockKitLimits('message', note.args);
    await app.send({
      kind: 'interactive',
      payload: blockAction({ userId: STAFF, actionId: REMINDER_ACTIONS.startRound, value: String(round.id) }),
    });
    const opened = await standIn.waitForCall(
      'views.open',
      (call) => call.args.view?.callback_id === ROUND_MODAL.callbackId,
    );
    expectWithinBlockKitLimits('modal', opened.args.view);
    const view = JSON.stringify(opened.args.view);
    expect(view).toContain('"initial_value":"Pat Patron"');
    expect(view).toContain('"initial_value":"Archives"');
  });
});
