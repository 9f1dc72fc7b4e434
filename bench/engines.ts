import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { type DatabaseHandle, openDatabase } from '../src/db/client.js';
import { migratePgliteDatabase, migratePostgresDatabase } from '../src/db/migrate.js';

export type Engine = 'postgres' | 'pglite';

/**
 * Runs a benchmark case on a fresh, migrated database of the engine: a PostgreSQL database of its
 * own (BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server), dropped afterwards, or an
 * in-memory PGlite.
 */
export async function withBenchDatabase<T>(
  engine: Engine,
  label: string,
  run: (handle: DatabaseHandle) => Promise<T>,
): Promise<T> {
  if (engine === 'pglite') {
    const pglite = await PGlite.create();
    await migratePgliteDatabase(pglite);
    const handle = await openDatabase({ pglite });
    try {
      return await run(handle);
    } finally {
      await handle.close();
    }
  }
  const adminUrl =
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `service_radar_bench_${label}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name}`);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migratePostgresDatabase(url.toString());
    const handle = await openDatabase({ databaseUrl: url.toString(), poolSize: 10 });
    try {
      return await run(handle);
    } finally {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
    }
  } finally {
    await admin.end();
  }
}
