/**
 * One copy of the app's scheduled work in its own process, on a clock the parent moves. The
 * several-copies test spawns three of these with `node --import tsx` and an IPC channel.
 *
 * `npm start` ticks on the system clock, and simulated weeks cannot be given to it; so this entry
 * builds exactly what src/service.ts builds for the scheduler (createScheduledWork: the jobs of
 * src/jobs.ts, the background Web API client, messenger, people directory, instance id), from the
 * configuration in the environment (loadConfig, as main.ts), on the database it names
 * (openMigratedDatabase, as main.ts), with a fixedClock instead of the system clock. Only the HTTP
 * receiver is left out: these copies take no Slack requests.
 *
 * Messages from the parent: `{ type: 'tick', id, at }` sets the clock to `at` and runs one tick of
 * every job (scheduler.tick, the same function node-cron calls), then answers `{ type: 'done', id }`;
 * `{ type: 'stop' }` closes the database and exits. The copy says `{ type: 'ready', instanceId }` once
 * it is connected, and exits if the parent goes away.
 */
import { loadConfig } from '../../src/config.js';
import { createDependencies } from '../../src/dependencies.js';
import { fixedClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { createScheduledWork, openMigratedDatabase } from '../../src/service.js';

export type ToCopy = { type: 'tick'; id: number; at: string } | { type: 'stop' };
export type FromCopy =
  | { type: 'ready'; instanceId: string }
  | { type: 'done'; id: number; ms: number }
  | { type: 'failed'; id: number; error: string };

const send = (message: FromCopy) => process.send?.(message);

const config = loadConfig(process.env);
const logger = createLogger(config.LOG_LEVEL);
const clock = fixedClock(process.env.COPY_START_AT ?? new Date(0));
const database = await openMigratedDatabase(config);
await database.ping();
const dependencies = createDependencies({ config, logger, db: database.db, clock });
const scheduler = createScheduledWork(dependencies);

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await database.close().catch(() => undefined);
  process.exit(code);
};

process.on('message', (message: ToCopy) => {
  if (message.type === 'stop') {
    void stop(0);
    return;
  }
  const started = performance.now();
  const at = new Date(message.at);
  clock.set(at);
  scheduler.tick(at).then(
    () => send({ type: 'done', id: message.id, ms: performance.now() - started }),
    (error: unknown) => send({ type: 'failed', id: message.id, error: String(error) }),
  );
});
// The parent died or closed the channel: nothing will tick this copy again.
process.on('disconnect', () => void stop(1));

send({ type: 'ready', instanceId: dependencies.instanceId });
