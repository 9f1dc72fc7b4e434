/**
 * Backup benchmark: the digest case's 200,000 rounds over two years (with their answers, 6,000 open
 * or expired rounds, 5,000 staff and 20 committees). Reports, on PostgreSQL and PGlite: `db backup`
 * (time, file size, rows), `db verify`, `db restore` into an empty database of the same engine (time,
 * and the most memory the process held above its level before), and `db copy` from PGlite to an
 * empty PostgreSQL database (time, checks included). Each through the same functions the CLI calls.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backupRows, restoreBackup, verifyBackup, writeBackup } from '../src/db/backup.js';
import type { DatabaseHandle } from '../src/db/client.js';
import { copyToPostgres } from '../src/db/copy.js';
import { seedDigestDataSet } from './digest.js';
import { type Engine, withBenchDatabase, withEmptyPostgresDatabase } from './engines.js';

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const MiB = 2 ** 20;

/** Runs `work`, sampling resident memory; returns its result, seconds, and peak MiB above the start. */
async function measured<T>(work: () => Promise<T>) {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return {
      result,
      seconds: round((performance.now() - started) / 1000, 2),
      peakAboveStartMiB: round((peak - before) / MiB),
    };
  } finally {
    clearInterval(sampler);
  }
}

async function onEngine(engine: Engine, dir: string) {
  return withBenchDatabase(engine, 'backup', async (source: DatabaseHandle) => {
    const seeding = await measured(() => seedDigestDataSet(source));
    const file = join(dir, `${engine}.backup`);
    const backup = await measured(() => writeBackup(source.db, file, { engine: source.kind }));
    const bytes = (await stat(file)).size;
    const verify = await measured(() => verifyBackup(file));
    const restore = await withBenchDatabase(engine, 'restore', (target) =>
      measured(() => restoreBackup(target.db, file)),
    );
    const figures: Record<string, unknown> = {
      seedSeconds: seeding.seconds,
      rows: backupRows(backup.result),
      backup: {
        seconds: backup.seconds,
        sizeMiB: round(bytes / MiB, 2),
        peakAboveStartMiB: backup.peakAboveStartMiB,
      },
      verify: { seconds: verify.seconds, peakAboveStartMiB: verify.peakAboveStartMiB },
      restore: { seconds: restore.seconds, peakAboveStartMiB: restore.peakAboveStartMiB },
    };
    if (engine === 'pglite') {
      const copy = await withEmptyPostgresDatabase('copy', (url) =>
        measured(() => copyToPostgres(source, url)),
      );
      figures.copyToPostgres = {
        seconds: copy.seconds,
        rows: backupRows(copy.result),
        peakAboveStartMiB: copy.peakAboveStartMiB,
      };
    }
    return figures;
  });
}

/** The backup case of `npm run bench`. */
export async function runBackupBenchmark(engines: Engine[] = ['postgres', 'pglite']) {
  const dir = await mkdtemp(join(tmpdir(), 'service-radar-bench-backup-'));
  try {
    const results: Record<string, unknown> = {};
    for (const engine of engines) {
      process.stderr.write(`backup benchmark on ${engine}...\n`);
      results[engine] = await onEngine(engine, dir);
    }
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
