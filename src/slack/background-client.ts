import { WebClient } from '@slack/web-api';
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
