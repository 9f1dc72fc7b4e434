import { asc } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { reminders, rounds, slackEvents } from '../../src/db/schema.js';
import { ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import {
  type SocketModeTestApp,
  startSocketModeTestApp,
  TEST_APP_TOKEN,
  TEST_BOT_TOKEN,
} from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/reminders.js';
import { type RoundFormAnswers, roundFormSubmission, slashCommand } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import type { SocketModeConnection } from '../helpers/socket-mode-stand-in.js';

/**
 * The app in Socket Mode, end to end: Slack's requests arrive as envelopes on the WebSocket the app
 * opened at the stand-in (apps.connections.open with the app-level token), each must be
 * acknowledged on the socket within Slack's 3 seconds (the stand-in fails the test otherwise), and
 * the app's Web API calls land at the stand-in as in HTTP mode. No signing secret is configured.
 */

const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
const GONE = 'UGONE';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

function inDays(days: number): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

describeEachDatabase('Socket Mode end to end', (getDb) => {
  let app: SocketModeTestApp;
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', real_name: 'Sam Staff', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', real_name: 'Casey Customer', tz: 'America/New_York' });
    app = await startSocketModeTestApp({ database: getDb(), standIn });
  });
  afterEach(() => app.stop());

  const settled = () => expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);

  /** `/rate-service` on the given connection: acknowledged, and the round modal opened. */
  async function openRoundModal(connection: SocketModeConnection) {
    const before = standIn.callsTo('views.open').length;
    const ack = await connection.send({
      envelope_id: `cmd-${connection.number}`,
      type: 'slash_commands',
      payload: slashCommand({
        command: '/rate-service',
        text: '',
        userId: STAFF,
        responseUrl: app.responseUrl,
      }),
    });
    expect(ack).toEqual({ envelope_id: `cmd-${connection.number}`, payload: {} });
    await expect.poll(() => standIn.callsTo('views.open').length).toBe(before + 1);
    const opened = standIn.callsTo('views.open')[before];
    if (!opened) throw new Error('views.open was not called');
    expect(opened.args.view.callback_id).toBe(ROUND_MODAL.callbackId);
    expect(opened.token).toBe(TEST_BOT_TOKEN);
    expect(opened.violations ?? []).toEqual([]);
    return {
      viewId: String((opened.reply?.body.view as { id?: string } | undefined)?.id),
      privateMetadata: opened.args.view.private_metadata as string,
    };
  }

  /** The round form submitted as Slack sends it back: with the private_metadata the app opened it with. */
  function submission(
    modal: { viewId: string; privateMetadata: string },
    answers: Partial<RoundFormAnswers>,
  ) {
    const request = roundFormSubmission({
      userId: STAFF,
      viewId: modal.viewId,
      answers: {
        customerUserId: CUSTOMER,
        service: 'Interlibrary loans',
        interviewOn: inDays(7),
        ...answers,
      },
    });
    if (request.kind !== 'interactive') throw new Error('the round form is an interactive payload');
    const payload = request.payload as { view: Record<string, unknown> };
    return { ...payload, view: { ...payload.view, private_metadata: modal.privateMetadata } };
  }

  it('connects with the app-level token at the configured Web API address and gets Slack hello', async () => {
    const [open] = standIn.callsTo('apps.connections.open');
    expect(open?.token).toBe(TEST_APP_TOKEN);
    expect(standIn.callsTo('apps.connections.open')).toHaveLength(1);
    const connection = await standIn.socketMode.waitForConnection(1);
    expect(connection.open).toBe(true);
    expect(connection.appToken).toBe(TEST_APP_TOKEN);
  });

  it('runs /rate-service through the socket: command acknowledged, modal opened, round stored, customer asked', async () => {
    const connection = await standIn.socketMode.waitForConnection(1);
    const modal = await openRoundModal(connection);

    const ack = await connection.send({
      envelope_id: 'submit-1',
      type: 'interactive',
      payload: submission(modal, { selfScore: '8' }),
    });
    // An empty acknowledgement closes the modal.
    expect(ack).toEqual({ envelope_id: 'submit-1', payload: {} });

    await expect
      .poll(() => db().select().from(rounds))
      .toMatchObject([
        { staffUserId: STAFF, customerUserId: CUSTOMER, selfScore: 8, status: 'awaiting_customer' },
      ]);
    const request = await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === CUSTOMER);
    expect(request.token).toBe(TEST_BOT_TOKEN);
    expect(request.violations ?? []).toEqual([]);
    expect(request.args.text).toContain(`<@${STAFF}>`);
    await settled();
  });

  it('answers an invalid round form in the acknowledgement, with the field errors, and stores nothing', async () => {
    const connection = await standIn.socketMode.waitForConnection(1);
    const modal = await openRoundModal(connection);

    const ack = await connection.send({
      envelope_id: 'submit-past',
      type: 'interactive',
      payload: submission(modal, { interviewOn: '2020-01-06' }),
    });
    expect(ack.envelope_id).toBe('submit-past');
    expect(ack.payload).toMatchObject({
      response_action: 'errors',
      errors: { [ROUND_MODAL.blocks.interviewOn]: expect.any(String) },
    });
    await settled();
    expect(await db().select().from(rounds)).toEqual([]);
    expect(standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === CUSTOMER)).toEqual([]);
  });

  it('acknowledges an events_api envelope and acts on it once, though Slack delivers it again', async () => {
    const connection = await standIn.socketMode.waitForConnection(1);
    const round = await seedRound(db(), {
      staffUserId: GONE,
      customerUserId: CUSTOMER,
      createdAt: new Date(),
    });
    const pending = (dedupeKey: string) => ({
      kind: 'interview_due' as const,
      roundId: round.id,
      recipientUserId: GONE,
      dueAt: new Date(Date.now() + 86_400_000),
      state: 'pending' as const,
      dedupeKey,
    });
    await db().insert(reminders).values(pending('gone-interview'));
    const states = async () =>
      (await db().select().from(reminders).orderBy(asc(reminders.id)))
        .filter((row) => row.recipientUserId === GONE)
        .map((row) => ({ key: row.dedupeKey, state: row.state }));

    const delivery = {
      type: 'events_api' as const,
      payload: {
        token: 'legacy-verification-token',
        team_id: 'T1',
        api_app_id: 'A1',
        event: {
          type: 'user_change',
          user: { id: GONE, team_id: 'T1', name: 'gwen', real_name: 'Gwen', deleted: true, is_bot: false },
          cache_ts: 1_700_000_000,
          event_ts: '1700000000.000100',
        },
        type: 'event_callback',
        event_id: 'Ev0SOCKET1',
        event_time: Math.floor(Date.now() / 1000),
      },
    };
    const first = await connection.send({ ...delivery, envelope_id: 'event-1' });
    expect(first).toEqual({ envelope_id: 'event-1', payload: {} });
    await settled();
    await expect.poll(states).toEqual([{ key: 'gone-interview', state: 'cancelled' }]);

    // Slack redelivers the same event (a new envelope, the same event_id): nothing happens again.
    await db().insert(reminders).values(pending('gone-later'));
    const retry = await connection.send({
      ...delivery,
      envelope_id: 'event-1-retry',
      retry_attempt: 1,
      retry_reason: 'timeout',
    });
    expect(retry).toEqual({ envelope_id: 'event-1-retry', payload: {} });
    await settled();
    expect(await states()).toEqual([
      { key: 'gone-interview', state: 'cancelled' },
      { key: 'gone-later', state: 'pending' },
    ]);
    expect(await db().select().from(slackEvents)).toMatchObject([
      { eventId: 'Ev0SOCKET1', type: 'user_change' },
    ]);
    expect(app.logs.text).toContain('"outcome":"duplicate"');
  });

  it('publishes the Home on app_home_opened through the socket, once though Slack delivers it again', async () => {
    const connection = await standIn.socketMode.waitForConnection(1);
    const delivery = {
      type: 'events_api' as const,
      payload: {
        token: 'legacy-verification-token',
        team_id: 'T1',
        api_app_id: 'A1',
        event: {
          type: 'app_home_opened',
          user: STAFF,
          channel: 'D1',
          tab: 'home',
          event_ts: '1700000000.000200',
        },
        type: 'event_callback',
        event_id: 'Ev0SOCKETHOME',
        event_time: Math.floor(Date.now() / 1000),
      },
    };
    expect(await connection.send({ ...delivery, envelope_id: 'home-1' })).toEqual({
      envelope_id: 'home-1',
      payload: {},
    });
    await expect
      .poll(() => standIn.callsTo('views.publish').filter((c) => c.args.user_id === STAFF).length)
      .toBe(1);
    const retry = await connection.send({
      ...delivery,
      envelope_id: 'home-1-retry',
      retry_attempt: 1,
      retry_reason: 'timeout',
    });
    expect(retry).toEqual({ envelope_id: 'home-1-retry', payload: {} });
    await settled();
    await expect.poll(() => app.radar.dependencies.homePublishing.active()).toBe(0);
    expect(standIn.callsTo('views.publish').filter((c) => c.args.user_id === STAFF)).toHaveLength(1);
    expect(JSON.stringify(standIn.callsTo('views.publish')[0]?.args.view)).toContain('Your service radar');
  });

  it('re-opens a dropped connection and takes the next command on the new one', async () => {
    const first = await standIn.socketMode.waitForConnection(1);
    first.drop();
    await first.closed;

    const second = await standIn.socketMode.waitForConnection(2);
    expect(standIn.callsTo('apps.connections.open')).toHaveLength(2);
    expect(standIn.callsTo('apps.connections.open').every((c) => c.token === TEST_APP_TOKEN)).toBe(true);
    expect(second.open).toBe(true);
    expect(first.open).toBe(false);

    const modal = await openRoundModal(second);
    expect(await second.send({ type: 'interactive', payload: submission(modal, {}) })).toMatchObject({
      payload: {},
    });
    await expect.poll(async () => (await db().select().from(rounds)).length).toBe(1);
    await settled();
  });

  it('reconnects when Slack asks it to (disconnect: refresh_requested), closing the old socket cleanly', async () => {
    const first = await standIn.socketMode.waitForConnection(1);
    first.disconnect('refresh_requested');
    // The app answers with a close frame of its own (1000), not by dropping the connection.
    expect(await first.closed).toEqual({ code: 1000 });

    const second = await standIn.socketMode.waitForConnection(2);
    expect(standIn.callsTo('apps.connections.open')).toHaveLength(2);
    await openRoundModal(second);
    await settled();
  });

  it('keeps /healthz on PORT and does not serve /slack/events', async () => {
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true });
    const events = await fetch(`${app.baseUrl}/slack/events`, { method: 'POST', body: '{}' });
    expect(events.status).toBe(404);
  });
});
