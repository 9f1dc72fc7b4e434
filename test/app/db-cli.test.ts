import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableSummaries } from '../../src/db/backup.js';
import {
  actionPlans,
  auditLog,
  digestPosts,
  planNotes,
  planSteps,
  reminders,
  rounds,
} from '../../src/db/schema.js';
import { openMigratedDatabase } from '../../src/service.js';
import { runCapturedCli } from '../helpers/cli.js';
import { createTestDatabase, databaseKinds } from '../helpers/database.js';
import { seedCommittee, seedRound as seedHistory } from '../helpers/digests.js';
import { seedRound } from '../helpers/reminders.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * `db backup | verify | restore | copy` as an operator runs them: an embedded database backed up,
 * checked and restored into another folder; then copied to an empty PostgreSQL database, where the
 * app sends every reminder still pending once and none already sent.
 */
let dir: string;
let standIn: SlackStandIn;
const savedEnv = { ...process.env };

const cli = (env: Record<string, string | undefined>, ...argv: string[]) => runCapturedCli(argv, env);

const folder = (name: string) => ({ PGLITE_DIR: join(dir, name), DATABASE_URL: undefined });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-radar-db-cli-'));
  standIn = await startSlackStandIn();
  standIn.addUser({ id: 'UCUST', name: 'casey', tz: 'UTC' });
  standIn.addUser({ id: 'USTAFF', name: 'sam', tz: 'UTC' });
  delete process.env.DATABASE_URL;
  process.env.LOG_LEVEL = 'silent';
  const database = await openMigratedDatabase({
    PGLITE_DIR: join(dir, 'source'),
    DATABASE_POOL_SIZE: 1,
    DATABASE_URL: undefined,
  });
  for (let i = 0; i < 1500; i++)
    await seedHistory(database.db, {
      staff: `U${i % 40}`,
      unit: i % 2 ? 'Reference' : 'Lending',
      self: 1 + (i % 10),
      customer: 1 + ((i * 3) % 10),
      completedAt: new Date(Date.UTC(2026, 0, 1 + (i % 300), 12)),
    });
  // One request still to send (pending) and one sent already.
  const pending = await seedRound(
    database.db,
    {
      staffUserId: 'USTAFF',
      customerUserId: 'UCUST',
      createdAt: new Date('2026-11-30T09:00:00Z'),
      service: 'Pending',
    },
    { requestDelivered: false },
  );
  await seedRound(database.db, {
    staffUserId: 'USTAFF',
    customerUserId: 'UCUST',
    createdAt: new Date('2026-11-29T09:00:00Z'),
    service: 'Sent',
  });
  expect(
    (await database.db.select().from(reminders).where(eq(reminders.roundId, pending.id)))[0]?.state,
  ).toBe('pending');
  // Plans with their steps, notes and a check-in to come, and a committee's posted digests.
  for (let i = 0; i < 30; i++) {
    const [plan] = await database.db
      .insert(actionPlans)
      .values({
        staffUserId: `U${i}`,
        managerUserId: 'UMANAGER',
        channelId: `G${i}`,
        threadTs: `1700000000.${String(i).padStart(6, '0')}`,
        state: 'active',
        strengths: `Strengths ${i}`,
        improvements: `Improvements ${i}`,
        successMeasure: 'Customers score 8',
        checkinEveryDays: 14,
      })
      .returning();
    if (!plan) throw new Error('no plan');
    await database.db
      .insert(planSteps)
      .values(
        [1, 2, 3].map((position) => ({ planId: plan.id, position, text: `Step ${position} of plan ${i}` })),
      );
    await database.db.insert(planNotes).values({
      planId: plan.id,
      userId: 'UMANAGER',
      text: `A note on plan ${i}`,
      sourceViewId: `VNOTE${i}`,
    });
    await database.db.insert(reminders).values({
      kind: 'plan_checkin',
      planId: plan.id,
      recipientUserId: `U${i}`,
      dueAt: new Date('2027-01-15T09:00:00Z'),
      dedupeKey: `plan_checkin:${plan.id}:1`,
    });
  }
  const committee = await seedCommittee(database.db, 'C0COPY');
  for (const week of ['2026-W44', '2026-W45', '2026-W46'])
    await database.db.insert(digestPosts).values({
      committeeId: committee.id,
      week,
      state: 'posted',
      claimedAt: new Date('2026-11-16T09:00:00Z'),
    });
  await database.close();
}, 120_000);

afterAll(async () => {
  process.env = savedEnv;
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

describe('db backup, verify and restore from the CLI', () => {
  it('backs up an embedded database, verifies the file, restores it into an empty folder, and refuses one that is not', async () => {
    const file = join(dir, 'radar.backup');
    const backup = await cli(folder('source'), 'db', 'backup', file);
    expect(backup).toMatchObject({ code: 0, err: '' });
    expect(backup.out).toMatch(/Backup written to .*radar\.backup: \d+ rows \(.*rounds 1502/);
    const verify = await cli({}, 'db', 'verify', file);
    expect(verify).toMatchObject({ code: 0, err: '' });
    expect(verify.out).toContain('complete and undamaged');

    const restore = await cli(folder('restored'), 'db', 'restore', file);
    expect(restore).toMatchObject({ code: 0, err: '' });
    const again = await cli(folder('restored'), 'db', 'restore', file);
    expect(again.code).toBe(1);
    expect(again.err).toContain('the database is not empty');
    expect((await cli(folder('restored'), 'db', 'restore', file, '--replace')).code).toBe(0);

    const source = await openMigratedDatabase({
      PGLITE_DIR: join(dir, 'source'),
      DATABASE_POOL_SIZE: 1,
      DATABASE_URL: undefined,
    });
    // Every table comes back as it was, but the audit log: each side has recorded its own step.
    const { audit_log: _sourceAudit, ...sourceSummary } = await tableSummaries(source.db);
    const sourceEntries = await source.db.select().from(auditLog);
    await source.close();
    const restored = await openMigratedDatabase({
      PGLITE_DIR: join(dir, 'restored'),
      DATABASE_POOL_SIZE: 1,
      DATABASE_URL: undefined,
    });
    const { audit_log: _restoredAudit, ...restoredSummary } = await tableSummaries(restored.db);
    expect(restoredSummary).toEqual(sourceSummary);
    const rowsInBackup = Number(backup.out.match(/: (\d+) rows/)?.[1]);
    expect(sourceEntries.map((entry) => entry.kind)).toEqual(['committee_subscribed', 'backup']);
    expect(sourceEntries.filter((entry) => entry.kind === 'backup')).toEqual([
      expect.objectContaining({
        kind: 'backup',
        actor: expect.stringMatching(/^cli:./),
        subject: 'radar.backup',
        rows: rowsInBackup,
        detail: { engine: 'pglite' },
      }),
    ]);
    // --replace brought back the backup's audit log (from before the backup), then recorded itself in it.
    const restoredEntries = await restored.db.select().from(auditLog).orderBy(auditLog.id);
    expect(restoredEntries.map((entry) => entry.kind)).toEqual(['committee_subscribed', 'restore']);
    expect(restoredEntries.filter((entry) => entry.kind === 'restore')).toEqual([
      expect.objectContaining({
        kind: 'restore',
        subject: 'radar.backup',
        rows: rowsInBackup,
        detail: expect.objectContaining({ engine: 'pglite', replace: true }),
      }),
    ]);
    await restored.close();

    const missing = await cli({}, 'db', 'verify', join(dir, 'no-such.backup'));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot be read');
  }, 120_000);
});

if (databaseKinds().includes('postgres'))
  describe('db copy to PostgreSQL', () => {
    it('copies everything, checks every table, and the app there sends each pending reminder once', async () => {
      const target = await createTestDatabase('postgres');
      try {
        const url = target.url as string;
        const copied = await cli(folder('source'), 'db', 'copy', '--to', url);
        expect(copied).toMatchObject({ code: 0, err: '' });
        expect(copied.out).toContain("every table's count and checksum match");
        expect(copied.out).toContain('DATABASE_URL=');
        const again = await cli(folder('source'), 'db', 'copy', '--to', url);
        expect(again.code).toBe(1);
        expect(again.err).toContain('not empty');

        const source = await openMigratedDatabase({
          PGLITE_DIR: join(dir, 'source'),
          DATABASE_POOL_SIZE: 1,
          DATABASE_URL: undefined,
        });
        const { audit_log: _sourceAudit, ...sourceSummary } = await tableSummaries(source.db);
        const sourceEntries = await source.db.select().from(auditLog);
        await source.close();
        const { audit_log: _targetAudit, ...targetSummary } = await tableSummaries(target.handle.db);
        expect(targetSummary).toEqual(sourceSummary);
        // Both sides record the copy; the address they name carries no password.
        const copyEntry = expect.objectContaining({
          kind: 'copy',
          subject: expect.stringMatching(/^postgres:\/\//),
          detail: { from: 'pglite', to: 'postgres' },
        });
        expect(sourceEntries.filter((entry) => entry.kind === 'copy')).toEqual([copyEntry]);
        const targetEntries = await target.handle.db.select().from(auditLog).orderBy(auditLog.id);
        expect(targetEntries.filter((entry) => entry.kind === 'copy')).toEqual([copyEntry]);
        // What the source had recorded before came across with the rest.
        expect(targetEntries.length).toBe(sourceEntries.length);

        // The app on PostgreSQL: the pending request goes once; the one already sent does not.
        standIn.reset();
        const run = await cli(
          {
            DATABASE_URL: url,
            PGLITE_DIR: undefined,
            SLACK_BOT_TOKEN: 'xoxb-copy',
            SLACK_SIGNING_SECRET: 'copy-secret',
            SLACK_API_URL: standIn.url,
          },
          'reminders',
          'run',
          '--now',
          '2026-11-30T10:00:00Z',
        );
        expect(run).toMatchObject({ code: 0 });
        const requests = standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === 'UCUST');
        expect(requests).toHaveLength(1);
        expect(JSON.stringify(requests[0]?.args)).toContain('Pending');
        await cli(
          {
            DATABASE_URL: url,
            PGLITE_DIR: undefined,
            SLACK_BOT_TOKEN: 'xoxb-copy',
            SLACK_SIGNING_SECRET: 'copy-secret',
            SLACK_API_URL: standIn.url,
          },
          'reminders',
          'run',
          '--now',
          '2026-11-30T10:05:00Z',
        );
        expect(
          standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === 'UCUST'),
        ).toHaveLength(1);
        const [next] = await target.handle.db.select().from(rounds).where(eq(rounds.service, 'Pending'));
        expect(next?.requestTs).not.toBeNull();
      } finally {
        await target.close();
      }
    }, 120_000);
  });
