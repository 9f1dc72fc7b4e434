import type { App, BlockButtonAction } from '@slack/bolt';
import { ROUND_ACTIONS } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
import { answerRoundAction } from './answer-round.js';

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockButtonAction>(
    { type: 'block_actions', action_id: ROUND_ACTIONS.answer },
    answerRoundAction(deps),
  );
}
