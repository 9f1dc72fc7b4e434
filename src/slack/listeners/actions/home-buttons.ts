import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { preparePlanOpening } from '../../../modules/plans/plans.usecases.js';
import { buildPlanOpenModal } from '../../../modules/plans/plans.views.js';
import { planWords } from '../../../modules/plans/plans.words.js';
import { sendHistory } from '../../../modules/rounds/rounds.history.js';
import { buildNoticeModal } from '../../../modules/rounds/rounds.views.js';
import { historyNotSentWords, historySentWords } from '../../../modules/rounds/rounds.words.js';
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

/**
 * "Download my rounds (CSV)" on the Home tab: the file `/rate-service export` sends, in the
 * person's DM; a small modal says where it went, or why it did not.
 */
export function exportMineAction({ rounds, messenger, clock, logger, audit }: ListenerDeps) {
  return async ({ ack, body, client }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const userId = body.user.id;
    try {
      const sent = await sendHistory({ rounds, messenger, clock, audit }, userId);
      if (sent.ok) logger.info({ user: userId, rounds: sent.rounds }, 'own history exported');
      await client.views
        .open({
          trigger_id: body.trigger_id,
          view: buildNoticeModal(
            'Your rounds',
            sent.ok ? historySentWords(sent.rounds) : historyNotSentWords(sent.error),
          ),
        })
        // The file is in their DM either way; a trigger that expired meanwhile only loses the note.
        .catch((error: unknown) => logger.debug({ err: error, user: userId }, 'no notice for the export'));
    } catch (error) {
      logger.error(
        { err: error, user: userId },
        'could not export a staff member’s history from the home tab',
      );
    }
  };
}
