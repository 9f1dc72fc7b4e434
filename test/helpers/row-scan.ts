import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../../src/db/client.js';

/**
 * Every row of every table of the app's schema, as JSON text (every column, whatever its type:
 * text, jsonb, arrays), to show what the database still holds after an erasure.
 */
export async function allRows(db: Database): Promise<Record<string, string[]>> {
  const tables = rowsOf<{ tablename: string }>(
    await db.execute(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`),
  ).map((row) => row.tablename);
  const rows: Record<string, string[]> = {};
  for (const table of tables) {
    rows[table] = rowsOf<{ j: string }>(
      await db.execute(sql.raw(`select row_to_json(t)::text as j from "${table}" t`)),
    )
      .map((row) => row.j)
      .sort();
  }
  return rows;
}

/** Which of `needles` appear where: `table: needle` for each table holding one (case-insensitive). */
export async function findAnywhere(db: Database, needles: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const [table, rows] of Object.entries(await allRows(db))) {
    const text = rows.join('\n').toLowerCase();
    for (const needle of needles) if (text.includes(needle.toLowerCase())) found.push(`${table}: ${needle}`);
  }
  return found;
}

/** A hash of each table's rows: equal hashes, nothing changed. */
export async function rowHashes(db: Database): Promise<Record<string, string>> {
  return Object.fromEntries(
    Object.entries(await allRows(db)).map(([table, rows]) => [
      table,
      `${rows.length}:${createHash('sha256').update(rows.join('\n')).digest('hex')}`,
    ]),
  );
}
