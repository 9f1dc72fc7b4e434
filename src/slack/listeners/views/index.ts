import type { App } from '@slack/bolt';
import { COMMITTEE_MODAL } from '../../../modules/committees/committees.views.js';
import { CLOSE_MODAL, NOTE_MODAL, PLAN_MODAL, PLAN_OPEN_MODAL } from '../../../modules/plans/plans.views.js';
import { PRACTICE_MODAL } from '../../../modules/practices/practices.views.js';
import { RESPONSE_MODAL, ROUND_MODAL } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
import type { ViewArgs } from '../../view-submission.js';
import { route } from '../route.js';
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
  const forms = route<ViewArgs>(
    {
      [ROUND_MODAL.callbackId]: roundSubmission(deps),
      [RESPONSE_MODAL.callbackId]: responseSubmission(deps),
      [PLAN_OPEN_MODAL.callbackId]: planOpenSubmission(deps),
      [PLAN_MODAL.callbackId]: planWriteSubmission(deps),
      [NOTE_MODAL.callbackId]: planNoteSubmission(deps),
      [CLOSE_MODAL.callbackId]: planCloseSubmission(deps),
      [PRACTICE_MODAL.callbackId]: practiceSubmission(deps),
      [COMMITTEE_MODAL.callbackId]: committeeSettingsSubmission(deps),
    },
    ({ view }) => view.callback_id,
  );
  app.view({ type: 'view_submission', callback_id: forms.pattern }, forms.listener);
}
