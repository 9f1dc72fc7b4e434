import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import type { DependencyOverrides } from '../../src/dependencies.js';
import type { HttpLimits } from '../../src/http/guarded-server.js';
import { type Clock, systemClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/logger.js';
import { type ServiceRadar, startServiceRadar } from '../../src/service.js';
import type { TestDatabase } from './database.js';
import {
  type PostOptions,
  type PostResult,
  postToSlackEvents,
  type SlackRequest,
  TEST_SIGNING_SECRET,
} from './slack-requests.js';
import type { SlackStandIn } from './slack-stand-in.js';

export const TEST_BOT_TOKEN = 'xoxb-test-bot-token-1234567890';

/** Everything the app logged, one JSON line each, for assertions about what reaches the logs. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export interface TestApp {
  baseUrl: string;
  radar: ServiceRadar;
  logs: LogCapture;
  /** A URL Bolt's respond() may post to: it lands in the stand-in's call log. */
  responseUrl: string;
  send(request: SlackRequest, options?: PostOptions): Promise<PostResult>;
  stop(): Promise<void>;
}

/**
 * Starts the real app (config, Bolt, HTTP server) on a free port, on the given test database, with
 * its Web API pointed at the stand-in. Requests go in over HTTP, signed as Slack signs them.
 */
export async function startTestApp({
  database,
  standIn,
  clock = systemClock,
  env = {},
  httpLimits,
  overrides,
}: {
  database: TestDatabase;
  standIn: SlackStandIn;
  clock?: Clock;
  env?: Record<string, string>;
  httpLimits?: HttpLimits;
  /** Replaces parts of what the composition root builds (a shorter Home republish window). */
  overrides?: DependencyOverrides;
}): Promise<TestApp> {
  const config = loadConfig({
    SLACK_BOT_TOKEN: TEST_BOT_TOKEN,
    SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET,
    SLACK_API_URL: standIn.url,
    PORT: '0',
    LOG_LEVEL: 'debug',
    SHUTDOWN_TIMEOUT_MS: '5000',
    // Tests move time themselves: radar.scheduler.tick(now).
    SCHEDULER_ENABLED: 'false',
    // Digest weeks in UTC, whatever zone the machine running the tests is in.
    LIBRARY_TIME_ZONE: 'UTC',
    ...env,
  });
  const logs = new LogCapture();
  const radar = await startServiceRadar({
    config,
    logger: createLogger(config.LOG_LEVEL, logs),
    database: database.handle,
    clock,
    httpLimits,
    // Home tabs republished after a short window, so a test's settled() has nothing far ahead.
    overrides: { homeRepublishMs: 200, ...overrides },
  });
  const baseUrl = `http://127.0.0.1:${radar.port}`;
  return {
    baseUrl,
    radar,
    logs,
    responseUrl: standIn.url.replace(/\/api\/$/, '/respond/command'),
    send: (request, options) => postToSlackEvents(baseUrl, TEST_SIGNING_SECRET, request, options),
    stop: () => radar.stop(),
  };
}

/** An app-level token as Slack shapes them: xapp-<version>-<app id>-<number>-<hex>. */
export const TEST_APP_TOKEN = 'xapp-1-A1-1234567890-0123456789abcdef0123456789abcdef';

export interface SocketModeTestApp {
  /** The app's own HTTP server on PORT: /healthz and the patron pages, no /slack/events. */
  baseUrl: string;
  radar: ServiceRadar;
  logs: LogCapture;
  /** A URL Bolt's respond() may post to: it lands in the stand-in's call log. */
  responseUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the real app in Socket Mode: SLACK_APP_TOKEN set and no signing secret, as an operator
 * would run it. It resolves once the app has opened its connection at the stand-in and had Slack's
 * hello; Slack's requests then go in as envelopes through `standIn.socketMode`.
 */
export async function startSocketModeTestApp({
  database,
  standIn,
  clock = systemClock,
  env = {},
}: {
  database: TestDatabase;
  standIn: SlackStandIn;
  clock?: Clock;
  env?: Record<string, string>;
}): Promise<SocketModeTestApp> {
  const app = await startTestApp({
    database,
    standIn,
    clock,
    env: { SLACK_APP_TOKEN: TEST_APP_TOKEN, SLACK_SIGNING_SECRET: '', ...env },
  });
  const { send: _httpOnly, ...socketApp } = app;
  return socketApp;
}
