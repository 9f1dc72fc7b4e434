import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { type DatabaseHandle, openDatabase } from '../src/db/client.js';
import { migratePgliteDatabase, migratePostgresDatabase } from '../src/db/migrate.js';

export type Engine = 'postgres' | 'pglite';

/** The PostgreSQL server benchmarks use: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local one. */
export function benchAdminUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

/**
 * Runs a benchmark case with the URL of an empty PostgreSQL database of its own, dropped afterwards.
 * For cases where the app under test migrates and opens the database itself.
 */
export async function withEmptyPostgresDatabase<T>(
  label: string,
  run: (url: string, name: string) => Promise<T>,
): Promise<T> {
  const name = `service_radar_bench_${label}_${process.pid}`;
  const admin = postgres(benchAdminUrl(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name}`);
    await admin.unsafe(`create database ${name}`);
    const url = new URL(benchAdminUrl());
    url.pathname = `/${name}`;
    try {
      return await run(url.toString(), name);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
    }
  } finally {
    await admin.end();
  }
}

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
  return withEmptyPostgresDatabase(label, async (url) => {
    await migratePostgresDatabase(url);
    const handle = await openDatabase({ databaseUrl: url, poolSize: 10 });
    try {
      return await run(handle);
    } finally {
      await handle.close();
    }
  });
}
