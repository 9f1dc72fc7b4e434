import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type BackupSummary,
  backupAuditEntry,
  backupRows,
  restoreBackup,
  verifyBackup,
  writeBackup,
} from '../db/backup.js';
import { requestBackupFromRunningApp } from '../db/backup-socket.js';
import { copyToPostgres } from '../db/copy.js';
import { DatabaseInUseError } from '../db/pglite-lock.js';
import { recordAudit } from '../modules/audit/audit.repository.js';
import { type CliContext, operatorActor } from './shared.js';

const described = (summary: BackupSummary) =>
  Object.entries(summary.tables)
    .filter(([, table]) => table.rows > 0)
    .map(([name, table]) => `${name} ${table.rows}`)
    .join(', ');

/** A postgres:// address with its password hidden, for what the CLI prints. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an address that is not a URL)';
  }
}

/** `db backup | verify | restore | copy`: the library's data, in its hands. */
export function registerDbCommands(db: Command, { output, withRepositories, env }: CliContext): void {
  db.command('backup')
    .argument('<file>', 'where to write the backup (gzip-compressed JSON lines)')
    .description('Write a consistent backup of the database to a file, also while the app runs')
    .action(async (file: string) => {
      try {
        await withRepositories(async ({ audit }, database) => {
          const summary = await writeBackup(database.db, resolve(file), { engine: database.kind });
          await audit.record(
            backupAuditEntry({
              actor: operatorActor(env),
              file,
              summary,
              at: new Date(),
              detail: { engine: database.kind },
            }),
          );
          output.out(`Backup written to ${file}: ${backupRows(summary)} rows (${described(summary)}).\n`);
        });
      } catch (error) {
        // The embedded folder is the running app's: it writes the backup, in its own process.
        if (!(error instanceof DatabaseInUseError) || error.pid === undefined) throw error;
        const summary = await requestBackupFromRunningApp(error.dir, {
          file: resolve(file),
          actor: operatorActor(env),
        });
        if (!summary) throw error;
        output.out(
          `Backup written to ${file} by the running app (process ${error.pid}): ${backupRows(summary)} rows (${described(summary)}).\n`,
        );
      }
    });

  db.command('verify')
    .argument('<file>', 'a backup written by db backup')
    .description('Check a backup without restoring it: complete, undamaged, every table as it was written')
    .action(async (file: string) => {
      const summary = await verifyBackup(resolve(file));
      output.out(
        `The backup is complete and undamaged: ${backupRows(summary)} rows (${described(summary)}), taken ${summary.createdAt}.\n`,
      );
    });

  db.command('restore')
    .argument('<file>', 'a backup written by db backup')
    .option(
      '--replace',
      'replace what the database holds (by default only an empty database is restored into)',
    )
    .description('Restore a backup into this database: all of it, in one transaction, or nothing')
    .action(async (file: string, options: { replace?: boolean }) => {
      await withRepositories(async ({ audit }, database) => {
        const summary = await restoreBackup(database.db, resolve(file), {
          replace: options.replace === true,
        });
        // Recorded in the restored database, after the audit log the backup brought back.
        await audit.record({
          kind: 'restore',
          actor: operatorActor(env),
          subject: basename(file),
          rows: backupRows(summary),
          detail: {
            engine: database.kind,
            replace: options.replace === true,
            backupTakenAt: summary.createdAt,
          },
          at: new Date(),
        });
        output.out(`Restored ${backupRows(summary)} rows (${described(summary)}) from ${file}.\n`);
      });
    });

  db.command('copy')
    .requiredOption('--to <url>', 'an empty PostgreSQL database, postgres://user@host:5432/name')
    .description(
      'Copy everything from this database (e.g. the embedded one) to an empty PostgreSQL database, and check it',
    )
    .action(async (options: { to: string }) => {
      if (!/^postgres(ql)?:\/\//.test(options.to)) throw new Error('--to must be a postgres:// address');
      await withRepositories(async ({ audit }, source) => {
        // Both databases say it happened: the one left behind, and the one the app moves to.
        const copyEntry = (rows: number) => ({
          kind: 'copy' as const,
          actor: operatorActor(env),
          subject: withoutPassword(options.to),
          rows,
          detail: { from: source.kind, to: 'postgres' },
          at: new Date(),
        });
        const written = await copyToPostgres(source, options.to, {
          afterCheck: (target, copied) => recordAudit(target, copyEntry(backupRows(copied))),
        });
        await audit.record(copyEntry(backupRows(written)));
        output.out(
          `Copied ${backupRows(written)} rows (${described(written)}) to ${withoutPassword(options.to)}; every table's count and checksum match.\n` +
            'To run the app on it, stop the app, set in .env:\n' +
            `  DATABASE_URL=${withoutPassword(options.to)}${new URL(options.to).password ? '   (with your password in place of ***)' : ''}\n` +
            'and start it again. Keep the embedded folder until you are sure.\n',
        );
      });
    });
}
