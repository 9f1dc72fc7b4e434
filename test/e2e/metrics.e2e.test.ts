import { createServer } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { fixedClock } from '../../src/lib/clock.js';
import { ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { createTestDatabase, describeEachDatabase, type TestDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound as seedDigestRound } from '../helpers/digests.js';
import { sample, scrape } from '../helpers/metrics.js';
import { rawRequest } from '../helpers/raw-http.js';
import { seedRound } from '../helpers/reminders.js';
import { slashCommand, viewSubmission } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const STAFF = 'USTAFF';
// Tuesday 24 November 2026, 10:00 in London: inside working hours.
const NOW = '2026-11-24T10:00:00Z';
// Committees post on Mondays at 09:00 UTC; 2026-W47's digest is due from Monday 23 November 09:00.
const DIGEST_DUE = new Date('2026-11-23T09:00:00Z');

describeEachDatabase('metrics end to end', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;
  const metrics = () => scrape(app.radar.metricsPort);

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    app = await startTestApp({
      database: getDb(),
      standIn,
      clock,
      env: { METRICS_PORT: '0' },
      overrides: { digests: { renderChart: async () => null } },
    });
  });
  afterEach(() => app.stop());

  it('serves GET /metrics on its own port only: other paths 404, other methods 405, nothing on the Slack port', async () => {
    expect(app.radar.metricsPort).toBeTypeOf('number');
    expect(app.radar.metricsPort).not.toBe(app.radar.port);
    const base = `http://127.0.0.1:${app.radar.metricsPort}`;
    const ok = await fetch(`${base}/metrics`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect((await fetch(`${base}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(`${base}/healthz`)).status).toBe(404);
    expect((await fetch(`${base}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(404);
    // The process's own metrics, event-loop delay among them.
    const body = await ok.text();
    expect(sample(body, 'nodejs_eventloop_lag_seconds')).toBeTypeOf('number');
    expect(body).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(body).toContain('process_resident_memory_bytes');
  });

  it('answers a stranger’s malformed bytes on the metrics port with 4xx, echoes and logs none of them, and goes on serving', async () => {
    const port = app.radar.metricsPort as number;
    const MARK = 'QZ9STRANGER';
    const attempts = [
      `GET /metrics?${MARK} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /${MARK}/../metrics HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET /metrics HTTP/1.1\r\nHost: x\r\nX-${MARK}: ${'a'.repeat(70_000)}\r\n\r\n`,
      `${MARK} nonsense\r\n\r\n`,
      `GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
    ];
    for (const bytes of attempts) {
      const answer = await rawRequest(port, bytes);
      // A scrape only for a target that resolves to /metrics (a query, or dot segments, as URLs
      // resolve them); everything else is refused, or the connection closed.
      const resolvesToMetrics =
        bytes.startsWith('GET /metrics?') || bytes.startsWith(`GET /${MARK}/../metrics `);
      if (resolvesToMetrics) expect(answer.status).toBe(200);
      else expect(answer.status === undefined || answer.status >= 400).toBe(true);
      expect(answer.raw).not.toContain(MARK);
    }
    expect(app.logs.text).not.toContain(MARK);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
  });

  it('counts a signed command and times its acknowledgement, and keeps its user and words out', async () => {
    const before = await metrics();
    const acked = { kind: 'command', outcome: 'acked' };
    const response = await app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/rate-service',
        text: 'frobnicate-QX7Z91 <@UWHISTLE42>',
        userId: 'UMETRICS77',
        channelId: 'CMETRICS55',
      }),
    });
    expect(response.status).toBe(200);
    const after = await metrics();
    expect(sample(after, 'service_radar_slack_requests_total', acked)).toBe(
      (sample(before, 'service_radar_slack_requests_total', acked) ?? 0) + 1,
    );
    const count = (text: string) =>
      sample(text, 'service_radar_slack_ack_seconds_count', { kind: 'command' });
    expect(count(after)).toBe((count(before) ?? 0) + 1);
    const sum = sample(after, 'service_radar_slack_ack_seconds_sum', { kind: 'command' }) ?? 0;
    const beforeAck = sample(after, 'service_radar_slack_before_ack_seconds_sum', { kind: 'command' }) ?? 0;
    expect(sum).toBeGreaterThan(0);
    // Arrival to ack includes the listener's work before ack(), and cannot be longer than the round trip.
    expect(sum).toBeGreaterThanOrEqual(beforeAck);
    expect(sum).toBeLessThan(response.ms / 1000 + 0.01);
    for (const secret of ['QX7Z91', 'frobnicate', 'UWHISTLE42', 'UMETRICS77', 'CMETRICS55', STAFF])
      expect(after).not.toContain(secret);
  });

  it('counts a view submission under the view kind', async () => {
    const opened = await app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/rate-service',
        text: '',
        userId: STAFF,
        responseUrl: app.responseUrl,
      }),
    });
    expect(opened.status).toBe(200);
    const call = await standIn.waitForCall(
      'views.open',
      (c) => c.args.view?.callback_id === ROUND_MODAL.callbackId,
    );
    const before = await metrics();
    const submitted = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: STAFF,
        view: {
          id: (call.reply?.body.view as { id: string } | undefined)?.id ?? '',
          callback_id: ROUND_MODAL.callbackId,
          private_metadata: call.args.view.private_metadata,
          state_values: {},
        },
      }),
    });
    expect(submitted.status).toBe(200);
    const after = await metrics();
    const views = (text: string) =>
      sample(text, 'service_radar_slack_ack_seconds_count', { kind: 'view' }) ?? 0;
    expect(views(after)).toBe(views(before) + 1);
    const total = (text: string) =>
      ['acked', 'failed', 'unacked']
        .map((outcome) => sample(text, 'service_radar_slack_requests_total', { kind: 'view', outcome }) ?? 0)
        .reduce((a, b) => a + b, 0);
    expect(total(after)).toBe(total(before) + 1);
    expect(sample(after, 'service_radar_slack_requests_total', { kind: 'view', outcome: 'acked' })).toBe(1);
  });

  it('shows the reminder queue as the database holds it, and counts a reminder sent', async () => {
    await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      customerName: 'Patron',
      createdAt: new Date('2026-11-20T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    clock.set('2026-11-20T10:01:00Z');
    await app.radar.scheduler.tick(new Date('2026-11-20T10:01:00Z')); // schedules the reminder
    const queue = async () => {
      const rows = rowsOf<{ state: string; n: number }>(
        await db().execute(sql`select state, count(*)::int as n from reminders group by state`),
      );
      return Object.fromEntries(rows.map((row) => [row.state, row.n]));
    };
    const expectQueueShown = async (text: string) => {
      const held = await queue();
      for (const state of ['pending', 'sending', 'sent', 'failed', 'cancelled'])
        expect(sample(text, 'service_radar_reminder_queue', { state }), state).toBe(held[state] ?? 0);
    };
    const scheduled = await metrics();
    expect(sample(scheduled, 'service_radar_reminder_queue', { state: 'pending' })).toBeGreaterThan(0);
    await expectQueueShown(scheduled);
    const sent = (text: string) =>
      sample(text, 'service_radar_reminder_sends_total', { outcome: 'sent' }) ?? 0;

    clock.set(NOW);
    await app.radar.scheduler.tick(new Date(NOW)); // sends it
    const delivered = await metrics();
    expect(standIn.callsTo('chat.postMessage').length).toBeGreaterThan(0);
    expect(sent(delivered)).toBe(sent(scheduled) + standIn.callsTo('chat.postMessage').length);
    await expectQueueShown(delivered);
    expect(sample(delivered, 'service_radar_reminder_queue', { state: 'sent' })).toBeGreaterThan(0);
  });

  it('counts a digest posted, and one that failed', async () => {
    clock.set(DIGEST_DUE);
    for (const [staff, self, customer] of [
      ['U1', 8, 5],
      ['U2', 7, 6],
      ['U3', 9, 4],
    ] as const)
      await seedDigestRound(db(), {
        staff,
        unit: 'Reference',
        self,
        customer,
        completedAt: new Date('2026-11-18T12:00:00Z'),
      });
    await seedCommittee(db(), 'CCOMM');
    await seedCommittee(db(), 'CGONE');
    standIn.on('chat.postMessage', (call) =>
      call.args.channel === 'CGONE' ? { body: { ok: false, error: 'channel_not_found' } } : undefined,
    );
    const before = await metrics();
    await app.radar.scheduler.tick(DIGEST_DUE);
    const after = await metrics();
    const posts = (text: string, outcome: string) =>
      sample(text, 'service_radar_digest_posts_total', { outcome }) ?? 0;
    expect(posts(after, 'posted')).toBe(posts(before, 'posted') + 1);
    expect(posts(after, 'failed')).toBe(posts(before, 'failed') + 1);
  });

  it('counts the database work the app does', async () => {
    const before = await metrics();
    await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: 'help', userId: STAFF }),
    });
    await seedRound(db(), { staffUserId: STAFF, createdAt: new Date('2026-11-20T10:00:00Z') });
    const after = await metrics();
    const queries = (text: string) =>
      sample(text, 'service_radar_db_operation_seconds_count', { operation: 'query' }) ?? 0;
    expect(queries(after)).toBeGreaterThan(queries(before));
    expect(sample(after, 'service_radar_db_pool_size')).toBe(getDb().kind === 'pglite' ? 1 : 5);
    expect(sample(after, 'service_radar_db_operations_in_flight', { operation: 'transaction' })).toBe(0);
  });
});

describe('metrics off', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  });
  afterAll(() => database.close());

  it('opens no metrics port when METRICS_PORT is unset', async () => {
    // The port the test would choose is free before, and still free with the app running.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const app = await startTestApp({ database, standIn });
    try {
      expect(app.radar.metricsPort).toBeUndefined();
      expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(404);
      await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
      // Counting still happens, in memory, for nobody.
      expect(await app.radar.dependencies.metrics.render()).toMatchObject({ body: expect.any(String) });
      expect((await app.radar.dependencies.metrics.render()).body).not.toContain('nodejs_eventloop_lag');
    } finally {
      await app.stop();
    }
  });
});
