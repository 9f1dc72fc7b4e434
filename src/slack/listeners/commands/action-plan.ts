import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { listPlans, openPlan, parseActionPlanCommand } from '../../../modules/plans/plans.usecases.js';
import { ACTION_PLAN_HELP } from '../../../modules/plans/plans.views.js';
import type { ListenerDeps } from '../../deps.js';

export const ACTION_PLAN_COMMAND = '/action-plan';

/**
 * `/action-plan @staff [round:N]`, `list`, `help`. Opening a plan checks roles and posts in the
 * channel, which can take longer than Slack's three seconds: acknowledge first, then answer
 * privately through the response URL.
 */
export function actionPlanCommand({ planDeps, clock, logger }: ListenerDeps) {
  return async ({ ack, command, respond }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = parseActionPlanCommand(command.text);
    if (parsed.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: ACTION_PLAN_HELP });
      return;
    }
    if (parsed.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', text: parsed.text });
      return;
    }
    await ack();
    try {
      const said =
        parsed.kind === 'list'
          ? await listPlans(planDeps, command.user_id)
          : await openPlan(planDeps, {
              callerId: command.user_id,
              channelId: command.channel_id,
              staffUserId: parsed.staffUserId,
              roundId: parsed.roundId,
              now: clock.now(),
            });
      await respond({ response_type: 'ephemeral', text: said.text });
    } catch (error) {
      logger.error({ err: error, user: command.user_id }, 'action plan command failed');
      await respond({
        response_type: 'ephemeral',
        text: "Sorry, that didn't work just now. Please try again in a moment.",
      }).catch(() => undefined);
    }
  };
}
