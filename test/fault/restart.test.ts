import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/db/client.js';
import { migratePgliteDatabase } from '../../src/db/migrate.js';
import { reminders } from '../../src/db/schema.js';
import { REMINDER_EVENT_TYPE } from '../../src/modules/reminders/reminders.usecases.js';
import { createTestDatabase, databaseKinds } from '../helpers/database.js';
import { exited, startAppProcess } from '../helpers/fault-process.js';
import { seedRound } from '../helpers/reminders.js';
import { TEST_SIGNING_SECRET } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * SIGKILL in the middle of a reminder batch, then a restart: every reminder due is delivered, and
 * none twice. The killed copy leaves claims whose sends may or may not have reached Slack; the
 * documented rule (README, "Exactly once") is that after REMINDER_LEASE_SECONDS the next copy looks
 * in the person's DM for the reminder's metadata, marks it sent if it is there and sends it if not.
 * The app runs as operators run it: its own process, its scheduler ticking every second.
 */

const REMINDERS = 24;
const KILL_AFTER = 8;

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const today = () => new Date().toISOString().slice(0, 10);

describe('SIGKILL in the middle of a reminder batch', () => {
  for (const kind of databaseKinds()) {
    it(`[${kind}] delivers everything due after a restart, each reminder once`, async () => {
      standIn.reset();
      const testDb = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
      const dir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'service-radar-kill-')) : undefined;
      let seedHandle: DatabaseHandle;
      if (dir) {
        const pglite = await PGlite.create(dir);
        await migratePgliteDatabase(pglite);
        seedHandle = await openDatabase({ pglite });
      } else seedHandle = (testDb as { handle: DatabaseHandle }).handle;
      const children: ReturnType<typeof startAppProcess>[] = [];
      try {
        for (let i = 0; i < REMINDERS; i++) {
          standIn.addUser({ id: `UKILL${i}`, name: `staff${i}`, tz: 'UTC' });
          await seedRound(seedHandle.db, {
            staffUserId: `UKILL${i}`,
            customerUserId: null,
            customerName: `Patron ${i}`,
            createdAt: new Date(Date.now() - 86_400_000),
            interviewOn: today(),
          });
        }
        await seedHandle.close();

        const env = {
          SLACK_BOT_TOKEN: 'xoxb-kill-test',
          SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
          SLACK_API_URL: standIn.url,
          PORT: '0',
          LOG_LEVEL: 'info',
          SCHEDULER_CRON: '* * * * * *',
          // Every hour of every day is a working hour, so the test does not depend on when it runs.
          WORKDAY_START: '00:00',
          WORKDAY_END: '23:59',
          WORKDAYS: '1,2,3,4,5,6,7',
          REMINDER_LEASE_SECONDS: '10',
          ...(testDb?.url ? { DATABASE_URL: testDb.url } : { PGLITE_DIR: dir as string }),
        };
        // Slack takes a moment over each post, so the batch is in flight when the process dies.
        standIn.on('chat.postMessage', async () => {
          await new Promise((resolve) => setTimeout(resolve, 150));
          return undefined;
        });
        const posts = () =>
          standIn
            .callsTo('chat.postMessage')
            .filter((call) => call.args.metadata?.event_type === REMINDER_EVENT_TYPE);

        const first = startAppProcess(env);
        children.push(first);
        await first.port;
        await expect
          .poll(() => posts().length, { timeout: 20_000, interval: 20 })
          .toBeGreaterThanOrEqual(KILL_AFTER);
        first.child.kill('SIGKILL');
        await exited(first.child);
        const arrivedBeforeKill = posts().length;
        expect(arrivedBeforeKill).toBeLessThan(REMINDERS);

        const second = startAppProcess(env);
        children.push(second);
        await second.port;
        // Each reminder reaches Slack, and once the lease has passed the claims left by the dead copy
        // are settled: found in the DM, or sent.
        const delivered = () => {
          const counts = new Map<string, number>();
          for (const call of posts()) {
            if (call.reply?.body.ok !== true) continue;
            const key = String(call.args.metadata.event_payload.radar_key);
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
          return counts;
        };
        await expect.poll(() => delivered().size, { timeout: 40_000, interval: 250 }).toBe(REMINDERS);
        second.child.kill('SIGTERM');
        expect(await exited(second.child)).toBe(0);

        const counts = delivered();
        expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
        const check = dir
          ? await openDatabase({ pglite: await PGlite.create(dir) })
          : await openDatabase({ databaseUrl: testDb?.url, poolSize: 1 });
        try {
          const rows = await check.db.select().from(reminders);
          expect(rows).toHaveLength(REMINDERS);
          expect(
            rows.filter((row) => row.state !== 'sent').map((row) => [row.id, row.state, row.lastError]),
          ).toEqual([]);
        } finally {
          await check.close();
        }
        if (process.env.FAULT_REPORT)
          console.info('sigkill', kind, {
            due: REMINDERS,
            arrivedBeforeKill,
            posts: posts().length,
            delivered: counts.size,
            history: standIn.callsTo('conversations.history').length,
          });
      } finally {
        for (const { child } of children)
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        standIn.reset();
        await testDb?.close();
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    }, 90_000);
  }
});
