import type { AllMiddlewareArgs, BlockButtonAction, RespondFn, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import {
  askCustomerAgain,
  askCustomerAgainForRound,
  type ButtonResult,
  cancelRound,
  isOwnDirectMessage,
  muteReminders,
  snoozeInterview,
} from '../../../modules/reminders/reminders.buttons.js';
import { withOutcome } from '../../../modules/reminders/reminders.views.js';
import { reminderDoneWords, reminderWords } from '../../../modules/reminders/reminders.words.js';
import { prepareRoundForm } from '../../../modules/rounds/rounds.usecases.js';
import { buildNoticeModal, buildRoundModal } from '../../../modules/rounds/rounds.views.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';
import { parseRoundId } from './answer-round.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** Stands in for respond() where Slack gave no response_url: there is nowhere to reply. */
export const noReply = async (_message: Parameters<RespondFn>[0]): Promise<unknown> => undefined;

/**
 * Runs a reminder button's use case. On success the clicked message loses its buttons and says what
 * happened (so a second click has nothing to press); a refusal is said to the clicker alone. The
 * message is edited only when it is in the clicker's own DM with the app; otherwise the outcome is
 * said to them alone too.
 */
function reminderButton(
  deps: ListenerDeps,
  run: (id: number, userId: string, now: Date) => Promise<ButtonResult>,
) {
  return async ({ ack, body, action, respond: boltRespond, client }: ButtonArgs) => {
    await ack();
    // A click that comes from a view carries no response_url, and Bolt then gives no respond().
    const respond = boltRespond ?? noReply;
    const id = parseRoundId(action.value);
    try {
      const result: ButtonResult = id
        ? await run(id, body.user.id, deps.clock.now())
        : { ok: false, code: 'button_out_of_date' };
      // Pressed on the Home tab: there is no message to edit or reply under. A refusal is said in a
      // small modal; a change shows in the Home itself, republished.
      if (body.view?.type === 'home') {
        if (!result.ok)
          await client.views.open({
            trigger_id: body.trigger_id,
            view: buildNoticeModal('Nothing changed', reminderWords(result.code)),
          });
        else deps.home.refresh.changed([body.user.id]);
        return;
      }
      // Pressed in a message: the change (a round cancelled, reminders muted) shows on their Home too.
      if (result.ok) deps.home.refresh.changed([body.user.id]);
      if (!result.ok) {
        const text = reminderWords(result.code);
        await respond({ response_type: 'ephemeral', replace_original: false, text });
        return;
      }
      const outcome = reminderDoneWords(result.done);
      const channel = body.channel?.id ?? body.container?.channel_id;
      const ts = body.message?.ts ?? body.container?.message_ts;
      if (channel && ts && (await isOwnDirectMessage(deps.reminderDeps, body.user.id, channel))) {
        await deps.messenger.update(channel, ts, {
          text: outcome,
          blocks: withOutcome(body.message?.blocks as KnownBlock[] | undefined, outcome),
        });
        return;
      }
      await respond({ response_type: 'ephemeral', replace_original: false, text: outcome });
    } catch (error) {
      deps.logger.error(
        { err: error, user: body.user.id, action: action.action_id },
        'reminder button failed',
      );
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: APOLOGIES.press_again,
      }).catch(() => undefined);
    }
  };
}

export const snoozeAction = (deps: ListenerDeps) =>
  reminderButton(deps, (reminderId, userId, now) =>
    snoozeInterview(deps.reminderDeps, { reminderId, userId, now }),
  );

export const askAgainAction = (deps: ListenerDeps) =>
  reminderButton(deps, (reminderId, userId, now) =>
    askCustomerAgain(deps.reminderDeps, { reminderId, userId, now }),
  );

export const homeAskAgainAction = (deps: ListenerDeps) =>
  reminderButton(deps, (roundId, userId, now) =>
    askCustomerAgainForRound(deps.reminderDeps, { roundId, userId, now }),
  );

export const cancelRoundAction = (deps: ListenerDeps) =>
  reminderButton(deps, (roundId, userId, now) => cancelRound(deps.reminderDeps, { roundId, userId, now }));

export const muteAction = (deps: ListenerDeps) =>
  reminderButton(deps, (days, userId, now) =>
    muteReminders(deps.reminderDeps, { userId, days: Math.min(days, 365), now }),
  );

/** "Start a new round" / "Rate your service": the round modal, prefilled from the round if there is one. */
export function startRoundAction({
  rounds,
  clock,
  libraryTimeZone,
  logger,
  seal,
  patronLinkSettings,
}: ListenerDeps) {
  return async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    try {
      const defaults = await prepareRoundForm({
        rounds,
        clock,
        staffUserId: body.user.id,
        timeZone: libraryTimeZone,
        fromRoundId: parseRoundId(action.value),
        links: patronLinkSettings,
      });
      await client.views.open({
        trigger_id: body.trigger_id,
        view: seal.seal(buildRoundModal(defaults), body.user.id),
      });
    } catch (error) {
      logger.error({ err: error, user: body.user.id }, 'could not open the round modal');
    }
  };
}
