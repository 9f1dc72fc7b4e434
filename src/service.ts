import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Config, DatabaseConfig } from './config.js';
import { type DatabaseHandle, openDatabase } from './db/client.js';
import { migratePgliteDatabase, migratePostgresDatabase } from './db/migrate.js';
import { lockPgliteDir } from './db/pglite-lock.js';
import { type Clock, systemClock } from './lib/clock.js';
import type { Logger } from './logger.js';
import { createSlackService, type SlackService } from './slack/app.js';

export interface ServiceRadar {
  port: number;
  database: DatabaseHandle;
  slack: SlackService;
  stop(): Promise<void>;
}

/** Opens the configured database and brings its schema up to date. */
export async function openMigratedDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    await migratePostgresDatabase(config.DATABASE_URL);
    return openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  }
  await mkdir(config.PGLITE_DIR, { recursive: true });
  const unlock = await lockPgliteDir(config.PGLITE_DIR);
  try {
    const pglite = await PGlite.create(config.PGLITE_DIR);
    await migratePgliteDatabase(pglite);
    const handle = await openDatabase({ pglite });
    return {
      ...handle,
      close: async () => {
        await handle.close();
        await unlock();
      },
    };
  } catch (error) {
    await unlock();
    throw error;
  }
}

/**
 * Starts everything: database (migrated), Slack app and HTTP server. Tests call this with their own
 * database and clock; main.ts calls it with the configured ones. `stop()` undoes it in reverse.
 */
export async function startServiceRadar({
  config,
  logger,
  database,
  clock = systemClock,
}: {
  config: Config;
  logger: Logger;
  database?: DatabaseHandle;
  clock?: Clock;
}): Promise<ServiceRadar> {
  const db = database ?? (await openMigratedDatabase(config));
  const ownsDatabase = !database;
  const slack = createSlackService({ config, logger, database: db, clock });
  let port: number;
  try {
    ({ port } = await slack.start());
  } catch (error) {
    if (ownsDatabase) await db.close();
    throw error;
  }
  return {
    port,
    database: db,
    slack,
    async stop() {
      await slack.stop();
      if (ownsDatabase) await db.close();
    },
  };
}
