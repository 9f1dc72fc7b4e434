import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { type Database, rowsOf } from './client.js';

/**
 * The app's own logical backup, the same on PostgreSQL and the embedded database: every table of
 * the app's schema as JSON lines (PostgreSQL's own `row_to_json`, in UTC), read inside one
 * REPEATABLE READ transaction, so the file is one consistent moment even while the app writes;
 * gzip-compressed (whose CRC catches a damaged file). A header names the schema the rows fit (the
 * latest migration applied), a footer the row count and SHA-256 of every table, so `verify` checks a
 * file without restoring it and `restore` refuses one that is cut short or changed.
 *
 *   {"format":"service-radar-backup","version":1,"schema":<migration>,"engine":…,"createdAt":…,"tables":[…]}
 *   {"t":"rounds","r":{…}}            one line a row, tables in the header's order
 *   {"end":true,"tables":{"rounds":{"rows":3,"sha256":"…"},…}}
 */

export const BACKUP_FORMAT = 'service-radar-backup';
export const BACKUP_VERSION = 1;
/** Rows read or written per statement. */
const PAGE = 2_000;

export class BackupError extends Error {}

interface Header {
  format: string;
  version: number;
  /** `created_at` of the latest migration applied (drizzle's own record). */
  schema: string;
  engine: string;
  createdAt: string;
  tables: string[];
}

export interface TableSummary {
  rows: number;
  sha256: string;
}

export type BackupSummary = { schema: string; createdAt: string; tables: Record<string, TableSummary> };

/** How many rows a backup holds, all tables together. */
export const backupRows = (summary: Pick<BackupSummary, 'tables'>): number =>
  Object.values(summary.tables).reduce((sum, table) => sum + table.rows, 0);

/**
 * The audit log's entry for a backup written to `file` (by the CLI, the daily job, or the running
 * app for the CLI): its file's name and its row count, whoever took it.
 */
export const backupAuditEntry = ({
  actor,
  file,
  summary,
  at,
  detail,
}: {
  actor: string;
  file: string;
  summary: Pick<BackupSummary, 'tables'>;
  at: Date;
  detail: Record<string, unknown>;
}) => ({ kind: 'backup' as const, actor, subject: basename(file), rows: backupRows(summary), detail, at });

/** The latest migration applied to this database, as drizzle records it. */
export async function schemaLevel(db: Pick<Database, 'execute'>): Promise<string> {
  const rows = rowsOf<{ level: string | number | null }>(
    await db.execute(sql`select max(created_at)::text as level from drizzle.__drizzle_migrations`),
  );
  const level = rows[0]?.level;
  if (level === null || level === undefined) throw new BackupError('this database has no migrations applied');
  return String(level);
}

/**
 * The app's tables, parents before children (by their foreign keys), so rows restore in order.
 * Everything in the public schema is the app's: drizzle keeps its own bookkeeping elsewhere.
 */
export async function appTables(db: Pick<Database, 'execute'>): Promise<string[]> {
  const tables = rowsOf<{ name: string }>(
    await db.execute(
      sql`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r' order by c.relname`,
    ),
  ).map((row) => row.name);
  const edges = rowsOf<{ child: string; parent: string }>(
    await db.execute(sql`
      select c.relname as child, p.relname as parent from pg_constraint k
      join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid
      join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname = 'public' and c.oid <> p.oid`),
  );
  const ordered: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string) => {
    if (state.get(table) === 'done') return;
    if (state.get(table) === 'visiting')
      throw new BackupError(`the tables' foreign keys form a cycle at ${table}`);
    state.set(table, 'visiting');
    for (const edge of edges) if (edge.child === table) visit(edge.parent);
    state.set(table, 'done');
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

const ident = (name: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name))
    throw new BackupError(`unexpected table name ${JSON.stringify(name)}`);
  return sql.raw(`"${name}"`);
};

/** The columns a table is ordered by: its primary key. */
async function keyColumns(db: Pick<Database, 'execute'>, table: string): Promise<string[]> {
  const rows = rowsOf<{ name: string }>(
    await db.execute(sql`
      select a.attname as name from pg_index i
      join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = ${`public.${table}`}::regclass and i.indisprimary
      order by array_position(i.indkey, a.attnum)`),
  );
  if (rows.length === 0) throw new BackupError(`table ${table} has no primary key`);
  return rows.map((row) => row.name);
}

let cursors = 0;

/**
 * Every row of a table as JSON text, in primary-key order, in pages, through a cursor (inside
 * the caller's transaction and snapshot): each page costs the same, however far into the table.
 */
async function* tablePages(db: Pick<Database, 'execute'>, table: string): AsyncGenerator<string[]> {
  const order = sql.raw((await keyColumns(db, table)).map((column) => `"${column}"`).join(', '));
  const cursor = sql.raw(`service_radar_rows_${++cursors}`);
  await db.execute(
    sql`declare ${cursor} no scroll cursor for select row_to_json(t)::text as j from ${ident(table)} t order by ${order}`,
  );
  try {
    for (;;) {
      const rows = rowsOf<{ j: string }>(
        await db.execute(sql`fetch forward ${sql.raw(String(PAGE))} from ${cursor}`),
      );
      if (rows.length > 0) yield rows.map((row) => row.j);
      if (rows.length < PAGE) return;
    }
  } finally {
    await db.execute(sql`close ${cursor}`);
  }
}

/** Writes a line to a stream, waiting when the stream asks to (a large table never piles up in memory). */
async function put(stream: PassThrough, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

/**
 * Writes a backup of `db` to `file`, from one consistent snapshot: to a temporary file beside it
 * first, renamed into place only once complete and verified, so a backup cut short never looks
 * like a finished one.
 */
export async function writeBackup(
  db: Database,
  file: string,
  { engine, now = new Date() }: { engine: string; now?: Date },
): Promise<BackupSummary> {
  const partial = `${file}.partial-${process.pid}`;
  const stream = new PassThrough();
  const written = pipeline(stream, createGzip(), createWriteStream(partial, { mode: 0o600 }));
  try {
    await db.transaction(async (tx) => {
      // Every table as it was at one moment, whatever the app writes meanwhile.
      await tx.execute(sql`set transaction isolation level repeatable read, read only`);
      await tx.execute(sql`set local time zone 'UTC'`);
      const tables = await appTables(tx);
      const header: Header = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        schema: await schemaLevel(tx),
        engine,
        createdAt: now.toISOString(),
        tables,
      };
      await put(stream, JSON.stringify(header));
      const summary: Record<string, TableSummary> = {};
      for (const table of tables) {
        const hash = createHash('sha256');
        let count = 0;
        const prefix = `{"t":${JSON.stringify(table)},"r":`;
        for await (const page of tablePages(tx, table)) {
          const lines: string[] = [];
          for (const row of page) {
            hash.update(row).update('\n');
            lines.push(`${prefix}${row}}`);
          }
          count += page.length;
          // A page at a time: one write (and at most one wait for the stream) per page, not per row.
          await put(stream, lines.join('\n'));
        }
        summary[table] = { rows: count, sha256: hash.digest('hex') };
      }
      await put(stream, JSON.stringify({ end: true, tables: summary }));
    });
    stream.end();
    await written;
    const checked = await verifyBackup(partial);
    await rename(partial, file);
    return checked;
  } catch (error) {
    stream.destroy();
    await written.catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

interface ParsedBackup {
  header: Header;
  summary: BackupSummary;
}

/** Receives a backup's rows as it is read: up to PAGE rows of one table, as JSON text, in file order. */
type RowBatches = (table: string, rows: string[]) => Promise<void>;

/**
 * Reads a backup through and checks it: gzip intact, header known, every table's count and hash.
 * With `onRows`, hands on the rows as it goes (never more than a page in memory); the checks come
 * at the end, so a caller writing them must be able to undo that when this throws.
 */
async function readBackup(file: string, { onRows }: { onRows?: RowBatches } = {}): Promise<ParsedBackup> {
  let header: Header | undefined;
  let footer: { tables: Record<string, TableSummary> } | undefined;
  let batch: { table: string; rows: string[] } | undefined;
  const flush = async () => {
    if (batch && batch.rows.length > 0 && onRows) await onRows(batch.table, batch.rows);
    batch = undefined;
  };
  const hashes = new Map<string, { hash: ReturnType<typeof createHash>; rows: number }>();
  try {
    // A file that cannot be opened fails the read, rather than leaving the gunzip waiting.
    const source = createReadStream(file);
    const gunzip = createGunzip();
    source.on('error', (error) => gunzip.destroy(error));
    const lines = createInterface({ input: source.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (footer) throw new BackupError(`line ${n} comes after the end of the backup`);
      if (!header) {
        const parsed = JSON.parse(line) as Header;
        if (parsed.format !== BACKUP_FORMAT) throw new BackupError('this is not a Service Radar backup');
        if (parsed.version !== BACKUP_VERSION)
          throw new BackupError(
            `backup format version ${parsed.version} is not one this version reads (${BACKUP_VERSION})`,
          );
        header = parsed;
        for (const table of header.tables) hashes.set(table, { hash: createHash('sha256'), rows: 0 });
        continue;
      }
      if (line.startsWith('{"end":true')) {
        await flush();
        footer = JSON.parse(line) as { tables: Record<string, TableSummary> };
        continue;
      }
      const prefix = /^\{"t":"([a-z_][a-z0-9_]*)","r":/.exec(line);
      const table = prefix?.[1];
      const state = table ? hashes.get(table) : undefined;
      if (!prefix || !table || !state || !line.endsWith('}'))
        throw new BackupError(`line ${n} is not a row of a table the backup lists`);
      const row = line.slice(prefix[0].length, -1);
      JSON.parse(row);
      state.hash.update(row).update('\n');
      state.rows++;
      if (onRows) {
        if (batch?.table !== table || batch.rows.length >= PAGE) {
          await flush();
          batch = { table, rows: [] };
        }
        batch.rows.push(row);
      }
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new BackupError(`the backup cannot be read (${reason}): it is damaged or cut short`);
  }
  if (!header) throw new BackupError('the backup is empty');
  if (!footer) throw new BackupError('the backup is cut short: its end is missing');
  const tables: Record<string, TableSummary> = {};
  for (const table of header.tables) {
    const state = hashes.get(table) as { hash: ReturnType<typeof createHash>; rows: number };
    const expected = footer.tables[table];
    const sha256 = state.hash.digest('hex');
    if (!expected || expected.rows !== state.rows || expected.sha256 !== sha256)
      throw new BackupError(
        `table ${table} in the backup does not match its checksum: the file was changed or damaged`,
      );
    tables[table] = { rows: state.rows, sha256 };
  }
  return { header, summary: { schema: header.schema, createdAt: header.createdAt, tables } };
}

/** Checks a backup without restoring it: what it holds, or a BackupError saying what is wrong. */
export async function verifyBackup(file: string): Promise<BackupSummary> {
  return (await readBackup(file)).summary;
}

/** Rows in the app's tables now, by table. */
export async function tableCounts(
  db: Pick<Database, 'execute'>,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = rowsOf<{ n: number | string }>(
      await db.execute(sql`select count(*) as n from ${ident(table)}`),
    );
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

/** Each table's row count and SHA-256 as a backup would record them now (for comparing two databases). */
export async function tableSummaries(db: Database): Promise<Record<string, TableSummary>> {
  const summary: Record<string, TableSummary> = {};
  await db.transaction(async (tx) => {
    await tx.execute(sql`set transaction isolation level repeatable read, read only`);
    await tx.execute(sql`set local time zone 'UTC'`);
    for (const table of await appTables(tx)) {
      const hash = createHash('sha256');
      let rows = 0;
      for await (const page of tablePages(tx, table)) {
        for (const row of page) hash.update(row).update('\n');
        rows += page.length;
      }
      summary[table] = { rows, sha256: hash.digest('hex') };
    }
  });
  return summary;
}

/**
 * Restores a backup into `db`, which must be migrated to the backup's schema and, unless `replace`,
 * hold no rows. In one transaction: it all goes in, or nothing does. Ids are kept, and every
 * identity sequence is set past the highest id, so new rows never collide with restored ones.
 *
 * The file is read twice, a page at a time: once to check it before anything is touched, then to
 * insert its rows; the second read checks it again, and a file changed in between rolls it all back.
 */
export async function restoreBackup(
  db: Database,
  file: string,
  { replace = false }: { replace?: boolean } = {},
): Promise<BackupSummary> {
  const backup = await readBackup(file);
  const level = await schemaLevel(db);
  if (level !== backup.header.schema)
    throw new BackupError(
      `the backup was made by a version of the app with other migrations (${backup.header.schema}; this database has ${level}): restore it with that version`,
    );
  const tables = await appTables(db);
  const missing = backup.header.tables.filter((table) => !tables.includes(table));
  if (missing.length > 0) throw new BackupError(`this database has no table ${missing.join(', ')}`);
  const counts = await tableCounts(db, tables);
  const filled = tables.filter((table) => (counts[table] ?? 0) > 0);
  if (filled.length > 0 && !replace)
    throw new BackupError(
      `the database is not empty (${filled.map((table) => `${table}: ${counts[table]}`).join(', ')}); restore into an empty one, or pass --replace to replace what it holds`,
    );
  await db.transaction(async (tx) => {
    if (filled.length > 0)
      await tx.execute(sql`truncate ${sql.join(tables.map(ident), sql`, `)} restart identity cascade`);
    const again = await readBackup(file, {
      onRows: async (table, rows) => {
        await tx.execute(
          sql`insert into ${ident(table)} overriding system value select * from json_populate_recordset(null::${ident(table)}, ${`[${rows.join(',')}]`}::json)`,
        );
      },
    });
    if (JSON.stringify(again.summary.tables) !== JSON.stringify(backup.summary.tables))
      throw new BackupError('the backup changed while it was being restored: nothing was restored');
    // Identity columns continue after the highest id restored.
    const identities = rowsOf<{ table: string; column: string }>(
      await tx.execute(sql`
        select c.relname as table, a.attname as column from pg_attribute a
        join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and a.attidentity in ('a', 'd') and not a.attisdropped`),
    );
    for (const { table, column } of identities) {
      await tx.execute(
        sql`select setval(pg_get_serial_sequence(${`public.${table}`}, ${column}), coalesce((select max(${ident(column)}) from ${ident(table)}), 0) + 1, false)`,
      );
    }
  });
  return backup.summary;
}
