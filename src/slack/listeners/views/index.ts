import type { App } from '@slack/bolt';
import { COMMITTEE_MODAL } from '../../../modules/committees/committees.views.js';
import { CLOSE_MODAL, NOTE_MODAL, PLAN_MODAL, PLAN_OPEN_MODAL } from '../../../modules/plans/plans.views.js';
import { PRACTICE_MODAL } from '../../../modules/practices/practices.views.js';
import { RESPONSE_MODAL, ROUND_MODAL } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
import { committeeSettingsSubmission } from './committee-settings.js';
import {
  planCloseSubmission,
  planNoteSubmission,
  planOpenSubmission,
  planWriteSubmission,
} from './plan-submissions.js';
import { practiceSubmission } from './practice-submission.js';
import { responseSubmission } from './response-submission.js';
import { roundSubmission } from './round-submission.js';

export function register(app: App, deps: ListenerDeps): void {
  app.view({ type: 'view_submission', callback_id: ROUND_MODAL.callbackId }, roundSubmission(deps));
  app.view({ type: 'view_submission', callback_id: RESPONSE_MODAL.callbackId }, responseSubmission(deps));
  app.view({ type: 'view_submission', callback_id: PLAN_OPEN_MODAL.callbackId }, planOpenSubmission(deps));
  app.view({ type: 'view_submission', callback_id: PLAN_MODAL.callbackId }, planWriteSubmission(deps));
  app.view({ type: 'view_submission', callback_id: NOTE_MODAL.callbackId }, planNoteSubmission(deps));
  app.view({ type: 'view_submission', callback_id: CLOSE_MODAL.callbackId }, planCloseSubmission(deps));
  app.view({ type: 'view_submission', callback_id: PRACTICE_MODAL.callbackId }, practiceSubmission(deps));
  app.view(
    { type: 'view_submission', callback_id: COMMITTEE_MODAL.callbackId },
    committeeSettingsSubmission(deps),
  );
}
