import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { preparePlanOpening } from '../../../modules/plans/plans.usecases.js';
import { buildPlanOpenModal } from '../../../modules/plans/plans.views.js';
import { planWords } from '../../../modules/plans/plans.words.js';
import { buildNoticeModal } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';

/** "Open an action plan for myself" on the Home tab: the form `/action-plan @me` opens. */
export function planForMeAction({ planDeps, seal, logger }: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const userId = body.user.id;
    try {
      const result = await preparePlanOpening(planDeps, { callerId: userId, staffUserId: userId });
      await client.views.open({
        trigger_id: body.trigger_id,
        view: result.ok
          ? seal.seal(buildPlanOpenModal(result.opening), userId)
          : buildNoticeModal("Can't open a plan", planWords(result.code, result.values)),
      });
    } catch (error) {
      logger.error({ err: error, user: userId }, 'could not open the plan form from the home tab');
    }
  };
}
