import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { ListenerDeps } from '../../deps.js';

/** Events about the app's Home tab. `app_home_opened` needs no scope. */
export const HOME_EVENTS = ['app_home_opened'] as const;

/** The envelope's parts this listener reads; Slack sends more. */
const envelope = z.object({
  event_id: z.string().min(1).max(255),
  event: z.object({
    type: z.literal('app_home_opened'),
    user: z.string().regex(/^[UW][A-Z0-9]{2,}$/),
    tab: z.string().max(32).optional(),
  }),
});

/**
 * `app_home_opened`: publishes the person's Home. Bolt has answered Slack before this runs; Slack's
 * retries carry the same event_id, and publish nothing more.
 */
export function homeOpenedEvent({ home, logger }: ListenerDeps) {
  return async ({ body, context }: SlackEventMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) {
      logger.warn(
        { event: 'app_home_opened' },
        'ignored an app_home_opened event without its event id or user',
      );
      return;
    }
    const { event_id: eventId, event } = parsed.data;
    try {
      const outcome = await home.opened({ eventId, userId: event.user, tab: event.tab });
      logger.debug(
        { event: 'app_home_opened', eventId, retry: context.retryNum ?? 0, outcome },
        'home opened',
      );
    } catch (error) {
      logger.error({ err: error, event: 'app_home_opened', eventId }, 'could not publish a home tab');
    }
  };
}
