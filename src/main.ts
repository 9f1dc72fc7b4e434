import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServiceRadar } from './service.js';

/**
 * Composition root: config -> logger -> database -> Slack app -> signals. It reads only the
 * environment: `npm start` loads `.env` first (`--import dotenv/config`), so whatever else starts
 * this file (a supervisor, the tests) is configured by what it passes and never by a stray `.env`.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `${error.message}\n\nCopy .env.example to .env and fill it in; docs/operating.md explains each value.\n`,
      );
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  // The signal handlers go in before anything starts: a SIGTERM that lands while the app is still
  // starting (the server already answers, the start-up checks still run) waits for the start and
  // then shuts down as gracefully as one that lands later.
  const starting = startServiceRadar({ config, logger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    starting
      .then((radar) => radar.stop())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await starting;
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled rejection');
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Service Radar could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
