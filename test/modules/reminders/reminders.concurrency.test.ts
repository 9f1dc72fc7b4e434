import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../../src/db/client.js';
import { reminders } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import type { Messenger } from '../../../src/modules/messaging/messaging.port.js';
import { runRemindersTick } from '../../../src/modules/reminders/reminders.job.js';
import { REMINDER_EVENT_TYPE } from '../../../src/modules/reminders/reminders.outbox.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../../helpers/database.js';
import { reminderDepsFor, seedRound } from '../../helpers/reminders.js';
import { type SlackStandIn, startSlackStandIn } from '../../helpers/slack-stand-in.js';

/**
 * Several copies of the app ticking over the same due rows. On PostgreSQL each copy has its own
 * connection pool, as separate processes would; the stand-in counts what reaches "Slack".
 */
const STAFF_COUNT = 120;
const NOW = new Date('2026-11-24T10:00:00Z'); // a Tuesday, inside London working hours

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

/** How many times each reminder reached Slack, by the key in its metadata. */
function deliveriesByReminder(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of standIn.callsTo('chat.postMessage')) {
    if (call.reply?.body.ok !== true) continue;
    const key = String(call.args.metadata?.event_payload?.radar_key);
    if (call.args.metadata?.event_type === REMINDER_EVENT_TYPE) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function seed(database: TestDatabase): Promise<void> {
  standIn.reset();
  await database.reset();
  for (let i = 0; i < STAFF_COUNT; i++) {
    const staffUserId = `USTAFF${i}`;
    standIn.addUser({ id: staffUserId, name: `staff${i}`, tz: 'Europe/London' });
    await seedRound(database.handle.db, {
      staffUserId,
      customerUserId: null,
      customerName: `Patron ${i}`,
      createdAt: new Date('2026-11-20T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
  }
  // Schedule the interview reminders (one per round) with a single copy first.
  const clock = fixedClock('2026-11-20T10:01:00Z');
  await runRemindersTick(
    reminderDepsFor(database.handle.db, standIn, clock),
    new Date('2026-11-20T10:01:00Z'),
  );
}

for (const kind of databaseKinds()) {
  describe(`several copies ticking together [${kind}]`, () => {
    let database: TestDatabase;
    const extra: DatabaseHandle[] = [];
    beforeAll(async () => {
      database = await createTestDatabase(kind);
    });
    afterAll(async () => {
      for (const handle of extra) await handle.close().catch(() => undefined);
      await database.close();
    });

    /** A copy of the app: its own pool on PostgreSQL (PGlite is one process's database, so shared). */
    async function copy(name: string, batchSize = 10) {
      const handle = database.url
        ? await openDatabase({ databaseUrl: database.url, poolSize: 3 })
        : database.handle;
      if (database.url) extra.push(handle);
      const clock = fixedClock(NOW);
      return {
        handle,
        deps: reminderDepsFor(handle.db, standIn, clock, { instanceId: name, settings: { batchSize } }),
      };
    }

    it('claims at most the batch size, and never the same row twice, when copies claim at once', async () => {
      await seed(database);
      const copies = await Promise.all(['a', 'b', 'c'].map((name) => copy(name)));
      const claims = await Promise.all(
        copies.map(({ deps }) => deps.reminders.claimDue(NOW, 10, deps.instanceId)),
      );
      for (const claim of claims) expect(claim).toHaveLength(10);
      const ids = claims.flat().map((row) => row.id);
      expect(new Set(ids).size).toBe(30);
    });

    it('delivers each reminder exactly once when three copies tick at the same moment', async () => {
      await seed(database);
      // Slack takes a few milliseconds per post, so the copies' batches overlap in time.
      standIn.on('chat.postMessage', async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return undefined;
      });
      const copies = await Promise.all(['a', 'b', 'c'].map((name) => copy(name)));
      await Promise.all(copies.map(({ handle }) => handle.ping())); // connected, like running processes
      const reports = await Promise.all(copies.map(({ deps }) => runRemindersTick(deps, NOW)));
      const counts = deliveriesByReminder();
      expect(counts.size).toBe(STAFF_COUNT);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(reports.reduce((sum, report) => sum + report.sent, 0)).toBe(STAFF_COUNT);
      for (const report of reports) expect(report.claimed).toBe(report.sent);
      if (kind === 'postgres') {
        // Work was shared, not done by one copy while the others waited.
        expect(reports.filter((report) => report.sent > 0).length).toBeGreaterThan(1);
      }
      const rows = await database.handle.db.select().from(reminders).where(eq(reminders.state, 'sent'));
      expect(rows).toHaveLength(STAFF_COUNT);
    });

    if (kind === 'postgres') {
      it('loses nothing and doubles nothing when a copy dies in the middle of a batch', async () => {
        await seed(database);
        const doomed = await copy('doomed', 20);
        // The doomed copy posts its 5th reminder and then dies before recording it; every
        // later send of its batch never happens.
        let posted = 0;
        const real = doomed.deps.messenger;
        const dying: Messenger = {
          ...real,
          post: async (...args: Parameters<Messenger['post']>) => {
            posted++;
            if (posted < 5) return real.post(...args);
            if (posted === 5) await real.post(...args);
            return new Promise(() => {}); // never answers: the process is gone
          },
        };
        void runRemindersTick(
          { ...doomed.deps, messenger: dying, settings: { ...doomed.deps.settings, concurrency: 1 } },
          NOW,
        );
        await expect.poll(() => posted, { timeout: 10_000 }).toBe(5);
        await expect.poll(() => deliveriesByReminder().size).toBe(5);
        await doomed.handle.close();

        // The survivors tick now (the dead copy's claims are still leased) and after the lease.
        const survivors = await Promise.all(['b', 'c'].map((name) => copy(name)));
        await Promise.all(survivors.map(({ deps }) => runRemindersTick(deps, NOW)));
        const later = new Date(NOW.getTime() + 3 * 60_000);
        const reports = await Promise.all(survivors.map(({ deps }) => runRemindersTick(deps, later)));
        expect(reports.reduce((sum, report) => sum + report.reconciled, 0)).toBeGreaterThan(0);

        const counts = deliveriesByReminder();
        expect(counts.size).toBe(STAFF_COUNT);
        expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
        const sent = await database.handle.db.select().from(reminders).where(eq(reminders.state, 'sent'));
        expect(sent).toHaveLength(STAFF_COUNT);
      });
    }
  });
}
