import type { App, BlockButtonAction } from '@slack/bolt';
import { HOME_ACTIONS } from '../../../modules/home/home.views.js';
import { PLAN_ACTIONS } from '../../../modules/plans/plans.views.js';
import { PRACTICE_ACTIONS } from '../../../modules/practices/practices.views.js';
import { REMINDER_ACTIONS } from '../../../modules/reminders/reminders.views.js';
import { ROUND_ACTIONS } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
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

const button = (actionId: string) => ({ type: 'block_actions' as const, action_id: actionId });

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(button(ROUND_ACTIONS.answer), answerRoundAction(deps));
  app.action<BlockButtonAction>(button(ROUND_ACTIONS.newLink), newLinkAction(deps));
  app.action<BlockButtonAction>(button(REMINDER_ACTIONS.snooze), snoozeAction(deps));
  app.action<BlockButtonAction>(button(REMINDER_ACTIONS.askAgain), askAgainAction(deps));
  app.action<BlockButtonAction>(button(REMINDER_ACTIONS.cancelRound), cancelRoundAction(deps));
  app.action<BlockButtonAction>(button(REMINDER_ACTIONS.mute), muteAction(deps));
  app.action<BlockButtonAction>(button(REMINDER_ACTIONS.startRound), startRoundAction(deps));
  app.action<BlockButtonAction>(button(PLAN_ACTIONS.write), writePlanAction(deps));
  app.action<BlockButtonAction>(button(PLAN_ACTIONS.markStep), markStepAction(deps));
  app.action<BlockButtonAction>(button(PLAN_ACTIONS.addNote), addNoteAction(deps));
  app.action<BlockButtonAction>(button(PLAN_ACTIONS.startRemeasure), startRemeasureAction(deps));
  app.action<BlockButtonAction>(button(PLAN_ACTIONS.close), closePlanAction(deps));
  app.action<BlockButtonAction>(button(HOME_ACTIONS.planForMe), planForMeAction(deps));
  app.action<BlockButtonAction>(button(HOME_ACTIONS.askAgain), homeAskAgainAction(deps));
  app.action<BlockButtonAction>(button(HOME_ACTIONS.exportMine), exportMineAction(deps));
  app.action<BlockButtonAction>(button(PRACTICE_ACTIONS.share), sharePracticeAction(deps));
  app.action<BlockButtonAction>(button(PRACTICE_ACTIONS.withdraw), withdrawPracticeAction(deps));
}
