import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { reminders, roundResponses, rounds } from '../../src/db/schema.js';
import { createTestDatabase, databaseKinds } from '../helpers/database.js';
import { exited, startAppProcess } from '../helpers/fault-process.js';
import { CookieJar, getPage, LINK_SECRET, postPage } from '../helpers/patron-pages.js';
import { postToSlackEvents, roundFormSubmission, TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * SIGTERM with 100 submissions in flight. Every submission the app acknowledged as stored is in the
 * database with its customer asked (the work after the ack finished too); the rest were refused in a
 * way Slack retries or shows (503, a closed connection, or "try again" on the form); the process
 * exits within 10 s; and no session of the app is left in pg_stat_activity.
 */

const IN_FLIGHT = 100;

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  standIn.addUser({ id: 'UCUST', name: 'casey', tz: 'UTC' });
});
afterAll(() => standIn.close());

describe('SIGTERM with submissions in flight', () => {
  for (const kind of databaseKinds()) {
    it(`[${kind}] commits every acknowledged submission, exits within 10 s, leaves no session`, async () => {
      const testDb = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
      const dir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'service-radar-term-')) : undefined;
      // Only the app may connect while it runs: the test's pool would count among the sessions.
      await testDb?.handle.close();
      const app = startAppProcess({
        SLACK_BOT_TOKEN: 'xoxb-shutdown-test',
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_API_URL: standIn.url,
        PORT: '0',
        LOG_LEVEL: 'info',
        SCHEDULER_ENABLED: 'false',
        ...(testDb?.url ? { DATABASE_URL: testDb.url } : { PGLITE_DIR: dir as string }),
      });
      try {
        const baseUrl = `http://127.0.0.1:${await app.port}`;
        // Slack answers users.info slowly, so the submissions are mid-way when SIGTERM lands.
        standIn.on('users.info', async () => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          return undefined;
        });
        const interviewOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
        const submissions = Array.from({ length: IN_FLIGHT }, (_, i) =>
          postToSlackEvents(
            baseUrl,
            TEST_SIGNING_SECRET,
            roundFormSubmission({
              userId: `UTERM${i}`,
              viewId: `VTERM${i}`,
              answers: { customerUserId: 'UCUST', service: `Service ${i}`, interviewOn },
            }),
          ).catch(() => ({ status: 0, body: 'connection closed' })),
        );
        await standIn.waitForCall('users.info');
        const stoppedAt = Date.now();
        app.child.kill('SIGTERM');
        const results = await Promise.all(submissions);
        expect(await exited(app.child)).toBe(0);
        expect(Date.now() - stoppedAt).toBeLessThan(10_000);

        const acknowledged = results.filter((result) => result.status === 200 && result.body === '');
        const refused = results.filter((result) => !(result.status === 200 && result.body === ''));
        // Whatever was not stored was told so in a way Slack retries or shows: never a 5xx but 503.
        for (const result of refused) expect([0, 200, 503]).toContain(result.status);
        expect(acknowledged.length).toBeGreaterThan(0);

        const check = testDb?.url
          ? await openDatabase({ databaseUrl: testDb.url, poolSize: 1 })
          : await openDatabase({ pglite: await PGlite.create(dir as string) });
        try {
          const stored = await check.db.select().from(rounds);
          expect(stored).toHaveLength(acknowledged.length);
          // The work after each ack (asking the customer) finished before the process exited.
          expect(stored.filter((round) => round.requestTs === null).map((round) => round.id)).toEqual([]);
        } finally {
          await check.close();
        }
        if (testDb?.url) {
          const client = postgres(testDb.url, { max: 1, onnotice: () => {} });
          const [sessions] =
            await client`select count(*)::int as n from pg_stat_activity where application_name like 'service-radar%' and datname = current_database()`;
          await client.end();
          expect(sessions?.n).toBe(0);
        }
        if (process.env.FAULT_REPORT)
          console.info('sigterm', kind, {
            sent: IN_FLIGHT,
            stored: acknowledged.length,
            refused: refused.length,
            statuses: refused.map((r) => r.status),
            exitMs: Date.now() - stoppedAt,
          });
      } finally {
        if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
        standIn.reset();
        standIn.addUser({ id: 'UCUST', name: 'casey', tz: 'UTC' });
        await testDb?.close();
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});

/**
 * SIGTERM while a patron's web answer is being announced: the answer was stored and the page said
 * thank you; the staff member's result, already on its way to Slack, is sent before the process
 * exits, once, and its outbox row says so.
 */
describe('SIGTERM while a web answer is announced', () => {
  for (const kind of databaseKinds()) {
    it(`[${kind}] finishes the staff member's result once before exiting`, async () => {
      const testDb = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
      const dir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'service-radar-term-web-')) : undefined;
      await testDb?.handle.close();
      standIn.addUser({ id: 'USTAFFWEB', name: 'sam', real_name: 'Sam Staff', tz: 'UTC' });
      const app = startAppProcess({
        SLACK_BOT_TOKEN: 'xoxb-shutdown-test',
        SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
        SLACK_API_URL: standIn.url,
        PORT: '0',
        LOG_LEVEL: 'info',
        SCHEDULER_ENABLED: 'false',
        PUBLIC_URL: 'http://radar.test',
        LINK_SECRET,
        LIBRARY_NAME: 'Riverside Public Library',
        ...(testDb?.url ? { DATABASE_URL: testDb.url } : { PGLITE_DIR: dir as string }),
      });
      try {
        const baseUrl = `http://127.0.0.1:${await app.port}`;
        const interviewOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
        const started = await postToSlackEvents(
          baseUrl,
          TEST_SIGNING_SECRET,
          roundFormSubmission({
            userId: 'USTAFFWEB',
            viewId: 'VTERMWEB',
            answers: {
              customerUserId: '',
              customerName: 'Pat Patron',
              answerBy: 'link',
              service: 'Maps',
              interviewOn,
            },
          }),
        );
        expect(started.status).toBe(200);
        const dm = await standIn.waitForCall(
          'chat.postMessage',
          (c) => c.args.channel === 'USTAFFWEB' && String(c.args.text).includes('/r/'),
        );
        const path = /\/r\/[A-Za-z0-9_-]+/.exec(String(dm.args.text))?.[0] as string;
        const jar = new CookieJar();
        const form = await getPage(baseUrl, path, jar);
        expect(form.status).toBe(200);

        // Slack is slow to take the result, so SIGTERM lands while it is on its way.
        standIn.on('chat.postMessage', async () => {
          await new Promise((resolve) => setTimeout(resolve, 1_500));
          return undefined;
        });
        const before = standIn.callsTo('chat.postMessage').length;
        const answered = postPage(
          baseUrl,
          path,
          {
            csrf: form.csrf ?? '',
            lang: 'en',
            needFromMe: 'Maps of the county',
            whyDependOnMe: 'You keep them.',
            notAdequatelyProviding: 'Opening hours.',
            concentrateOn: 'Scanning.',
            noLongerNeed: 'Microfiche.',
            additionalComments: '',
            customerScore: '6',
          },
          jar,
        );
        await standIn.waitForCall(
          'chat.postMessage',
          (c) => c.args.channel === 'USTAFFWEB' && String(c.args.text).includes('rated your service 6/10'),
        );
        const stoppedAt = Date.now();
        app.child.kill('SIGTERM');
        expect((await answered).status).toBe(200);
        expect(await exited(app.child)).toBe(0);
        expect(Date.now() - stoppedAt).toBeLessThan(10_000);
        const results = standIn
          .callsTo('chat.postMessage')
          .slice(before)
          .filter(
            (c) => c.args.channel === 'USTAFFWEB' && String(c.args.text).includes('rated your service 6/10'),
          );
        expect(results).toHaveLength(1);

        const check = testDb?.url
          ? await openDatabase({ databaseUrl: testDb.url, poolSize: 1 })
          : await openDatabase({ pglite: await PGlite.create(dir as string) });
        try {
          const [round] = await check.db.select().from(rounds);
          expect(round?.status).toBe('completed');
          expect(await check.db.select().from(roundResponses)).toHaveLength(1);
          const outbox = await check.db
            .select()
            .from(reminders)
            .where(eq(reminders.roundId, round?.id ?? -1));
          expect(outbox.filter((r) => r.kind === 'round_result').map((r) => r.state)).toEqual(['sent']);
        } finally {
          await check.close();
        }
      } finally {
        if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
        standIn.reset();
        standIn.addUser({ id: 'UCUST', name: 'casey', tz: 'UTC' });
        await testDb?.close();
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
