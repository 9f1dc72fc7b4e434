import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, inject } from 'vitest';
import { type DatabaseHandle, openDatabase, rowsOf } from '../../src/db/client.js';
import { withDatabase } from '../global-setup.js';

export type DatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase {
  kind: DatabaseKind;
  handle: DatabaseHandle;
  /** PostgreSQL only: a URL for other processes or clients. */
  url?: string;
  /** Empties every table and restarts identities. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** PGlite always; PostgreSQL as well when TEST_DATABASE_URL is set. */
export function databaseKinds(): DatabaseKind[] {
  return inject('postgresTemplate') ? ['pglite', 'postgres'] : ['pglite'];
}

async function tableNames(handle: DatabaseHandle): Promise<string[]> {
  const rows = await handle.db.execute<{ tablename: string }>(
    sql`select tablename from pg_tables where schemaname = 'public' order by tablename`,
  );
  const list = rowsOf<{ tablename: string }>(rows);
  return list.map((row) => row.tablename);
}

function resetter(handle: DatabaseHandle) {
  let tables: string[] | undefined;
  return async () => {
    tables ??= await tableNames(handle);
    if (tables.length === 0) return;
    await handle.db.execute(
      sql.raw(`truncate table ${tables.map((name) => `"${name}"`).join(', ')} restart identity cascade`),
    );
  };
}

export async function createTestDatabase(
  kind: DatabaseKind,
  options: { poolSize?: number } = {},
): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dump = await readFile(inject('pgliteTemplatePath'));
    const pglite = await PGlite.create({ loadDataDir: new Blob([dump]) });
    const handle = await openDatabase({ pglite });
    return { kind, handle, reset: resetter(handle), close: () => handle.close() };
  }
  const template = inject('postgresTemplate');
  if (!template) throw new Error('PostgreSQL tests need TEST_DATABASE_URL');
  const name = `service_radar_test_${randomBytes(5).toString('hex')}`;
  const admin = postgres(template.adminUrl, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${template.templateName}`);
        break;
      } catch (error) {
        // Two files cloning the template at the same moment: wait and try again.
        if (attempt >= 20 || !String((error as Error).message).includes('being accessed')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
    }
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = withDatabase(template.adminUrl, name);
  const handle = await openDatabase({ databaseUrl: url, poolSize: options.poolSize ?? 5 });
  return {
    kind,
    handle,
    url,
    reset: resetter(handle),
    close: async () => {
      await handle.close();
      const dropper = postgres(template.adminUrl, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end({ timeout: 5 });
      }
    },
  };
}

/**
 * Runs a suite once per database kind, with one database per suite and empty tables before each
 * test: `describeEachDatabase('rounds', (getDb) => { it(..., async () => getDb().handle.db ...) })`.
 */
export function describeEachDatabase(name: string, suite: (getDb: () => TestDatabase) => void): void {
  for (const kind of databaseKinds()) {
    describe(`${name} [${kind}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(kind);
      });
      afterAll(async () => {
        await database?.close();
      });
      beforeEach(async () => {
        await database?.reset();
      });
      suite(() => {
        if (!database) throw new Error('test database not ready');
        return database;
      });
    });
  }
}
