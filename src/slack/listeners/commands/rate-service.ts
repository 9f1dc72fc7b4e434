import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { prepareRoundForm } from '../../../modules/rounds/rounds.usecases.js';
import {
  buildRoundModal,
  RATE_SERVICE_HELP,
  unknownRateServiceText,
} from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';

export const RATE_SERVICE_COMMAND = '/rate-service';

/** `/rate-service` opens the self-rating modal; `help` explains; anything else says what it accepts. */
export function rateServiceCommand({ rounds, clock, logger }: ListenerDeps) {
  return async ({ ack, command, client, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const text = command.text.trim();
    if (text.toLowerCase() === 'help') {
      await ack({ response_type: 'ephemeral', text: RATE_SERVICE_HELP });
      return;
    }
    if (text !== '') {
      await ack({ response_type: 'ephemeral', text: unknownRateServiceText(text) });
      return;
    }
    await ack();
    try {
      const defaults = await prepareRoundForm({ rounds, clock, staffUserId: command.user_id });
      await client.views.open({ trigger_id: command.trigger_id, view: buildRoundModal(defaults) });
    } catch (error) {
      logger.error({ err: error, user: command.user_id }, 'could not open the round modal');
      await respond({
        response_type: 'ephemeral',
        text: "Sorry, I couldn't open the form just now. Please try `/rate-service` again in a moment.",
      }).catch(() => undefined);
    }
  };
}
