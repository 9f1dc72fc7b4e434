import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { preparePracticeForm, withdrawPractice } from '../../../modules/practices/practices.usecases.js';
import { buildPracticeModal } from '../../../modules/practices/practices.views.js';
import { practiceWords } from '../../../modules/practices/practices.words.js';
import { buildNoticeModal } from '../../../modules/rounds/rounds.views.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';
import { parseRoundId } from './answer-round.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * "Share a best practice", on the Home tab (value `home`) or on a hidden strength's result (value:
 * the round id, whose service prefills the form when the round is the clicker's own).
 */
export function sharePracticeAction({ practiceDeps, seal, logger }: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    const userId = body.user.id;
    try {
      const defaults = await preparePracticeForm(practiceDeps, {
        userId,
        roundId: parseRoundId(action.value),
      });
      await client.views.open({
        trigger_id: body.trigger_id,
        view: seal.seal(buildPracticeModal(defaults), userId),
      });
    } catch (error) {
      logger.error({ err: error, user: userId }, 'could not open the best practice form');
    }
  };
}

/** "Withdraw" on one's own practice on the Home tab: what happened is said in a small modal. */
export function withdrawPracticeAction({ practiceDeps, logger }: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    const userId = body.user.id;
    const practiceId = parseRoundId(action.value);
    try {
      const result = practiceId
        ? await withdrawPractice(practiceDeps, { userId, practiceId })
        : ({ ok: false, code: 'not_found' } as const);
      logger.info({ user: userId, practice: practiceId, outcome: result.code }, 'best practice withdrawal');
      await client.views.open({
        trigger_id: body.trigger_id,
        view: buildNoticeModal(result.ok ? 'Withdrawn' : 'Nothing changed', practiceWords(result.code)),
      });
    } catch (error) {
      logger.error({ err: error, user: userId, practice: practiceId }, 'could not withdraw a best practice');
      await client.views
        .open({
          trigger_id: body.trigger_id,
          view: buildNoticeModal('Nothing changed', APOLOGIES.press_again),
        })
        .catch(() => undefined);
    }
  };
}
