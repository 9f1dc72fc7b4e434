import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/client.js';
import { createGuardedServer, HTTP_LIMITS, type HttpLimits, type Routes } from '../http/guarded-server.js';
import { createRefusalLog } from '../http/refusal-log.js';
import { InFlight } from '../lib/in-flight.js';
import { withTimeout } from '../lib/timeout.js';
import { type Logger, toBoltLogger } from '../logger.js';
import type { Installation } from '../modules/installation/installation.usecases.js';
import type { ListenerDeps } from './deps.js';
import { registerListeners } from './listeners/index.js';
import { arrivalProperties, measureSlackRequests, type SlackRequestObserver } from './request-metrics.js';
import { slackEventsRoute } from './slack-events-route.js';
import { slackSecrets, socketModeClientOptions } from './web-clients.js';

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
  installation,
  deps,
  clientOptions,
  httpLimits,
  routes: extraRoutes,
  requests,
}: {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  installation: Installation;
  /** What the listeners are given (src/dependencies.ts builds it). */
  deps: ListenerDeps;
  /** The options Bolt builds its per-request Web API clients with. */
  clientOptions: WebClientOptions;
  /** The HTTP server's limits; tests shorten the time-outs. */
  httpLimits?: HttpLimits;
  /**
   * Other routes served by the same server in both modes (the patron pages), given the tracker of
   * work in flight so what they do after answering is waited for at shutdown too.
   */
  routes?: (inFlight: InFlight) => Routes;
  /** Told each request's kind, acknowledgement time and outcome (the metrics). */
  requests?: SlackRequestObserver;
}): SlackService {
  const boltLogger = toBoltLogger(logger, slackSecrets(config));
  const socketMode = Boolean(config.SLACK_APP_TOKEN);
  const receiver = socketMode
    ? new SocketModeReceiver({
        appToken: config.SLACK_APP_TOKEN as string,
        logger: boltLogger,
        // The receiver hands these to its Socket Mode client, which calls apps.connections.open.
        installerOptions: { clientOptions: socketModeClientOptions(config) },
      })
    : new HTTPReceiver({
        signingSecret: config.SLACK_SIGNING_SECRET as string,
        endpoints: SLACK_EVENTS_PATH,
        logger: boltLogger,
        // Ack as soon as a listener calls ack(); the listener's slower work continues afterwards.
        processBeforeResponse: false,
        // The arrival time noted by the route, for the acknowledgement's timing.
        customPropertiesExtractor: arrivalProperties,
      });

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
  if (requests) measureSlackRequests(app, requests);
  const inFlight = new InFlight();
  app.use(async ({ next }) => {
    await inFlight.track(next());
  });
  app.error(async (error) => {
    logger.error({ err: error }, 'unhandled listener error');
  });

  registerListeners(app, deps);

  let server: Server | undefined;
  let stopping = false;
  const limits = httpLimits ?? HTTP_LIMITS;
  const refusals = createRefusalLog({ logger });
  const routes: Routes = {
    ...extraRoutes?.(inFlight),
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
