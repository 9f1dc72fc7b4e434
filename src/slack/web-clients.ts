import { WebClient, type WebClientOptions } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { toBoltLogger } from '../logger.js';
import { watchTokenRefusals } from './token-refusals.js';

/** Web API base URL from the configuration, with the trailing slash the WebClient expects. */
export function slackApiUrlOf(config: Pick<Config, 'SLACK_API_URL'>): string | undefined {
  const url = config.SLACK_API_URL;
  if (!url) return undefined;
  return url.endsWith('/') ? url : `${url}/`;
}

/**
 * The Web API client for scheduled work (reminders, digests, thread posts). Unlike the SDK's
 * defaults it never sleeps on a rate limit (the queue reschedules by Retry-After instead of holding
 * a worker), never retries by itself (the queue decides), and gives up after the configured timeout.
 * With `onTokenRefused`, every answer refusing the token is reported (see watchTokenRefusals).
 */
export function createBackgroundClient(
  config: Config,
  logger: Logger,
  options: { onTokenRefused?: (error: string, method: string) => Promise<void> } = {},
): WebClient {
  const slackApiUrl = slackApiUrlOf(config);
  return new WebClient(config.SLACK_BOT_TOKEN, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    ...(options.onTokenRefused
      ? { fetch: watchTokenRefusals({ apiUrl: slackApiUrl, onRefused: options.onTokenRefused }) }
      : {}),
    timeout: config.SLACK_API_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: toBoltLogger(logger, [config.SLACK_BOT_TOKEN]),
  });
}

/**
 * The options of the Web API clients that serve people waiting on an answer: ours (what listeners'
 * use cases call) and Bolt's per-request ones, built the same way.
 */
export function interactiveClientOptions(
  config: Config,
  onTokenRefused: (error: string, method: string) => Promise<void>,
): WebClientOptions {
  const slackApiUrl = slackApiUrlOf(config);
  return {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    // Every Web API answer, from Bolt's clients and ours, passes here: a refused token pauses the app.
    fetch: watchTokenRefusals({ apiUrl: slackApiUrl, onRefused: onTokenRefused }),
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
}

/**
 * The options of the Socket Mode client's own Web API client, which calls apps.connections.open
 * with the app-level token. It goes where the other clients go (SLACK_API_URL). It keeps the
 * socket-mode package's own retries (many, quick: that is how it reconnects) and does not watch for
 * refused tokens: a refusal here is the app-level token's, not the bot token's, and must not pause
 * the installation.
 */
export function socketModeClientOptions(
  config: Pick<Config, 'SLACK_API_URL' | 'SLACK_API_TIMEOUT_MS'>,
): Omit<WebClientOptions, 'logger' | 'logLevel'> {
  const slackApiUrl = slackApiUrlOf(config);
  return { ...(slackApiUrl ? { slackApiUrl } : {}), timeout: config.SLACK_API_TIMEOUT_MS };
}

/** The secrets no Web API client or Bolt log line may print. */
export const slackSecrets = (config: Config): string[] =>
  [config.SLACK_BOT_TOKEN, config.SLACK_SIGNING_SECRET, config.SLACK_APP_TOKEN].filter(
    (secret): secret is string => Boolean(secret),
  );

export function createInteractiveClient(
  config: Config,
  logger: Logger,
  options: WebClientOptions,
): WebClient {
  return new WebClient(config.SLACK_BOT_TOKEN, {
    ...options,
    logger: toBoltLogger(logger, slackSecrets(config)),
  });
}
