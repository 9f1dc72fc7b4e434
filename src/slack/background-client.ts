import { WebClient } from '@slack/web-api';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { toBoltLogger } from '../logger.js';

/**
 * The Web API client for scheduled work (reminders, digests, thread posts). Unlike the SDK's
 * defaults it never sleeps on a rate limit (the queue reschedules by Retry-After instead of holding
 * a worker), never retries by itself (the queue decides), and gives up after the configured timeout.
 */
export function createBackgroundClient(config: Config, logger: Logger): WebClient {
  return new WebClient(config.SLACK_BOT_TOKEN, {
    ...(config.SLACK_API_URL
      ? {
          slackApiUrl: config.SLACK_API_URL.endsWith('/') ? config.SLACK_API_URL : `${config.SLACK_API_URL}/`,
        }
      : {}),
    timeout: config.SLACK_API_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logger: toBoltLogger(logger, [config.SLACK_BOT_TOKEN]),
  });
}
