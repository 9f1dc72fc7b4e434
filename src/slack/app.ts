import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/client.js';
import { createGuardedServer, HTTP_LIMITS, type HttpLimits, type Routes } from '../http/guarded-server.js';
import { createRefusalLog } from '../http/refusal-log.js';
import type { Clock } from '../lib/clock.js';
import { InFlight } from '../lib/in-flight.js';
import { withTimeout } from '../lib/timeout.js';
import { type Logger, toBoltLogger } from '../logger.js';
import { createCommitteeCommandDeps } from '../modules/committees/committees.deps.js';
import type { Installation } from '../modules/installation/installation.usecases.js';
import { createPeopleDirectory } from '../modules/people/people.directory.js';
import { createPeopleRepository } from '../modules/people/people.repository.js';
import { createPlanDeps } from '../modules/plans/plans.deps.js';
import { createRemindersRepository } from '../modules/reminders/reminders.repository.js';
import { reminderSettingsFrom } from '../modules/reminders/reminders.usecases.js';
import { createRoundsRepository } from '../modules/rounds/rounds.repository.js';
import type { ListenerDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';
import { createMessenger } from './messenger.js';
import { createMetadataSeal } from './sealed-metadata.js';
import { slackEventsRoute } from './slack-events-route.js';
import { reportTokenRefusals, watchTokenRefusals } from './token-refusals.js';

export const SLACK_EVENTS_PATH = '/slack/events';
export const HEALTH_PATH = '/healthz';

export interface SlackService {
  app: App;
  deps: ListenerDeps;
  inFlight: InFlight;
  /** Starts listening; resolves with the port actually bound (PORT=0 picks a free one). */
  start(): Promise<{ port: number }>;
  /** Stops taking requests, waits for work in flight (up to the shutdown timeout), then returns. */
  stop(): Promise<void>;
}

/**
 * Builds the Bolt app around its transport. HTTP mode serves `/slack/events` and `/healthz` from one
 * Node server of our own, so the receiver handles Slack's transport only and we keep control of
 * health checks, the timestamp window and shutdown. Socket Mode keeps `/healthz` on the same port.
 */
export function createSlackService({
  config,
  logger,
  database,
  clock,
  installation,
  httpLimits,
}: {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  clock: Clock;
  installation: Installation;
  /** The HTTP server's limits; tests shorten the time-outs. */
  httpLimits?: HttpLimits;
}): SlackService {
  const secrets = [config.SLACK_BOT_TOKEN, config.SLACK_SIGNING_SECRET, config.SLACK_APP_TOKEN].filter(
    (secret): secret is string => Boolean(secret),
  );
  const boltLogger = toBoltLogger(logger, secrets);
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  const receiver = socketMode
    ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN as string, logger: boltLogger })
    : new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET as string,
        endpoints: SLACK_EVENTS_PATH,
        logger: boltLogger,
        // Ack as soon as a listener calls ack(); the listener's slower work continues afterwards.
        processBeforeResponse: false,
      });

  const slackApiUrl = config.SLACK_API_URL ? ensureTrailingSlash(config.SLACK_API_URL) : undefined;
  const clientOptions: WebClientOptions = {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    // Every Web API answer, from Bolt's clients and ours, passes here: a refused token pauses the app.
    fetch: watchTokenRefusals({ apiUrl: slackApiUrl, onRefused: reportTokenRefusals(installation, logger) }),
    // The SDK's default is no timeout at all and ten retries over half an hour.
    timeout: config.SLACK_API_TIMEOUT_MS,
    retryConfig: { retries: 2, factor: 2, minTimeout: 250, maxTimeout: 2_000 },
    // A user is waiting: a views.open retried after a 30 s Retry-After would use a dead trigger_id,
    // and the wait would hold up shutdown. Fail fast instead; the listener tells the user.
    rejectRateLimitedCalls: true,
    // The SDK queues calls past 100 in flight. A burst of commands while Slack is slow would then
    // hold views.open calls in the queue until their trigger_ids had expired (the benchmark saw
    // it with views.open taking 2.5 s). Slack's own rate limits bound this client, not the queue.
    maxRequestConcurrency: 1_000,
  };
  const app = new App({
    // Given a token, Bolt calls auth.test once, at construction, and keeps the answer for good: a
    // token refused then (the app started while uninstalled) would refuse every request until a
    // restart, through a rejection nobody handles. The app checks the token itself (src/service.ts).
    authorize: async () => ({ botToken: config.SLACK_BOT_TOKEN }),
    receiver,
    // Bolt's conversation store keeps per-conversation state for apps that ask for it; this one
    // does not, so every request would only pay for the lookup.
    convoStore: false,
    logger: boltLogger,
    clientOptions,
  });
  // What listeners' use cases call; Bolt hands listeners a client of its own, built the same way.
  const client = new WebClient(config.SLACK_BOT_TOKEN, { ...clientOptions, logger: boltLogger });

  const inFlight = new InFlight();
  app.use(async ({ next }) => {
    await inFlight.track(next());
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled listener error');
  });

  const { db } = database;
  const rounds = createRoundsRepository({ db });
  const people = createPeopleRepository({ db });
  const directory = createPeopleDirectory({ client, people, clock });
  const messenger = createMessenger({ client, logger, pause: installation });
  const deps: ListenerDeps = {
    logger,
    clock,
    rounds,
    directory,
    messenger,
    reminderDeps: {
      reminders: createRemindersRepository({ db }),
      rounds,
      people,
      directory,
      messenger,
      logger,
      instanceId: `${hostname()}:${process.pid}`,
      settings: reminderSettingsFrom(config),
      pause: installation,
    },
    planDeps: createPlanDeps({ db, client, config, logger, directory, messenger }),
    committeeDeps: createCommitteeCommandDeps({ db, config }),
    installation,
    departures: { people, clock },
    // The secret that authenticates this transport: Slack's signing secret over HTTP, the app-level
    // token in Socket Mode (where there may be no signing secret at all).
    seal: createMetadataSeal((socketMode ? config.SLACK_APP_TOKEN : config.SLACK_SIGNING_SECRET) as string),
  };
  registerListeners(app, deps);

  let server: Server | undefined;
  let stopping = false;
  const limits = httpLimits ?? HTTP_LIMITS;
  const refusals = createRefusalLog({ logger });
  const routes: Routes = {
    [HEALTH_PATH]: {
      GET: (_req, res) => answerHealth(res, database, installation, stopping),
      HEAD: (_req, res) => answerHealth(res, database, installation, stopping),
    },
  };
  // In Socket Mode, Slack's requests arrive over the socket: the path is not served at all.
  if (!socketMode)
    routes[SLACK_EVENTS_PATH] = {
      POST: slackEventsRoute({
        receiver: receiver as HTTPReceiver,
        signingSecret: config.SLACK_SIGNING_SECRET as string,
        refusals,
        maxBodyBytes: limits.maxBodyBytes,
        isStopping: () => stopping,
      }),
    };

  return {
    app,
    deps,
    inFlight,
    async start() {
      server = createGuardedServer({ routes, logger, refusals, limits });
      await new Promise<void>((resolve, reject) => {
        server?.once('error', reject);
        server?.listen(config.PORT, () => resolve());
      });
      if (socketMode) await (receiver as SocketModeReceiver).start();
      const port = (server.address() as AddressInfo).port;
      logger.info(
        { port, mode: socketMode ? 'socket' : 'http', database: database.kind },
        'service radar is running',
      );
      return { port };
    },
    async stop() {
      stopping = true;
      const closed = server
        ? new Promise<void>((resolve) => {
            server?.close(() => resolve());
            server?.closeIdleConnections();
          })
        : Promise.resolve();
      if (socketMode) await (receiver as SocketModeReceiver).stop().catch(() => undefined);
      const drained = await inFlight.drain(config.SHUTDOWN_TIMEOUT_MS);
      if (!drained) logger.warn({ running: inFlight.size }, 'shutdown timeout: some work was still running');
      server?.closeAllConnections();
      await closed;
      refusals.flush();
    },
  };
}

function ensureTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * 200 only while the app can do its work. A refused bot token is a 503 like a lost database: a
 * supervisor or load balancer that watches for one sees the other, and nothing Slack could send
 * meanwhile needs this copy (an uninstalled app gets no commands); the body says which it is.
 */
async function answerHealth(
  res: ServerResponse,
  database: DatabaseHandle,
  installation: Installation,
  stopping: boolean,
): Promise<void> {
  const { status, body } = await health(database, installation, stopping);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function health(database: DatabaseHandle, installation: Installation, stopping: boolean) {
  if (stopping) return { status: 503, body: { ok: false, reason: 'shutting down' } };
  let slack: Awaited<ReturnType<Installation['status']>>;
  try {
    await withTimeout(database.ping(), 2_000);
    slack = await withTimeout(installation.status(), 2_000);
  } catch {
    return { status: 503, body: { ok: false, reason: 'database unavailable' } };
  }
  if (slack.state === 'paused')
    return {
      status: 503,
      body: {
        ok: false,
        reason: 'slack_token_revoked',
        slack: { state: slack.state, reason: slack.reason, since: slack.since?.toISOString() ?? null },
        database: database.kind,
      },
    };
  return { status: 200, body: { ok: true, database: database.kind } };
}
