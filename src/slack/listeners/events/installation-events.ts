import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import type { InstallationEvent } from '../../../modules/installation/installation.usecases.js';
import type { ListenerDeps } from '../../deps.js';

export const INSTALLATION_EVENTS: readonly InstallationEvent[] = ['app_uninstalled', 'tokens_revoked'];

/** The envelope's parts this listener reads; Slack sends more. */
const envelope = z.object({
  event_id: z.string().min(1).max(255),
  event: z.object({
    type: z.enum(['app_uninstalled', 'tokens_revoked']),
    tokens: z.object({ bot: z.array(z.string()).optional() }).optional(),
  }),
});

/**
 * `app_uninstalled` and `tokens_revoked`: the app's token is gone. Bolt answers Slack before this
 * runs (as it does every event) and skips its authorization for these two, which a revoked token
 * could not pass. Slack's retries carry the same event_id, which the use case handles once.
 */
export function installationEvent({ installation, logger }: ListenerDeps) {
  return async ({ body, context }: SlackEventMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = envelope.safeParse(body);
    if (!parsed.success) {
      logger.warn({ event: body.event?.type }, 'ignored an installation event without its event id');
      return;
    }
    const { event_id: eventId, event } = parsed.data;
    try {
      const outcome = await installation.handleEvent({
        eventId,
        type: event.type,
        botTokenRevoked: (event.tokens?.bot?.length ?? 0) > 0,
      });
      logger.info(
        { event: event.type, eventId, retry: context.retryNum ?? 0, outcome },
        'installation event',
      );
    } catch (error) {
      // Acknowledged already, so Slack will not retry: the next Web API call's refusal pauses instead.
      logger.error({ err: error, event: event.type, eventId }, 'could not record an installation event');
    }
  };
}
