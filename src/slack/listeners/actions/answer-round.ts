import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { sendNewPatronLink } from '../../../modules/rounds/rounds.links.js';
import { openAnswerForm } from '../../../modules/rounds/rounds.usecases.js';
import { buildNoticeModal, buildResponseModal } from '../../../modules/rounds/rounds.views.js';
import { roundWords } from '../../../modules/rounds/rounds.words.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';

/** Parses a round id carried in a button value; anything else is not a round. */
export function parseRoundId(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return undefined;
  const id = Number(value);
  return id > 0 ? id : undefined;
}

/** "Answer the questions" / "Record the interview": opens the response modal for whoever may answer. */
/** Inside a trigger_id's 3 seconds, with room left for views.open. */
const STAFF_NAME_TIMEOUT_MS = 1_000;

export function answerRoundAction({ rounds, logger, seal, directory }: ListenerDeps) {
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
        : ({ ok: false, code: 'not_found' } as const);
      // The opt-in names the staff member; a label is plain text, so it takes their name, not a
      // mention. If Slack is slow to say it, the form says "the staff member" rather than wait.
      const staffName =
        result.ok && !result.permission.onBehalf
          ? await directory
              .lookup(result.permission.round.staffUserId, { timeoutMs: STAFF_NAME_TIMEOUT_MS })
              .then((person) => person?.name)
              .catch(() => undefined)
          : undefined;
      const view = result.ok
        ? seal.seal(buildResponseModal({ ...result.permission, staffName }), body.user.id)
        : buildNoticeModal("Can't answer this", roundWords(result.code));
      await client.views.open({ trigger_id: body.trigger_id, view });
    } catch (error) {
      logger.error({ err: error, user: body.user.id, round: roundId }, 'could not open the response modal');
    }
  };
}

/** "Send a new link": a fresh link and QR code for an outside customer, in the staff member's DM. */
export function newLinkAction({ roundAnnouncements, logger }: ListenerDeps) {
  return async ({
    ack,
    body,
    action,
    respond,
  }: SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs) => {
    await ack();
    const roundId = parseRoundId(action.value);
    const say = (text: string) =>
      respond?.({ response_type: 'ephemeral', replace_original: false, text }).catch(() => undefined);
    try {
      const result = roundId
        ? await sendNewPatronLink(roundAnnouncements, { roundId, userId: body.user.id })
        : ({ ok: false, code: 'not_found' } as const);
      if (!result.ok) await say(roundWords(result.code));
      else logger.info({ round: result.round.id, user: body.user.id }, 'new patron link sent');
    } catch (error) {
      logger.error({ err: error, user: body.user.id, round: roundId }, 'could not send a new patron link');
      await say(APOLOGIES.press_again);
    }
  };
}
