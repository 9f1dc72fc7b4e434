import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { handleUserChange } from '../../../modules/people/people.departures.js';
import type { ListenerDeps } from '../../deps.js';

/** Events about people. `user_change` needs the users:read scope, which the app has. */
export const PEOPLE_EVENTS = ['user_change'] as const;

/** The envelope's parts this listener reads; Slack sends the whole profile. */
const envelope = z.object({
  event_id: z.string().min(1).max(255),
  event: z.object({
    type: z.literal('user_change'),
    user: z.object({
      id: z.string().regex(/^[UW][A-Z0-9]{2,}$/),
      deleted: z.boolean().optional(),
    }),
  }),
});

/**
 * `user_change`: when Slack says a person was deactivated, their pending reminders stop. Bolt has
 * answered Slack before this runs; Slack's retries carry the same event_id, handled once.
 */
export function userChangeEvent({ departures, logger }: ListenerDeps) {
  return async ({ body, context }: SlackEventMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) {
      logger.warn({ event: 'user_change' }, 'ignored a user_change event without its event id or user');
      return;
    }
    const { event_id: eventId, event } = parsed.data;
    try {
      const result = await handleUserChange(departures, {
        eventId,
        userId: event.user.id,
        deleted: event.user.deleted === true,
      });
      if (result.outcome !== 'ignored')
        logger.info(
          { event: 'user_change', eventId, retry: context.retryNum ?? 0, ...result },
          'person deactivated',
        );
    } catch (error) {
      // Acknowledged already: each reminder is still checked before it is sent, and fails then.
      logger.error({ err: error, event: 'user_change', eventId }, 'could not record a deactivation');
    }
  };
}
