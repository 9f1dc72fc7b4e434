import type { App } from '@slack/bolt';
import { RESPONSE_MODAL, ROUND_MODAL } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
import { responseSubmission } from './response-submission.js';
import { roundSubmission } from './round-submission.js';

export function register(app: App, deps: ListenerDeps): void {
  app.view({ type: 'view_submission', callback_id: ROUND_MODAL.callbackId }, roundSubmission(deps));
  app.view({ type: 'view_submission', callback_id: RESPONSE_MODAL.callbackId }, responseSubmission(deps));
}
