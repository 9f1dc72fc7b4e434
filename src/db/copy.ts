import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackupSummary, restoreBackup, tableSummaries, writeBackup } from './backup.js';
import { type Database, type DatabaseHandle, openDatabase } from './client.js';
import { migratePostgresDatabase } from './migrate.js';

export interface CopyOptions {
  /** Runs against the target once every table is checked, before its connection closes. */
  afterCheck?: (target: Database, copied: BackupSummary) => Promise<void>;
}

/**
 * Copies everything in `source` to the empty PostgreSQL database at `url`: a consistent backup of the
 * source to a private temporary file, the target migrated by the same migrations, the backup restored
 * there (ids kept, sequences set after them), then every table's count and checksum compared with
 * what was written. Throws, naming the tables, when they differ; the target then holds the restore.
 */
export async function copyToPostgres(
  source: DatabaseHandle,
  url: string,
  options: CopyOptions = {},
): Promise<BackupSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'service-radar-copy-'));
  try {
    const file = join(dir, 'copy.backup');
    const written = await writeBackup(source.db, file, { engine: source.kind });
    await migratePostgresDatabase(url);
    const target = await openDatabase({ databaseUrl: url, poolSize: 1 });
    try {
      await restoreBackup(target.db, file);
      const copied = await tableSummaries(target.db);
      const different = Object.entries(written.tables).filter(
        ([table, summary]) =>
          copied[table]?.rows !== summary.rows || copied[table]?.sha256 !== summary.sha256,
      );
      if (different.length > 0)
        throw new Error(
          `the copy differs from the source in ${different.map(([table]) => table).join(', ')}`,
        );
      await options.afterCheck?.(target.db, written);
      return written;
    } finally {
      await target.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
