import { type Placeholder, type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Database } from './client.js';

/**
 * Drizzle turns a query into SQL text each time it runs: measured on this app's hot paths, that
 * building costs about twice the CPU of the round trip itself (a one-row select: 0.35 ms against
 * 0.12 ms prepared). The queries that run before an acknowledgement, or once per message sent, are
 * built once when their repository is made and run with their values (drizzle's `.prepare()` for
 * builders; this for a statement written as SQL). The SQL text and the values stay apart as before:
 * every value is a bound parameter.
 */
const dialect = new PgDialect();

/**
 * A statement written with `sql`, built once: `value('name')` marks where a value goes. Answers the
 * driver's rows as `db.execute` does (read them with `rowsOf`).
 */
export function preparedSql<V extends Record<string, unknown>>(
  db: Database,
  build: (value: (name: keyof V & string) => Placeholder) => SQL,
): (values: V) => Promise<unknown> {
  const query = dialect.sqlToQuery(build((name) => sql.placeholder(name)));
  const prepared = db._.session.prepareQuery(query, undefined, undefined, false);
  return (values) => prepared.execute(values);
}
