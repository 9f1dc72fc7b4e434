import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseServicePointCommand } from '../../../modules/service-points/service-points.command.js';
import { runServicePointCommand } from '../../../modules/service-points/service-points.usecases.js';
import {
  buildServicePointReply,
  buildUnknownMessage,
} from '../../../modules/service-points/service-points.views.js';
import {
  SERVICE_POINT_COMMAND,
  SERVICE_POINT_HELP,
} from '../../../modules/service-points/service-points.words.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';

export { SERVICE_POINT_COMMAND };

/**
 * `/service-point add | list | poster | retire | help`, for admins. Help is answered in the
 * acknowledgement; everything else is acknowledged at once (drawing and uploading the posters takes
 * longer than Slack's three seconds) and answered through the response_url, to the admin only.
 * The log names the point by id and the admin by user id: never a name or a link.
 */
export function servicePointCommand(deps: ListenerDeps) {
  const { servicePointDeps, logger } = deps;

  return async ({ ack, command, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = parseServicePointCommand(command.text);
    if (parsed.action === 'help') {
      await ack({ response_type: 'ephemeral', text: SERVICE_POINT_HELP });
      return;
    }
    if (parsed.action === 'unknown') {
      await ack({ response_type: 'ephemeral', ...buildUnknownMessage(parsed.typed, SERVICE_POINT_HELP) });
      return;
    }
    await ack();
    const userId = command.user_id;
    try {
      const outcome = await runServicePointCommand(servicePointDeps, userId, parsed);
      if (!outcome.ok)
        logger.info({ user: userId, action: parsed.action, code: outcome.code }, 'service-point refused');
      else {
        const point = outcome.kind === 'listed' ? undefined : outcome.point.id;
        logger.info(
          { user: userId, action: parsed.action, servicePoint: point },
          `service-point ${outcome.kind}`,
        );
        if ((outcome.kind === 'added' || outcome.kind === 'posters_sent') && !outcome.posters.ok)
          logger.warn(
            { user: userId, servicePoint: outcome.point.id, error: outcome.posters.error },
            'service point posters not sent',
          );
      }
      const reply = buildServicePointReply(outcome);
      await respond({ response_type: 'ephemeral', ...(typeof reply === 'string' ? { text: reply } : reply) });
    } catch (error) {
      logger.error({ err: error, user: userId, action: parsed.action }, 'service-point command failed');
      await respond({ response_type: 'ephemeral', text: APOLOGIES.try_again }).catch(() => undefined);
    }
  };
}
