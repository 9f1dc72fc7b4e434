import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ScheduledJob } from '../lib/scheduled-job.js';
import type { Logger } from '../logger.js';
import type { AuditTrail } from '../modules/audit/audit.repository.js';
import { backupAuditEntry, writeBackup } from './backup.js';
import type { Database } from './client.js';

const NAME = /^service-radar-(\d{4}-\d{2}-\d{2})\.backup$/;

/**
 * The daily backup (BACKUP_DIR): on each copy's first tick of a UTC day, unless that day's file is
 * there already, writes `service-radar-<day>.backup` (the `db backup` format, one consistent
 * moment, taken while the app runs on either engine), then keeps the newest BACKUP_KEEP of them.
 * Needs nothing from Slack, so it runs while sending is paused too. A failure is logged and tried
 * again on the next tick. Each backup written is recorded in the audit log.
 */
export function createBackupJob({
  db,
  engine,
  dir,
  keep,
  logger,
  audit,
}: {
  db: Database;
  engine: 'postgres' | 'pglite';
  dir: string;
  keep: number;
  logger: Logger;
  audit: AuditTrail;
}): ScheduledJob {
  let doneFor: string | undefined;
  return {
    name: 'backup',
    usesSlack: false,
    async run(now) {
      const day = now.toISOString().slice(0, 10);
      if (doneFor === day) return;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `service-radar-${day}.backup`);
      const there = await stat(file).then(
        () => true,
        () => false,
      );
      if (!there) {
        const summary = await writeBackup(db, file, { engine, now });
        const entry = backupAuditEntry({
          actor: 'scheduler',
          file,
          summary,
          at: now,
          detail: { engine, daily: true },
        });
        await audit.record(entry);
        logger.info({ job: 'backup', file, rows: entry.rows }, 'daily backup written');
      }
      doneFor = day;
      const backups = (await readdir(dir)).filter((name) => NAME.test(name)).sort();
      for (const old of backups.slice(0, Math.max(0, backups.length - keep))) {
        await rm(join(dir, old), { force: true });
        logger.info({ job: 'backup', file: join(dir, old) }, 'old daily backup deleted');
      }
    },
  };
}
