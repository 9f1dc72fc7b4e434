import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { HOME_ACTIONS } from '../../../modules/home/home.views.js';
import { PLAN_ACTIONS } from '../../../modules/plans/plans.views.js';
import { PRACTICE_ACTIONS } from '../../../modules/practices/practices.views.js';
import { REMINDER_ACTIONS } from '../../../modules/reminders/reminders.views.js';
import { ROUND_ACTIONS } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
import { route } from '../route.js';
import { answerRoundAction, newLinkAction } from './answer-round.js';
import { exportMineAction, planForMeAction } from './home-buttons.js';
import {
  addNoteAction,
  closePlanAction,
  markStepAction,
  startRemeasureAction,
  writePlanAction,
} from './plan-buttons.js';
import { sharePracticeAction, withdrawPracticeAction } from './practice-buttons.js';
import {
  askAgainAction,
  cancelRoundAction,
  homeAskAgainAction,
  muteAction,
  snoozeAction,
  startRoundAction,
} from './reminder-buttons.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export function register(app: App, deps: ListenerDeps): void {
  const buttons = route<ButtonArgs>(
    {
      [ROUND_ACTIONS.answer]: answerRoundAction(deps),
      [ROUND_ACTIONS.newLink]: newLinkAction(deps),
      [REMINDER_ACTIONS.snooze]: snoozeAction(deps),
      [REMINDER_ACTIONS.askAgain]: askAgainAction(deps),
      [REMINDER_ACTIONS.cancelRound]: cancelRoundAction(deps),
      [REMINDER_ACTIONS.mute]: muteAction(deps),
      [REMINDER_ACTIONS.startRound]: startRoundAction(deps),
      [PLAN_ACTIONS.write]: writePlanAction(deps),
      [PLAN_ACTIONS.markStep]: markStepAction(deps),
      [PLAN_ACTIONS.addNote]: addNoteAction(deps),
      [PLAN_ACTIONS.startRemeasure]: startRemeasureAction(deps),
      [PLAN_ACTIONS.close]: closePlanAction(deps),
      [HOME_ACTIONS.planForMe]: planForMeAction(deps),
      [HOME_ACTIONS.askAgain]: homeAskAgainAction(deps),
      [HOME_ACTIONS.exportMine]: exportMineAction(deps),
      [PRACTICE_ACTIONS.share]: sharePracticeAction(deps),
      [PRACTICE_ACTIONS.withdraw]: withdrawPracticeAction(deps),
    },
    ({ action }) => action.action_id,
  );
  app.action<BlockButtonAction>({ type: 'block_actions', action_id: buttons.pattern }, buttons.listener);
}
