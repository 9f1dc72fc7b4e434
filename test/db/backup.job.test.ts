import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBackupJob } from '../../src/db/backup.job.js';
import { verifyBackup } from '../../src/db/backup.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { createAuditRepository } from '../../src/modules/audit/audit.repository.js';
import { describeEachDatabase } from '../helpers/database.js';
import { testDependencies } from '../helpers/dependencies.js';
import { seedRound } from '../helpers/digests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/** BACKUP_DIR: the scheduler's daily backup, once a day, the newest BACKUP_KEEP kept. */
let standIn: SlackStandIn;
let dir: string;
beforeAll(async () => {
  standIn = await startSlackStandIn();
  dir = await mkdtemp(join(tmpdir(), 'service-radar-backup-job-'));
});
afterAll(async () => {
  await standIn.close();
  await rm(dir, { recursive: true, force: true });
});

describeEachDatabase('the daily backup', (getDb) => {
  it('writes one backup a day, readable by db restore, and keeps the newest BACKUP_KEEP', async () => {
    const folder = join(dir, getDb().kind, 'backups');
    await seedRound(getDb().handle.db, {
      staff: 'U1',
      unit: 'Reference',
      self: 7,
      customer: 6,
      completedAt: new Date('2026-11-17T12:00:00Z'),
    });
    const job = createBackupJob({
      db: getDb().handle.db,
      engine: getDb().kind,
      dir: folder,
      keep: 3,
      logger: createLogger('silent'),
      audit: createAuditRepository({ db: getDb().handle.db }),
    });
    await job.run(new Date('2026-12-01T00:01:00Z'));
    const first = join(folder, 'service-radar-2026-12-01.backup');
    const written = await stat(first);
    expect((await verifyBackup(first)).tables.rounds?.rows).toBe(1);
    // Later ticks the same day write nothing more.
    await job.run(new Date('2026-12-01T12:00:00Z'));
    expect((await stat(first)).mtimeMs).toBe(written.mtimeMs);
    // Another copy of the app (a new job) finds the day's file and leaves it.
    await createBackupJob({
      db: getDb().handle.db,
      engine: getDb().kind,
      dir: folder,
      keep: 3,
      logger: createLogger('silent'),
      audit: createAuditRepository({ db: getDb().handle.db }),
    }).run(new Date('2026-12-01T13:00:00Z'));
    expect((await stat(first)).mtimeMs).toBe(written.mtimeMs);
    for (const day of ['02', '03', '04', '05']) await job.run(new Date(`2026-12-${day}T00:01:00Z`));
    expect((await readdir(folder)).sort()).toEqual([
      'service-radar-2026-12-03.backup',
      'service-radar-2026-12-04.backup',
      'service-radar-2026-12-05.backup',
    ]);
    // Each backup written is in the audit log once: five days, five entries, none for the ticks that
    // found the day's file.
    const audited = await createAuditRepository({ db: getDb().handle.db }).list({
      limit: 10,
      kind: 'backup',
    });
    expect(audited.map((entry) => [entry.subject, entry.actor])).toEqual(
      ['05', '04', '03', '02', '01'].map((day) => [`service-radar-2026-12-${day}.backup`, 'scheduler']),
    );
    // Each day's backup holds the audit entries of the days before it: one row more each day.
    const rows = audited.map((entry) => entry.rows ?? 0).reverse();
    expect(rows.slice(1).map((count, day) => count - (rows[day] ?? 0))).toEqual([1, 1, 1, 1]);
  });

  it('is one of the scheduler’s jobs only when BACKUP_DIR is set', () => {
    const clock = fixedClock('2026-12-01T00:00:00Z');
    const without = testDependencies({ db: getDb().handle.db, standIn, clock });
    expect(without.jobs.map((job) => job.name)).not.toContain('backup');
    const withDir = testDependencies({
      db: getDb().handle.db,
      standIn,
      clock,
      env: { BACKUP_DIR: join(dir, 'any'), BACKUP_KEEP: '5' },
    });
    const job = withDir.jobs.find((one) => one.name === 'backup');
    expect(job?.usesSlack).toBe(false);
  });
});
