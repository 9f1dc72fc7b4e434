import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { digestPosts, reminders, rounds, slackEvents, slackInstallation } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { DIGEST_EVENT_TYPE } from '../../src/modules/digests/digests.usecases.js';
import { REMINDER_EVENT_TYPE } from '../../src/modules/reminders/reminders.outbox.js';
import { RESPONSE_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, TEST_BOT_TOKEN, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound as seedCompletedRound } from '../helpers/digests.js';
import { countRows } from '../helpers/fault-rows.js';
import { seedRound } from '../helpers/reminders.js';
import {
  eventCallbackBody,
  plainInput,
  type SlackRequest,
  sealedMetadata,
  staticSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * The app is uninstalled, or its token revoked: Slack refuses the token on every call. What must
 * hold: nothing queued is marked failed or loses an attempt, nobody is told about a channel problem
 * there is not, /healthz says the app is paused, the log says so once; and once a token works again
 * (the same one, or a new one and a restart) everything queued is delivered exactly once. Slack's
 * own word (app_uninstalled, tokens_revoked, signed Events API requests) pauses it too, once per
 * event however often Slack retries.
 */

const CUSTOMER = 'UCUST';
const ANSWERING_CUSTOMER = 'UCUST2';
const ADMIN = 'UADMIN';
const COMMITTEE = 'C0COMMITTEE';
// Tuesday 24 November 2026, 10:00 in London: inside working hours. 2026-W47's digest is due.
const NOW = '2026-11-24T10:00:00Z';
const at = (minutes: number) => new Date(new Date(NOW).getTime() + minutes * 60_000).toISOString();
const INTERVIEWS = 3;
const PAUSED_LINE = 'Slack refuses the bot token: scheduled sends are paused until a working token is back';
const RESUMED_LINE = 'Slack accepts the bot token again: scheduled sends resume';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('uninstall and revoked tokens', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;
  const start = (env: Record<string, string> = {}) =>
    startTestApp({ database: getDb(), standIn, clock, env: { SLACK_API_TIMEOUT_MS: '1000', ...env } });

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    for (const id of ['USTAFF0', 'USTAFF1', 'USTAFF2', 'USTAFF3', 'USTAFF4', CUSTOMER, ANSWERING_CUSTOMER])
      standIn.addUser({ id, name: id.toLowerCase(), tz: 'Europe/London' });
    standIn.addUser({ id: ADMIN, name: 'ada', tz: 'Europe/London', is_admin: true });
    app = await start();
  });
  afterEach(() => app.stop());

  const tick = async (iso: string) => {
    clock.set(iso);
    await app.radar.scheduler.tick(new Date(iso));
  };
  const health = async () => {
    const response = await fetch(`${app.baseUrl}/healthz`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const settle = () => expect.poll(() => app.radar.slack.inFlight.size, { timeout: 10_000 }).toBe(0);
  const accepted = (call: RecordedCall) => call.reply?.body.ok === true;
  /** Metadata key -> how many copies Slack accepted, for reminders and digests alike. */
  const delivered = () => {
    const counts = new Map<string, number>();
    for (const call of standIn.callsTo('chat.postMessage').filter(accepted)) {
      const type = call.args.metadata?.event_type;
      if (type !== REMINDER_EVENT_TYPE && type !== DIGEST_EVENT_TYPE) continue;
      const key = String(call.args.metadata.event_payload.radar_key);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  /** Reminders sent after seeding (seedRound records each customer's request as sent already). */
  const sentSinceSeeding = async () =>
    (await db().select().from(reminders)).filter(
      (row) => row.state === 'sent' && row.kind !== 'customer_request',
    );
  const linesSaying = (text: string) => app.logs.lines.filter((line) => JSON.parse(line).msg === text);
  /** Log lines at warn or worse. */
  const warnings = () => app.logs.lines.filter((line) => JSON.parse(line).level >= 40);

  /** Interview days and a customer's first nudge, due at NOW; a completed week for the digest. */
  async function queueWork() {
    for (let i = 0; i < INTERVIEWS; i++)
      await seedRound(db(), {
        staffUserId: `USTAFF${i}`,
        customerUserId: null,
        customerName: `Patron ${i}`,
        createdAt: new Date('2026-11-20T10:00:00Z'),
        interviewOn: '2026-11-24',
      });
    // A customer in Slack: their first nudge comes CUSTOMER_NUDGE_DAYS (4) after the request.
    await seedRound(db(), {
      staffUserId: 'USTAFF3',
      customerUserId: CUSTOMER,
      createdAt: new Date('2026-11-20T10:00:00Z'),
      interviewOn: '2026-12-01',
    });
    for (const [staff, self, customer] of [
      ['U1', 8, 5],
      ['U2', 7, 6],
      ['U3', 9, 4],
    ] as const)
      await seedCompletedRound(db(), {
        staff,
        unit: 'Reference',
        self,
        customer,
        completedAt: new Date('2026-11-18T12:00:00Z'),
      });
    await seedCommittee(db(), COMMITTEE, { timeZone: 'UTC' });
    await tick('2026-11-20T10:01:00Z');
    standIn.reset();
  }

  /** The customer of a round of USTAFF4 answers it, as the modal's submission reaches the app. */
  async function customerAnswers(): Promise<number> {
    const round = await seedRound(db(), {
      staffUserId: 'USTAFF4',
      customerUserId: ANSWERING_CUSTOMER,
      createdAt: new Date('2026-11-23T10:00:00Z'),
      interviewOn: '2026-12-01',
    });
    const { blocks: ids, actionId } = RESPONSE_MODAL;
    const answers = Object.fromEntries(
      ['needFromMe', 'whyDependOnMe', 'notAdequatelyProviding', 'concentrateOn', 'noLongerNeed'].map(
        (key) => [ids[key as keyof typeof ids], { [actionId]: plainInput('Faster replies.') }],
      ),
    );
    const request: SlackRequest = {
      kind: 'interactive',
      payload: viewSubmission({
        userId: ANSWERING_CUSTOMER,
        view: {
          id: 'VANSWER1',
          callback_id: RESPONSE_MODAL.callbackId,
          private_metadata: sealedMetadata(RESPONSE_MODAL.callbackId, ANSWERING_CUSTOMER, {
            roundId: round.id,
          }),
          state_values: { ...answers, [ids.customerScore]: { [actionId]: staticSelect('6') } },
        },
      }),
    };
    const answered = await app.send(request);
    expect(answered.status).toBe(200);
    expect(answered.body).toBe('');
    await settle();
    return round.id;
  }

  it.each(['token_revoked', 'account_inactive'])(
    'a token refused with %s: everything queued waits, unfailed, and arrives once when Slack answers again',
    async (error) => {
      await queueWork();
      standIn.revokeTokens({ error });

      await tick(NOW);
      const resultRound = await customerAnswers();
      for (let minute = 1; minute <= 6; minute++) await tick(at(minute));

      // Nothing failed, nothing lost an attempt: every reminder is still waiting.
      const waiting = await db().select().from(reminders);
      expect(waiting.filter((row) => row.state === 'failed')).toEqual([]);
      expect(waiting.filter((row) => row.state === 'sending')).toEqual([]);
      const due = waiting.filter((row) => row.state === 'pending' && row.dueAt <= new Date(at(6)));
      expect(due.map((row) => row.kind).sort()).toEqual([
        'customer_nudge',
        ...Array(INTERVIEWS).fill('interview_due'),
        'round_result',
      ]);
      expect(due.map((row) => row.attempts)).toEqual(Array(due.length).fill(0));
      // The digest was never claimed, so no admin heard of a channel problem.
      expect(await db().select().from(digestPosts)).toEqual([]);
      expect(standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === ADMIN)).toEqual([]);
      // Slack was not hammered: the sends already on their way when the refusal came (at most one
      // per worker), then one auth.test a tick.
      const triedWhileRevoked = standIn.callsTo('chat.postMessage').length;
      expect(triedWhileRevoked).toBeLessThanOrEqual(4);
      expect(standIn.callsTo('auth.test').length).toBeLessThanOrEqual(8);

      expect(await health()).toMatchObject({
        status: 503,
        body: { ok: false, reason: 'slack_token_revoked', slack: { state: 'paused', reason: error } },
      });
      const [standing] = await db().select().from(slackInstallation);
      expect(standing).toMatchObject({ state: 'paused', reason: error });
      // Said once, not once per reminder or per tick; and nothing else worth a warning.
      expect(linesSaying(PAUSED_LINE)).toHaveLength(1);
      expect(warnings()).toEqual(linesSaying(PAUSED_LINE));

      // The token works again (reinstalled, same token): the next tick finds out and sends.
      standIn.restoreTokens();
      await tick(at(7));
      await tick(at(8));
      const counts = delivered();
      const sent = await sentSinceSeeding();
      expect(sent.map((row) => row.kind).sort()).toEqual([
        'customer_nudge',
        ...Array(INTERVIEWS).fill('interview_due'),
        'round_result',
      ]);
      for (const row of sent) expect(counts.get(`reminder:${row.id}`)).toBe(1);
      const [digest] = await db().select().from(digestPosts);
      expect(digest).toMatchObject({ state: 'posted', attempts: 1, week: '2026-W47' });
      expect(counts.get(`digest:${digest?.committeeId}:2026-W47`)).toBe(1);
      expect(counts.size).toBe(sent.length + 1);
      expect(sent.find((row) => row.kind === 'round_result')?.roundId).toBe(resultRound);
      expect(standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === ADMIN)).toEqual([]);
      expect((await health()).status).toBe(200);
      expect(linesSaying(RESUMED_LINE)).toHaveLength(1);

      if (process.env.FAULT_REPORT)
        console.info(`revoked token (${error}), then the same token works again`, {
          sent: { reminders: sent.length, digests: 1 },
          answered: { healthWhilePaused: 503, triedWhileRevoked, pauseLogLines: 1 },
          lost: {
            failed: 0,
            delivered: counts.size,
            duplicates: [...counts.values()].filter((n) => n > 1).length,
          },
        });
    },
  );

  it('a new token and a restart: paused at start-up while the old token is refused, then everything arrives once', async () => {
    await queueWork();
    standIn.revokeTokens({ tokens: [TEST_BOT_TOKEN] });
    await tick(NOW);
    expect((await health()).status).toBe(503);

    // Restarted before the reinstall: the start-up check keeps it paused, with no tick needed.
    await app.stop();
    await db().update(slackInstallation).set({ state: 'active', reason: null });
    app = await start();
    expect(await health()).toMatchObject({ status: 503, body: { slack: { reason: 'token_revoked' } } });

    // Reinstalled: the new token goes into SLACK_BOT_TOKEN and the app restarts.
    await app.stop();
    const newToken = 'xoxb-reinstalled-token-0987654321';
    app = await start({ SLACK_BOT_TOKEN: newToken });
    expect((await health()).status).toBe(200);
    expect(linesSaying(RESUMED_LINE)).toHaveLength(1);

    standIn.calls.length = 0;
    await tick(at(2));
    await tick(at(3));
    const counts = delivered();
    const sent = await sentSinceSeeding();
    expect(sent).toHaveLength(INTERVIEWS + 1);
    for (const row of sent) expect(counts.get(`reminder:${row.id}`)).toBe(1);
    expect(counts.size).toBe(sent.length + 1);
    expect(standIn.callsTo('chat.postMessage').every((call) => call.token === newToken)).toBe(true);
    expect((await db().select().from(reminders)).filter((row) => row.state === 'failed')).toEqual([]);

    if (process.env.FAULT_REPORT)
      console.info('revoked token, restart, new token and a restart', {
        sent: { reminders: sent.length, digests: 1 },
        answered: { healthBeforeReinstall: 503, healthAfterRestart: 200 },
        lost: {
          failed: 0,
          delivered: counts.size,
          duplicates: [...counts.values()].filter((n) => n > 1).length,
        },
      });
  });

  it('two copies on one database: a pause found by one holds for the other, and all arrives once', async () => {
    await queueWork();
    const other = await start();
    try {
      const tickBoth = async (iso: string) => {
        clock.set(iso);
        await Promise.all([app, other].map((copy) => copy.radar.scheduler.tick(new Date(iso))));
      };
      standIn.revokeTokens();
      await app.radar.scheduler.tick(new Date(NOW));
      // The other copy never met a refusal itself, yet it is paused, and does not ask Slack again
      // within the minute the first copy's check covers.
      const checksBefore = standIn.callsTo('auth.test').length;
      const postsBefore = standIn.callsTo('chat.postMessage').length;
      await other.radar.scheduler.tick(new Date(NOW));
      expect(standIn.callsTo('auth.test')).toHaveLength(checksBefore);
      expect(standIn.callsTo('chat.postMessage')).toHaveLength(postsBefore);
      expect((await fetch(`${other.baseUrl}/healthz`)).status).toBe(503);

      standIn.restoreTokens();
      await tickBoth(at(2));
      await tickBoth(at(3));
      const counts = delivered();
      const sent = await sentSinceSeeding();
      expect(sent).toHaveLength(INTERVIEWS + 1);
      expect(counts.size).toBe(sent.length + 1);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect((await fetch(`${other.baseUrl}/healthz`)).status).toBe(200);
      expect(
        linesSaying(RESUMED_LINE).length +
          other.logs.lines.filter((line) => JSON.parse(line).msg === RESUMED_LINE).length,
      ).toBe(1);

      if (process.env.FAULT_REPORT)
        console.info('revoked token, two copies on one database', {
          sent: { reminders: sent.length, digests: 1 },
          answered: { otherCopyHealth: 503, otherCopyChecks: 0 },
          lost: { delivered: counts.size, duplicates: [...counts.values()].filter((n) => n > 1).length },
        });
    } finally {
      await other.stop();
    }
  });

  it('a digest whose post meets the revocation: no admin DM, not failed, posted once after resumption', async () => {
    await queueWork();
    // Slack takes the token away just as the digest is posted.
    standIn.on('chat.postMessage', (call) => {
      if (call.args.channel !== COMMITTEE) return undefined;
      standIn.revokeTokens();
      return { body: { ok: false, error: 'token_revoked' } };
    });
    // The reminders are sent first in a tick; the digest is the only thing left.
    await db().update(reminders).set({ state: 'cancelled' }).where(eq(reminders.state, 'pending'));

    for (const minutes of [0, 1, 5, 30, 90]) await tick(at(minutes));
    const posts = await db().select().from(digestPosts);
    expect(posts.filter((row) => row.state === 'failed')).toEqual([]);
    expect(standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === ADMIN)).toEqual([]);
    expect(
      standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === COMMITTEE),
    ).toHaveLength(1);
    expect((await health()).status).toBe(503);

    standIn.reset();
    await tick(at(91));
    await tick(at(120));
    const [posted] = await db().select().from(digestPosts);
    expect(posted).toMatchObject({ state: 'posted', attempts: 1, adminNotifiedAt: null });
    expect([...delivered().values()]).toEqual([1]);
    expect(standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === ADMIN)).toEqual([]);

    if (process.env.FAULT_REPORT)
      console.info('digest post meets a revoked token', {
        sent: { digests: 1, ticksWhileRevoked: 5 },
        answered: { adminDms: 0, failed: 0 },
        lost: { delivered: delivered().size, duplicates: 0 },
      });
  });

  it('a digest post whose outcome is unknown when the token goes: checked against the channel first, never doubled', async () => {
    await queueWork();
    await db().update(reminders).set({ state: 'cancelled' }).where(eq(reminders.state, 'pending'));
    // Slack posts it, but only after the client stopped waiting (SLACK_API_TIMEOUT_MS, 1 s).
    const landed: RecordedCall[] = [];
    standIn.on('chat.postMessage', async (call) => {
      if (call.args.channel !== COMMITTEE) return undefined;
      landed.push(call);
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      return undefined;
    });
    await tick(NOW);
    await expect.poll(() => landed.every(accepted)).toBe(true);
    expect(landed).toHaveLength(1);

    // Then the token is revoked: the check of the channel is refused, and the claim waits as it is.
    standIn.reset();
    for (const call of landed) standIn.calls.push(call);
    standIn.revokeTokens();
    for (const minutes of [4, 5, 10]) await tick(at(minutes));
    const [waiting] = await db().select().from(digestPosts);
    expect(waiting).toMatchObject({ state: 'sending' });
    expect(standIn.callsTo('chat.postMessage').filter((call) => call !== landed[0])).toEqual([]);

    standIn.restoreTokens();
    await tick(at(11));
    await tick(at(12));
    const [done] = await db().select().from(digestPosts);
    expect(done).toMatchObject({ state: 'posted', messageTs: landed[0]?.reply?.body.ts });
    expect([...delivered().values()]).toEqual([1]);
    expect(standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === ADMIN)).toEqual([]);

    if (process.env.FAULT_REPORT)
      console.info('digest post of unknown outcome, then a revoked token', {
        sent: { digests: 1 },
        answered: { posted: 1, historyChecks: standIn.callsTo('conversations.history').length },
        lost: { duplicates: 0 },
      });
  });

  it('account_inactive while auth.test accepts the token is about the recipient: that reminder fails, nothing pauses', async () => {
    await queueWork();
    standIn.on('chat.postMessage', (call) =>
      call.args.channel === 'USTAFF0' ? { body: { ok: false, error: 'account_inactive' } } : undefined,
    );
    await tick(NOW);
    await tick(at(1));
    const rows = await db().select().from(reminders);
    const failed = rows.filter((row) => row.state === 'failed');
    expect(failed).toMatchObject([{ recipientUserId: 'USTAFF0', lastError: 'account_inactive' }]);
    expect((await sentSinceSeeding()).map((row) => row.kind).sort()).toEqual([
      'customer_nudge',
      'interview_due',
      'interview_due',
    ]);
    expect((await health()).status).toBe(200);
    expect(linesSaying(PAUSED_LINE)).toHaveLength(0);
  });

  // ---------------------------------------------------------------------------------------------
  // The Events API

  const sendEvent = (eventId: string, event: Record<string, unknown>, headers: Record<string, string> = {}) =>
    app.send({ kind: 'event', body: eventCallbackBody(eventId, event) }, { headers });
  const standing = async () => (await db().select().from(slackInstallation))[0];

  it('app_uninstalled pauses once; its retry (X-Slack-Retry-Num: 1) is answered and redoes nothing', async () => {
    const first = await sendEvent('Ev0UNINSTALL1', { type: 'app_uninstalled' });
    expect(first.status).toBe(200);
    await settle();
    expect(await standing()).toMatchObject({ state: 'paused', reason: 'app_uninstalled' });
    expect(await db().select().from(slackEvents)).toMatchObject([
      { eventId: 'Ev0UNINSTALL1', type: 'app_uninstalled' },
    ]);
    expect(await health()).toMatchObject({ status: 503, body: { slack: { reason: 'app_uninstalled' } } });

    // Reinstalled: the token works, and the next tick resumes.
    await tick(at(1));
    expect(await standing()).toMatchObject({ state: 'active' });

    // Slack retries the old delivery (our first answer was slow, say): handled already, so nothing.
    const retry = await sendEvent(
      'Ev0UNINSTALL1',
      { type: 'app_uninstalled' },
      { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' },
    );
    expect(retry.status).toBe(200);
    await settle();
    expect(await standing()).toMatchObject({ state: 'active' });
    expect(await db().select().from(slackEvents)).toHaveLength(1);
    expect((await health()).status).toBe(200);
    expect(linesSaying(PAUSED_LINE)).toHaveLength(1);
    expect(app.logs.text).toContain('"outcome":"duplicate"');

    if (process.env.FAULT_REPORT)
      console.info('app_uninstalled event, then its retry', {
        sent: { deliveries: 2, eventIds: 1 },
        answered: { first: first.status, retry: retry.status },
        lost: { handledTwice: 0 },
      });
  });

  it('tokens_revoked pauses when it names the bot token, and only then', async () => {
    await sendEvent('Ev0USERONLY', { type: 'tokens_revoked', tokens: { oauth: ['U1'] } });
    await settle();
    expect((await standing())?.state ?? 'active').toBe('active');
    await sendEvent('Ev0BOTTOKEN', { type: 'tokens_revoked', tokens: { oauth: [], bot: ['UBOT'] } });
    await settle();
    expect(await standing()).toMatchObject({ state: 'paused', reason: 'tokens_revoked' });
    // Slack does not promise the order of the two; the second changes nothing.
    await sendEvent('Ev0UNINSTALL2', { type: 'app_uninstalled' });
    await settle();
    expect(await standing()).toMatchObject({ state: 'paused', reason: 'tokens_revoked' });
    expect(await db().select().from(slackEvents)).toHaveLength(3);
    expect(linesSaying(PAUSED_LINE)).toHaveLength(1);
  });

  it('forgets event ids older than a week when it records a new one', async () => {
    const day = 86_400_000;
    await db()
      .insert(slackEvents)
      .values([
        { eventId: 'Ev0OLD', type: 'tokens_revoked', receivedAt: new Date(Date.parse(NOW) - 8 * day) },
        { eventId: 'Ev0RECENT', type: 'tokens_revoked', receivedAt: new Date(Date.parse(NOW) - 6 * day) },
      ]);
    await sendEvent('Ev0NEW', { type: 'tokens_revoked', tokens: { oauth: ['U1'] } });
    await settle();
    expect((await db().select().from(slackEvents)).map((row) => row.eventId).sort()).toEqual([
      'Ev0NEW',
      'Ev0RECENT',
    ]);
  });

  it('answers url_verification with its challenge', async () => {
    const verified = await app.send({
      kind: 'event',
      body: { token: 'legacy-verification-token', challenge: 'c0ffee-challenge', type: 'url_verification' },
    });
    expect(verified.status).toBe(200);
    expect(verified.json).toEqual({ challenge: 'c0ffee-challenge' });
  });

  it.each<[string, { signature?: string | null; timestamp?: number }]>([
    ['without a signature', { signature: null }],
    [
      'signed with another secret',
      { signature: 'v0=0000000000000000000000000000000000000000000000000000000000000000' },
    ],
    ['signed 301 s ago', { timestamp: Math.floor(Date.now() / 1000) - 301 }],
  ])('refuses an app_uninstalled event %s with 401, and writes nothing', async (_name, options) => {
    const before = await countRows(db());
    const refused = await app.send(
      { kind: 'event', body: eventCallbackBody('Ev0FORGED', { type: 'app_uninstalled' }) },
      options,
    );
    expect(refused.status).toBe(401);
    await settle();
    expect(await countRows(db())).toEqual(before);
    expect((await health()).status).toBe(200);

    if (process.env.FAULT_REPORT)
      console.info(`app_uninstalled ${_name}`, {
        sent: 1,
        answered: refused.status,
        lost: { rowsWritten: 0 },
      });
  });

  it('keeps rounds and their words while paused: nothing is deleted on uninstall', async () => {
    await queueWork();
    const before = await countRows(db());
    await sendEvent('Ev0UNINSTALL3', { type: 'app_uninstalled' });
    await settle();
    const after = await countRows(db());
    expect(after).toEqual({ ...before, slack_events: 1, slack_installation: 1 });
    expect((await db().select().from(rounds)).length).toBeGreaterThan(0);
  });
});
