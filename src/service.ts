import type { Config, DatabaseConfig } from './config.js';
import { backupAuditEntry } from './db/backup.js';
import { type BackupSocket, serveBackupRequests } from './db/backup-socket.js';
import { type DatabaseHandle, openDatabase } from './db/client.js';
import { migratePgliteDatabase, migratePostgresDatabase } from './db/migrate.js';
import { claimPgliteFolder, DatabaseFolderDamagedError } from './db/pglite-folder.js';
import { DatabaseInUseError } from './db/pglite-lock.js';
import { openPglite } from './db/pglite-open.js';
import { createDependencies, type Dependencies, type DependencyOverrides } from './dependencies.js';
import type { HttpLimits } from './http/guarded-server.js';
import { type Clock, systemClock } from './lib/clock.js';
import { withTimeout } from './lib/timeout.js';
import type { Logger } from './logger.js';
import { type MetricsServer, startMetricsServer } from './metrics/metrics-server.js';
import type { Installation } from './modules/installation/installation.usecases.js';
import { createScheduler, type Scheduler } from './scheduler/scheduler.js';
import { createSlackService, type SlackService } from './slack/app.js';
import { createWebRoutes } from './web/routes.js';

export interface ServiceRadar {
  port: number;
  /** The metrics server's port; undefined when METRICS_PORT is unset and nothing is served. */
  metricsPort: number | undefined;
  database: DatabaseHandle;
  slack: SlackService;
  scheduler: Scheduler;
  dependencies: Dependencies;
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
export async function openMigratedDatabase(
  config: Omit<DatabaseConfig, 'PGLITE_SHARED_BUFFERS'> &
    Partial<Pick<DatabaseConfig, 'PGLITE_SHARED_BUFFERS'>>,
): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    await migratePostgresDatabase(config.DATABASE_URL);
    return openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE });
  }
  const unlock = await claimPgliteFolder(config.PGLITE_DIR);
  try {
    const pglite = await openPglite(config.PGLITE_DIR, { sharedBuffers: config.PGLITE_SHARED_BUFFERS });
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
 * The scheduled work of one copy of the app: the jobs the composition root built, and a scheduler
 * that ticks them, not yet started. startServiceRadar runs it on node-cron; the several-copies test
 * runs it in child processes, ticking at simulated instants.
 */
export function createScheduledWork(dependencies: Dependencies): Scheduler {
  const { config, jobs, clock, logger, installation } = dependencies;
  return createScheduler({
    expression: config.SCHEDULER_CRON,
    jobs,
    clock,
    logger,
    canRun: (now) => installation.canRun(now),
  });
}

/**
 * The embedded database's backup socket (src/db/backup-socket.ts). Without one, the app runs on and
 * `db backup` says the folder is in use, as before.
 */
async function openBackupSocket(
  config: Config,
  db: DatabaseHandle,
  { repositories, logger, clock }: Dependencies,
): Promise<BackupSocket | undefined> {
  try {
    const socket = await serveBackupRequests({
      dir: config.PGLITE_DIR,
      db: db.db,
      engine: db.kind,
      onBackup: (summary, request) =>
        repositories.audit.record(
          backupAuditEntry({
            actor: request.actor,
            file: request.file,
            summary,
            at: clock.now(),
            detail: { engine: db.kind, throughRunningApp: true },
          }),
        ),
      onError: (code) => logger.warn({ code }, 'a backup asked for by the CLI failed'),
    });
    if (!socket)
      logger.warn({ dir: config.PGLITE_DIR }, 'no backup socket: the folder path is too long for one');
    return socket;
  } catch (error) {
    logger.warn({ err: error }, 'no backup socket: db backup needs the app stopped');
    return undefined;
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
  httpLimits,
  overrides,
}: {
  config: Config;
  logger: Logger;
  database?: DatabaseHandle;
  clock?: Clock;
  /** The HTTP server's limits (src/http/guarded-server.ts); tests shorten the time-outs. */
  httpLimits?: HttpLimits;
  /** Replaces parts of what the composition root builds (tests). */
  overrides?: DependencyOverrides;
}): Promise<ServiceRadar> {
  const db = database ?? (await openMigratedDatabase(config).catch(logRefusedFolder(logger, config)));
  const ownsDatabase = !database;
  const dependencies = createDependencies({
    config,
    logger,
    db: db.db,
    databaseActivity: db.activity,
    clock,
    overrides,
  });
  const { installation } = dependencies;
  const slack = createSlackService({
    config,
    logger,
    database: db,
    installation,
    deps: dependencies.listeners,
    clientOptions: dependencies.clientOptions,
    httpLimits,
    routes: (inFlight) => createWebRoutes({ deps: dependencies.web, track: (work) => inFlight.track(work) }),
    requests: dependencies.metrics.slackRequests,
  });
  const scheduler = createScheduledWork(dependencies);
  let port: number;
  let metricsServer: MetricsServer | undefined;
  try {
    ({ port } = await slack.start());
    if (config.METRICS_PORT !== undefined)
      metricsServer = await startMetricsServer({
        port: config.METRICS_PORT,
        metrics: dependencies.metrics,
        logger,
      });
  } catch (error) {
    await slack.stop();
    dependencies.metrics.stop();
    if (ownsDatabase) await db.close();
    throw error;
  }
  // Checked once here, so a token that came back (a reinstall, a restart with the new token) is
  // believed at once, and one that is gone is known before the first tick.
  await withTimeout(installation.checkNow(), STARTUP_CHECK_MS).catch((error: unknown) => {
    logger.warn({ err: error }, 'could not check the bot token at start-up');
  });
  // The embedded database, opened here: `db backup` asks this process for its backups.
  const backupSocket =
    ownsDatabase && db.kind === 'pglite' ? await openBackupSocket(config, db, dependencies) : undefined;
  if (config.SCHEDULER_ENABLED) scheduler.start();
  return {
    port,
    metricsPort: metricsServer?.port,
    database: db,
    slack,
    scheduler,
    dependencies,
    installation,
    async stop() {
      // Home republishing first: nothing new is started while the rest drains (the next opening
      // shows each Home current), and the few under way finish beside the drain.
      const homesStopped = dependencies.homePublishing.stop();
      await scheduler.stop();
      await slack.stop();
      await homesStopped;
      await backupSocket?.close();
      // Last but the database: a scrape during the drain still sees the app.
      await metricsServer?.stop();
      dependencies.metrics.stop();
      if (ownsDatabase) await db.close();
    },
  };
}
