import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import {
  type CommitteeField,
  FORM_REFUSALS,
  submitCommitteeSettings,
  validateCommitteeDraft,
} from '../../../modules/committees/committees.usecases.js';
import {
  buildCommitteeSavedMessage,
  COMMITTEE_MODAL,
  SHOW_INDIVIDUALS_VALUE,
} from '../../../modules/committees/committees.views.js';
import type { ListenerDeps } from '../../deps.js';
import { parseViewState, readSelected, readText, type ViewState } from '../../view-state.js';

const metadataSchema = z.object({
  v: z.literal(2),
  channelId: z.string().regex(/^[CG][A-Z0-9]{2,}$/),
  adminUserId: z.string(),
  committeeId: z.number().int().positive().max(2_147_483_647).nullable(),
});

const checkboxValues = z
  .object({ selected_options: z.array(z.object({ value: z.string() })).nullish() })
  .loose();

function readCheckboxes(state: ViewState, blockId: string, actionId: string): string[] {
  const parsed = checkboxValues.safeParse(state[blockId]?.[actionId]);
  return parsed.success ? (parsed.data.selected_options ?? []).map((option) => option.value) : [];
}

const errorBlock: Record<CommitteeField, string> = {
  scope: COMMITTEE_MODAL.blocks.scope,
  units: COMMITTEE_MODAL.blocks.units,
  weekday: COMMITTEE_MODAL.blocks.weekday,
  hour: COMMITTEE_MODAL.blocks.hour,
  timeZone: COMMITTEE_MODAL.blocks.timeZone,
  minGroupSize: COMMITTEE_MODAL.blocks.minGroupSize,
};

/**
 * The committee settings modal. The channel, committee and admin come from the form's sealed
 * metadata, never from an unsigned claim; the submitter's right is asked of Slack again now.
 * Validation, the checks and the save happen before the ack, so every refusal shows on the form,
 * with what was typed kept; the channel hears about the change after it.
 */
export function committeeSettingsSubmission({ committeeDeps, clock, logger, messenger, seal }: ListenerDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const { blocks: ids, actionId } = COMMITTEE_MODAL;
    const userId = body.user.id;
    const sealed = seal.read(view.private_metadata, COMMITTEE_MODAL.callbackId, userId, metadataSchema);
    // Only the admin the form was opened for may submit it.
    if (!sealed.ok || sealed.metadata.adminUserId !== userId) {
      logger.warn(
        { user: userId, form: COMMITTEE_MODAL.callbackId, reason: sealed.ok ? 'not_yours' : sealed.reason },
        'refused a form the server did not open for this person',
      );
      await ack({ response_action: 'errors', errors: { [ids.scope]: FORM_REFUSALS.out_of_date } });
      return;
    }
    const { channelId, committeeId } = sealed.metadata;
    const state = parseViewState(view.state?.values);
    const result = validateCommitteeDraft({
      scope: readSelected(state, ids.scope, actionId),
      units: readText(state, ids.units, actionId),
      weekday: readSelected(state, ids.weekday, actionId),
      hour: readSelected(state, ids.hour, actionId),
      timeZone: readText(state, ids.timeZone, actionId),
      minGroupSize: readSelected(state, ids.minGroupSize, actionId),
      showIndividuals: readCheckboxes(state, ids.showIndividuals, actionId).includes(SHOW_INDIVIDUALS_VALUE),
    });
    if (!result.ok) {
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(result.errors))
        errors[errorBlock[field as CommitteeField]] = message;
      await ack({ response_action: 'errors', errors });
      return;
    }
    let saved: Awaited<ReturnType<typeof submitCommitteeSettings>>;
    try {
      saved = await submitCommitteeSettings({
        committees: committeeDeps.committees,
        access: committeeDeps.accessOnSubmit,
        adminUserIds: committeeDeps.adminUserIds,
        channelId,
        committeeId,
        userId,
        settings: result.settings,
        now: clock.now(),
      });
    } catch (error) {
      logger.error({ err: error, user: userId }, 'could not save committee settings');
      await ack({
        response_action: 'errors',
        errors: { [ids.scope]: "Sorry, that didn't save: please press the button again in a moment." },
      });
      return;
    }
    if (!saved.ok) {
      logger.info({ user: userId, channel: channelId, code: saved.code }, 'committee settings refused');
      await ack({ response_action: 'errors', errors: { [ids.scope]: FORM_REFUSALS[saved.code] } });
      return;
    }
    await ack();
    logger.info(
      { committee: saved.committee.id, channel: channelId, created: saved.created },
      'committee settings saved',
    );
    if (!saved.announce) return;
    await messenger.post(channelId, buildCommitteeSavedMessage(saved.committee, saved.created, userId));
  };
}
