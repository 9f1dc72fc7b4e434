import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/client.js';
import { createDependencies, type Dependencies, type DependencyOverrides } from '../../src/dependencies.js';
import type { Clock } from '../../src/lib/clock.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { SlackStandIn } from './slack-stand-in.js';

/**
 * Everything the app builds (src/dependencies.ts) on a test database, with the Web API pointed at
 * the stand-in: tests of use cases get exactly the wiring the app and the scheduler get, changed
 * only where they say so (`overrides`, `env`).
 */
export function testDependencies({
  db,
  standIn,
  clock,
  env = {},
  logger = createLogger('silent'),
  overrides,
}: {
  db: Database;
  standIn: SlackStandIn;
  clock: Clock;
  env?: Record<string, string>;
  logger?: Logger;
  overrides?: DependencyOverrides;
}): Dependencies {
  const config = loadConfig({
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: 'test-signing-secret',
    SLACK_API_URL: standIn.url,
    LIBRARY_TIME_ZONE: 'UTC',
    SCHEDULER_ENABLED: 'false',
    ...env,
  });
  return createDependencies({ config, logger, db, clock, overrides });
}
