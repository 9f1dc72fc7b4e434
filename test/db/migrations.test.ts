import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrationsFolder } from '../../src/db/migrate.js';
import { withDatabase } from '../global-setup.js';
import { databaseKinds } from '../helpers/database.js';

/**
 * Migration 0008 on a database that is already at 0007, as a deployed app's is: `ALTER TYPE ... ADD
 * VALUE` runs inside the migrator's transaction on both engines (PostgreSQL 12+ allows it, as long as
 * the new value is not used in the same transaction), and the new kind and column work afterwards.
 */
const BEFORE = '0008_service_point_weekly';
let upTo0007: string;

beforeAll(async () => {
  upTo0007 = await mkdtemp(join(tmpdir(), 'service-radar-migrations-'));
  await cp(migrationsFolder, upTo0007, { recursive: true });
  const journalPath = join(upTo0007, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const index = journal.entries.findIndex((entry) => entry.tag === BEFORE);
  expect(index).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, index);
  await writeFile(journalPath, JSON.stringify(journal));
});
afterAll(() => rm(upTo0007, { recursive: true, force: true }));

type Query = (text: string) => Promise<Record<string, unknown>[]>;

async function exercise(query: Query) {
  const [point] =
    await query(`insert into service_points (name, name_key, unit, owner_user_id, created_by_user_id, link_salt, token_hash)
    values ('Desk', 'desk', 'Reference', 'UOWNER', 'UADMIN', 'salt', '${'a'.repeat(64)}') returning id`);
  const rows =
    await query(`insert into reminders (kind, service_point_id, recipient_user_id, due_at, dedupe_key)
    values ('service_point_weekly', ${point?.id}, 'UOWNER', now(), 'service_point_weekly:${point?.id}:2026-W47')
    returning kind, service_point_id`);
  expect(rows).toEqual([{ kind: 'service_point_weekly', service_point_id: point?.id }]);
  // The reminder goes with its point.
  await query(`delete from service_points where id = ${point?.id}`);
  expect(await query(`select id from reminders where kind = 'service_point_weekly'`)).toEqual([]);
}

describe('migration 0008 on a database at 0007', () => {
  it('applies on PGlite', async () => {
    const client = await PGlite.create();
    try {
      const db = drizzlePglite({ client });
      await migratePglite(db, { migrationsFolder: upTo0007 });
      await expect(client.query(`select 'service_point_weekly'::reminder_kind`)).rejects.toThrow();
      await migratePglite(db, { migrationsFolder });
      await exercise(async (text) => (await client.query<Record<string, unknown>>(text)).rows);
    } finally {
      await client.close();
    }
  });

  // Defined only when TEST_DATABASE_URL is set, as describeEachDatabase does: never a skipped test.
  if (databaseKinds().includes('postgres'))
    it('applies on PostgreSQL', async () => {
      const template = inject('postgresTemplate');
      if (!template) throw new Error('PostgreSQL tests need TEST_DATABASE_URL');
      const name = `service_radar_migration_${randomBytes(5).toString('hex')}`;
      const admin = postgres(template.adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      const client = postgres(withDatabase(template.adminUrl, name), { max: 1, onnotice: () => {} });
      try {
        const db = drizzlePostgres({ client });
        await migratePostgres(db, { migrationsFolder: upTo0007 });
        await expect(client.unsafe(`select 'service_point_weekly'::reminder_kind`)).rejects.toThrow();
        await migratePostgres(db, { migrationsFolder });
        await exercise(async (text) => [...(await client.unsafe(text))] as Record<string, unknown>[]);
      } finally {
        await client.end({ timeout: 5 });
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end({ timeout: 5 });
      }
    });
});
