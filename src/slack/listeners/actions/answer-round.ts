import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { openAnswerForm, refusalText } from '../../../modules/rounds/rounds.usecases.js';
import { buildNoticeModal, buildResponseModal } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';

/** Parses a round id carried in a button value; anything else is not a round. */
export function parseRoundId(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return undefined;
  const id = Number(value);
  return id > 0 ? id : undefined;
}

/** "Answer the questions" / "Record the interview": opens the response modal for whoever may answer. */
export function answerRoundAction({ rounds, logger, seal }: ListenerDeps) {
  return async ({
    ack,
    body,
    action,
    client,
  }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const roundId = parseRoundId(action.value);
    try {
      const result = roundId
        ? await openAnswerForm({ rounds, roundId, userId: body.user.id })
        : ({ ok: false, refusal: 'not_found' } as const);
      const view = result.ok
        ? seal.seal(buildResponseModal(result.permission), body.user.id)
        : buildNoticeModal("Can't answer this", refusalText(result.refusal));
      await client.views.open({ trigger_id: body.trigger_id, view });
    } catch (error) {
      logger.error({ err: error, user: body.user.id, round: roundId }, 'could not open the response modal');
    }
  };
}
