import { sql } from 'drizzle-orm';
import { type Database, rowsOf } from '../../src/db/client.js';

/** The number of rows in every table of the app's schema, to show that a request wrote nothing. */
export async function countRows(db: Database): Promise<Record<string, number>> {
  const tables = rowsOf<{ tablename: string }>(
    await db.execute(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`),
  ).map((row) => row.tablename);
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = rowsOf<{ n: number | string }>(
      await db.execute(sql.raw(`select count(*)::int as n from "${table}"`)),
    );
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}
