import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { count } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { rounds } from '../../src/db/schema.js';
import { createTestDatabase, databaseKinds } from '../helpers/database.js';
import { exited, startAppProcess } from '../helpers/fault-process.js';
import { postToSlackEvents, roundFormSubmission, TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * The app as operators run it: `npm start`'s entry point in its own process, configured only through
 * the environment. These tests check start-up, configuration errors and graceful shutdown.
 */

/** Every process these tests start, so a failing test cannot leave one running. */
const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function startProcess(env: Record<string, string>) {
  const app = startAppProcess(env);
  started.push(app.child);
  return app;
}

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  standIn.addUser({ id: 'UCUST', name: 'casey', real_name: 'Casey' });
});
afterAll(() => standIn.close());

describe('the app process', () => {
  it('refuses to start without configuration, naming what is missing', async () => {
    const { child, output } = startProcess({ PGLITE_DIR: join(tmpdir(), 'never-created') });
    expect(await exited(child)).toBe(78);
    expect(output()).toContain('SLACK_BOT_TOKEN is required');
    expect(output()).toContain('SLACK_SIGNING_SECRET is required in HTTP mode');
  });

  for (const kind of databaseKinds()) {
    it(`[${kind}] finishes every acknowledged submission on SIGTERM, exits promptly and leaves no session`, async () => {
      const testDb = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
      const dir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'service-radar-proc-')) : undefined;
      // The test's own pool would show up among the app's sessions: only the app may connect.
      await testDb?.handle.close();
      try {
        const { child, port } = startProcess({
          SLACK_BOT_TOKEN: 'xoxb-process-test',
          SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
          SLACK_API_URL: standIn.url,
          PORT: '0',
          LOG_LEVEL: 'info',
          ...(testDb?.url ? { DATABASE_URL: testDb.url } : { PGLITE_DIR: dir as string }),
        });
        const baseUrl = `http://127.0.0.1:${await port}`;
        expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);

        // Slack is slow to answer users.info, so submissions are still in flight when SIGTERM lands.
        standIn.on('users.info', async () => {
          await new Promise((resolve) => setTimeout(resolve, 400));
          return undefined;
        });
        const interviewOn = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
        const submissions = Array.from({ length: 20 }, (_, i) =>
          postToSlackEvents(
            baseUrl,
            TEST_SIGNING_SECRET,
            roundFormSubmission({
              userId: `USTAFF${i}`,
              viewId: `VPROCESS${i}`,
              answers: { customerUserId: 'UCUST', service: `Service ${i}`, interviewOn },
            }),
          ).catch((error: unknown) => ({ status: 0, error })),
        );
        await standIn.waitForCall('users.info');
        const stoppedAt = Date.now();
        child.kill('SIGTERM');
        const results = await Promise.all(submissions);
        expect(await exited(child)).toBe(0);
        expect(Date.now() - stoppedAt).toBeLessThan(10_000);

        const acknowledged = results.filter(
          (result) => result.status === 200 && 'body' in result && result.body === '',
        );
        expect(acknowledged.length).toBeGreaterThan(0);
        if (testDb?.url) {
          const client = postgres(testDb.url, { max: 1, connection: { application_name: 'process-test' } });
          const [stored] = await client`select count(*)::int as n from rounds`;
          const sessions =
            await client`select count(*)::int as n from pg_stat_activity where application_name like 'service-radar%' and datname = current_database()`;
          await client.end();
          expect(stored?.n).toBe(acknowledged.length);
          expect(sessions[0]?.n).toBe(0);
        } else {
          const check = await openDatabase({ pglite: await PGlite.create(dir as string) });
          const [{ n }] = (await check.db.select({ n: count() }).from(rounds)) as [{ n: number }];
          await check.close();
          expect(n).toBe(acknowledged.length);
        }
      } finally {
        standIn.reset();
        await testDb?.close();
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }
});
