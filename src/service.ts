import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { PGlite } from '@electric-sql/pglite';
import type { Config, DatabaseConfig } from './config.js';
import { type DatabaseHandle, openDatabase } from './db/client.js';
import { migratePgliteDatabase, migratePostgresDatabase } from './db/migrate.js';
import { claimPgliteFolder, DatabaseFolderDamagedError } from './db/pglite-folder.js';
import { DatabaseInUseError } from './db/pglite-lock.js';
import type { HttpLimits } from './http/guarded-server.js';
import { createJobs, type JobDeps } from './jobs.js';
import { type Clock, systemClock } from './lib/clock.js';
import { withTimeout } from './lib/timeout.js';
import type { Logger } from './logger.js';
import { createInstallationRepository } from './modules/installation/installation.repository.js';
import { createInstallation, type Installation } from './modules/installation/installation.usecases.js';
import { createPeopleDirectory } from './modules/people/people.directory.js';
import { createPeopleRepository } from './modules/people/people.repository.js';
import { createScheduler, type Scheduler } from './scheduler/scheduler.js';
import { createSlackService, type SlackService } from './slack/app.js';
import { createBackgroundClient } from './slack/background-client.js';
import { createMessenger } from './slack/messenger.js';
import { createTokenCheck, reportTokenRefusals } from './slack/token-refusals.js';

export interface ServiceRadar {
  port: number;
  database: DatabaseHandle;
  slack: SlackService;
  scheduler: Scheduler;
  jobDeps: JobDeps;
  installation: Installation;
  stop(): Promise<void>;
}

/** The start-up token check never holds the app back longer than this; its answer still counts. */
const STARTUP_CHECK_MS = 5_000;

/**
 * Opens the configured database and brings its schema up to date. The embedded database's folder
 * is checked before PGlite sees it: a damaged one (DatabaseFolderDamagedError) or one another
 * process holds (DatabaseInUseError) is refused and left exactly as it was.
 */
export async function openMigratedDatabase(config: DatabaseConfig): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    await migratePostgresDatabase(config.DATABASE_URL);
    return openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  }
  const unlock = await claimPgliteFolder(config.PGLITE_DIR);
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
 * A refused embedded-database folder is logged by its code and path only: the error's message
 * (the problems found, the fix) goes to stderr from main.ts and to the operator from the CLI.
 */
function logRefusedFolder(logger: Logger, config: DatabaseConfig) {
  return (error: unknown): never => {
    if (error instanceof DatabaseFolderDamagedError || error instanceof DatabaseInUseError)
      logger.error({ code: error.code, dir: config.PGLITE_DIR }, 'embedded database folder refused');
    throw error;
  };
}

/**
 * Whether Slack accepts the bot token, shared by every copy through the database. Its auth.test
 * goes through a client of its own, which reports nothing: the check records its own answer.
 */
export function createInstallationStanding({
  config,
  logger,
  database,
  clock = systemClock,
}: {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  clock?: Clock;
}): Installation {
  return createInstallation({
    installation: createInstallationRepository({ db: database.db }),
    checkToken: createTokenCheck(createBackgroundClient(config, logger)),
    logger,
    clock,
  });
}

/**
 * The scheduled work of one copy of the app: the jobs of src/jobs.ts with their dependencies (the
 * background Web API client, its messenger and people directory, a name for this copy's claims) and
 * a scheduler that ticks them, not yet started. startServiceRadar runs it on node-cron; the
 * several-copies test runs it in child processes, ticking at simulated instants.
 */
export function createScheduledWork({
  config,
  logger,
  database,
  clock = systemClock,
  installation = createInstallationStanding({ config, logger, database, clock }),
}: {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  clock?: Clock;
  installation?: Installation;
}): { jobDeps: JobDeps; scheduler: Scheduler } {
  const backgroundClient = createBackgroundClient(config, logger, {
    onTokenRefused: reportTokenRefusals(installation, logger),
  });
  const jobDeps: JobDeps = {
    config,
    logger,
    clock,
    db: database.db,
    messenger: createMessenger({ client: backgroundClient, logger, pause: installation }),
    client: backgroundClient,
    directory: createPeopleDirectory({
      client: backgroundClient,
      people: createPeopleRepository({ db: database.db }),
      clock,
    }),
    instanceId: `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    installation,
  };
  const scheduler = createScheduler({
    expression: config.SCHEDULER_CRON,
    jobs: createJobs(jobDeps),
    clock,
    logger,
    canRun: (now) => installation.canRun(now),
  });
  return { jobDeps, scheduler };
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
  httpLimits,
}: {
  config: Config;
  logger: Logger;
  database?: DatabaseHandle;
  clock?: Clock;
  /** The HTTP server's limits (src/http/guarded-server.ts); tests shorten the time-outs. */
  httpLimits?: HttpLimits;
}): Promise<ServiceRadar> {
  const db = database ?? (await openMigratedDatabase(config).catch(logRefusedFolder(logger, config)));
  const ownsDatabase = !database;
  const installation = createInstallationStanding({ config, logger, database: db, clock });
  const slack = createSlackService({ config, logger, database: db, clock, installation, httpLimits });
  const { jobDeps, scheduler } = createScheduledWork({ config, logger, database: db, clock, installation });
  let port: number;
  try {
    ({ port } = await slack.start());
  } catch (error) {
    if (ownsDatabase) await db.close();
    throw error;
  }
  // Checked once here, so a token that came back (a reinstall, a restart with the new token) is
  // believed at once, and one that is gone is known before the first tick.
  await withTimeout(installation.checkNow(), STARTUP_CHECK_MS).catch((error: unknown) => {
    logger.warn({ err: error }, 'could not check the bot token at start-up');
  });
  if (config.SCHEDULER_ENABLED) scheduler.start();
  return {
    port,
    database: db,
    slack,
    scheduler,
    jobDeps,
    installation,
    async stop() {
      await scheduler.stop();
      await slack.stop();
      if (ownsDatabase) await db.close();
    },
  };
}
