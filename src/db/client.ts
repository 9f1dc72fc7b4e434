import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema.js';

/** The one database type the rest of the app sees, whichever engine is behind it. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Rows of `db.execute()`: postgres.js answers an array of rows, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

export interface DatabaseHandle {
  db: Database;
  kind: 'postgres' | 'pglite';
  /** What the app has asked of the database and is still waiting on (for the metrics). */
  activity: DatabaseActivity;
  /** Answers when the database answers; throws otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A query on its own, or a transaction (which holds one connection from its start to its end). */
export type DatabaseOperation = 'query' | 'transaction';

/**
 * The app's side of the database's load, counted where every query passes: the driver client that
 * drizzle is given. Neither engine says how long a query waited for a connection (postgres.js keeps
 * its pool's queues to itself; PGlite is one connection that runs one thing at a time), so the time
 * told is from issuing to answer, waiting included; operations in flight beyond `poolSize` wait.
 */
export interface DatabaseActivity {
  /** Most connections at once: DATABASE_POOL_SIZE, or 1 for PGlite. */
  readonly poolSize: number;
  /** Operations issued and not yet answered, by kind. */
  inFlight(): Record<DatabaseOperation, number>;
  /** Tells `listener` each operation's seconds once it is answered; returns the way to stop. */
  onSettled(listener: (operation: DatabaseOperation, seconds: number) => void): () => void;
}

function createActivity(poolSize: number) {
  const inFlight: Record<DatabaseOperation, number> = { query: 0, transaction: 0 };
  const listeners = new Set<(operation: DatabaseOperation, seconds: number) => void>();
  const activity: DatabaseActivity = {
    poolSize,
    inFlight: () => ({ ...inFlight }),
    onSettled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  /** Marks an operation begun; the function returned marks it answered (once). */
  const begin = (operation: DatabaseOperation) => {
    const started = performance.now();
    inFlight[operation]++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      inFlight[operation]--;
      const seconds = (performance.now() - started) / 1000;
      for (const listener of listeners) listener(operation, seconds);
    };
  };
  /** Counts a promise-returning call as an operation until it settles. */
  const track = <T>(operation: DatabaseOperation, run: () => Promise<T>): Promise<T> => {
    const end = begin(operation);
    let running: Promise<T>;
    try {
      running = run();
    } catch (error) {
      end();
      throw error;
    }
    return running.finally(end);
  };
  return { activity, begin, track };
}

type Tracker = ReturnType<typeof createActivity>;
type Thenable = {
  then(onFulfilled?: (value: unknown) => unknown, onRejected?: (error: unknown) => unknown): unknown;
};

/**
 * postgres.js runs a query when it is first awaited (after drizzle has chosen `.values()`), so the
 * count starts at that first `then`, not when the query object is built.
 */
function trackedPostgres(client: postgres.Sql, tracker: Tracker): postgres.Sql {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe')
        return (...args: Parameters<postgres.Sql['unsafe']>) => {
          const query = target.unsafe(...args);
          const thenable = query as unknown as Thenable;
          const then = thenable.then;
          let end: (() => void) | undefined;
          // biome-ignore lint/suspicious/noThenProperty: the query is a thenable; this counts its run.
          thenable.then = function (this: Thenable, onFulfilled, onRejected) {
            end ??= tracker.begin('query');
            const finish = end;
            return then.call(
              this,
              (value) => {
                finish();
                return onFulfilled ? onFulfilled(value) : value;
              },
              (error) => {
                finish();
                if (onRejected) return onRejected(error);
                throw error;
              },
            );
          };
          return query;
        };
      if (property === 'begin')
        return (...args: unknown[]) =>
          tracker.track('transaction', () =>
            (target.begin as (...a: unknown[]) => Promise<unknown>)(...args),
          );
      return Reflect.get(target, property, receiver);
    },
  });
}

/** PGlite's own calls, as drizzle makes them: query for statements, transaction for transactions. */
function trackedPglite(client: PGlite, tracker: Tracker): PGlite {
  return new Proxy(client, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === 'query' || property === 'exec')
        return (...args: unknown[]) => tracker.track('query', () => value.apply(target, args));
      if (property === 'transaction')
        return (...args: unknown[]) => tracker.track('transaction', () => value.apply(target, args));
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  poolSize?: number;
  /**
   * A PGlite instance opened elsewhere: on a folder only through openMigratedDatabase
   * (src/service.ts), which checks and locks the folder first; tests also clone a migrated one.
   */
  pglite?: PGlite;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.poolSize ?? 10);
  if (options.pglite) return wrapPglite(options.pglite);
  throw new Error('openDatabase needs a databaseUrl or a PGlite instance');
}

function openPostgres(url: string, max: number): DatabaseHandle {
  const client = postgres(url, {
    max,
    idle_timeout: 60,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: 'service-radar' },
  });
  const tracker = createActivity(max);
  const db = drizzlePostgres({ client: trackedPostgres(client, tracker), schema }) as unknown as Database;
  return {
    db,
    kind: 'postgres',
    activity: tracker.activity,
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

function wrapPglite(client: PGlite): DatabaseHandle {
  const tracker = createActivity(1);
  const db = drizzlePglite({ client: trackedPglite(client, tracker), schema }) as unknown as Database;
  return {
    db,
    kind: 'pglite',
    activity: tracker.activity,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {
      if (!client.closed) await client.close();
    },
  };
}
