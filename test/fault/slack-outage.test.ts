import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { reminders, rounds } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { REMINDER_EVENT_TYPE } from '../../src/modules/reminders/reminders.outbox.js';
import { ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/reminders.js';
import { roundFormSubmission, slashCommand } from '../helpers/slack-requests.js';
import {
  type RecordedCall,
  type SlackStandIn,
  type StandInReply,
  startSlackStandIn,
} from '../helpers/slack-stand-in.js';

/**
 * Slack fails the app: the stand-in answers 500, 429 with Retry-After: 30, or never answers. What
 * must hold: acknowledgements stay fast (they never wait on Slack, except the one users.info check
 * before a round is stored, which has its own 1.5 s limit); each background call gives up within
 * SLACK_API_TIMEOUT_MS instead of the SDK's default of never; and every reminder still arrives,
 * exactly once, on a later tick.
 */

const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
// Tuesday 24 November 2026, 10:00 in London: inside working hours.
const NOW = '2026-11-24T10:00:00Z';
const API_TIMEOUT_MS = 1_000;
const REMINDERS = 6;

const never = (): Promise<StandInReply> => new Promise(() => undefined);

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('Slack outage and slowness', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', tz: 'Europe/London' });
    for (let i = 0; i < REMINDERS; i++)
      standIn.addUser({ id: `USTAFF${i}`, name: `staff${i}`, tz: 'Europe/London' });
    app = await startTestApp({
      database: getDb(),
      standIn,
      clock,
      // Calls left hanging by these tests would otherwise hold stop() for the default 5 s.
      env: {
        SLACK_API_TIMEOUT_MS: String(API_TIMEOUT_MS),
        TICK_BUDGET_MS: '5000',
        SHUTDOWN_TIMEOUT_MS: '1000',
      },
    });
  });
  afterEach(() => app.stop());

  const tick = async (iso: string) => {
    clock.set(iso);
    const started = performance.now();
    await app.radar.scheduler.tick(new Date(iso));
    return performance.now() - started;
  };

  /** Interview-day reminders for REMINDERS staff members, scheduled and due at NOW. */
  async function dueReminders() {
    for (let i = 0; i < REMINDERS; i++)
      await seedRound(db(), {
        staffUserId: `USTAFF${i}`,
        customerUserId: null,
        customerName: `Patron ${i}`,
        createdAt: new Date('2026-11-20T10:00:00Z'),
        interviewOn: '2026-11-24',
      });
    await tick('2026-11-20T10:01:00Z');
    expect((await db().select().from(reminders)).filter((row) => row.state === 'pending')).toHaveLength(
      REMINDERS,
    );
  }

  /** Reminder key -> how many copies Slack accepted. */
  function delivered(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const call of standIn.callsTo('chat.postMessage')) {
      if (call.reply?.body.ok !== true || call.args.metadata?.event_type !== REMINDER_EVENT_TYPE) continue;
      const key = String(call.args.metadata.event_payload.radar_key);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  async function expectEachDeliveredOnce() {
    const counts = delivered();
    expect(counts.size).toBe(REMINDERS);
    expect([...counts.values()]).toEqual(Array(REMINDERS).fill(1));
    const rows = await db().select().from(reminders);
    expect(rows.map((row) => row.state)).toEqual(Array(REMINDERS).fill('sent'));
  }

  it.each<[string, () => Promise<StandInReply> | StandInReply]>([
    ['never answers', never],
    ['answers 500', () => ({ status: 500 })],
    ['answers 429 with Retry-After: 30', () => ({ status: 429, headers: { 'Retry-After': '30' } })],
  ])('acknowledges commands and submissions at once while Slack %s', async (_name, reply) => {
    for (const method of ['views.open', 'chat.postMessage', 'chat.update', 'conversations.open'])
      standIn.on(method, reply);
    // A customer Slack already told us about: the one check before the ack is answered from the cache.
    await app.radar.slack.deps.directory.lookup(CUSTOMER);

    const command = await app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/rate-service',
        text: '',
        userId: STAFF,
        responseUrl: app.responseUrl,
      }),
    });
    expect(command.status).toBe(200);
    expect(command.ms).toBeLessThan(1_000);

    const submitted = await app.send(
      roundFormSubmission({
        userId: STAFF,
        viewId: 'VSLACKDOWN1',
        answers: { customerUserId: CUSTOMER, service: 'Loans', interviewOn: '2026-12-01' },
      }),
    );
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');
    expect(submitted.ms).toBeLessThan(1_000);
    expect(await db().select().from(rounds)).toHaveLength(1);
    // The request to the customer was tried after the ack, and failed without taking anything down.
    await standIn.waitForCall('chat.postMessage', (call) => call.args.channel === CUSTOMER);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
  });

  it('answers a submission in time with "press Submit again" when users.info never answers', async () => {
    standIn.on('users.info', never);
    const submitted = await app.send(
      roundFormSubmission({
        userId: STAFF,
        viewId: 'VSLOWLOOKUP1',
        answers: { customerUserId: CUSTOMER, service: 'Loans', interviewOn: '2026-12-01' },
      }),
    );
    expect(submitted.ms).toBeLessThan(3_000);
    expect(submitted.json?.response_action).toBe('errors');
    expect(submitted.json.errors[ROUND_MODAL.blocks.customerUser]).toContain('press Submit again');
    expect(await db().select().from(rounds)).toHaveLength(0);
  });

  it('gives up on a send Slack never answers within SLACK_API_TIMEOUT_MS, then delivers each reminder once', async () => {
    await dueReminders();
    standIn.on('chat.postMessage', never);
    const took = await tick(NOW);
    // Six sends, four at a time, each abandoned after the timeout: two rounds of it, not forever.
    expect(took).toBeLessThan(2 * API_TIMEOUT_MS + 1_500);
    expect(standIn.callsTo('chat.postMessage')).toHaveLength(REMINDERS);
    expect(delivered().size).toBe(0);
    const rows = await db().select().from(reminders);
    expect(rows.every((row) => row.state !== 'sent')).toBe(true);

    // Slack is back. The unknown sends are checked against the DM first, then sent once.
    standIn.reset();
    await tick('2026-11-24T10:01:00Z');
    await expectEachDeliveredOnce();
    await tick('2026-11-24T10:02:00Z');
    await expectEachDeliveredOnce();
  });

  it('does not resend a reminder Slack posted after the client gave up on it', async () => {
    await dueReminders();
    // Slack is slow, not down: every post lands, but only after the client has stopped waiting.
    const slow: RecordedCall[] = [];
    standIn.on('chat.postMessage', async (call) => {
      slow.push(call);
      await new Promise((resolve) => setTimeout(resolve, API_TIMEOUT_MS + 300));
      return undefined;
    });
    await tick(NOW);
    await expect.poll(() => slow.every((call) => call.reply?.body.ok === true)).toBe(true);
    expect(delivered().size).toBe(REMINDERS);

    standIn.reset();
    // reset() keeps no calls: what Slack already holds is what conversations.history must find.
    for (const call of slow) standIn.calls.push(call);
    await tick('2026-11-24T10:01:00Z');
    await expectEachDeliveredOnce();
    expect(standIn.callsTo('conversations.history').length).toBeGreaterThan(0);
  });

  it('retries reminders after 500s and delivers each once', async () => {
    await dueReminders();
    standIn.on('chat.postMessage', () => ({ status: 500 }));
    expect(await tick(NOW)).toBeLessThan(3_000);
    expect(delivered().size).toBe(0);
    standIn.reset();
    await tick('2026-11-24T10:01:00Z');
    await expectEachDeliveredOnce();
  });

  it('does not sit out a 429 with Retry-After: 30 inside one tick, and delivers each reminder once later', async () => {
    await dueReminders();
    standIn.on('chat.postMessage', () => ({ status: 429, headers: { 'Retry-After': '30' } }));
    // The pause would run past the tick's budget (TICK_BUDGET_MS 5 s): the batch goes back instead.
    expect(await tick(NOW)).toBeLessThan(3_000);
    expect(delivered().size).toBe(0);
    const rows = await db().select().from(reminders);
    expect(rows.map((row) => row.state)).toEqual(Array(REMINDERS).fill('pending'));
    standIn.reset();
    await tick('2026-11-24T10:01:00Z');
    await expectEachDeliveredOnce();
    const [first] = await db().select().from(reminders).where(eq(reminders.state, 'sent'));
    expect(first?.lastError ?? null).toBeNull();
  });
});
