import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import {
  type CommitteeField,
  saveCommitteeSettings,
  validateCommitteeDraft,
} from '../../../modules/committees/committees.usecases.js';
import {
  buildCommitteeSavedMessage,
  COMMITTEE_MODAL,
  SHOW_INDIVIDUALS_VALUE,
} from '../../../modules/committees/committees.views.js';
import type { ListenerDeps } from '../../deps.js';
import { parseViewState, readMetadata, readSelected, readText, type ViewState } from '../../view-state.js';

const metadataSchema = z.object({
  v: z.literal(1),
  channelId: z.string().regex(/^[CG][A-Z0-9]{2,}$/),
  adminUserId: z.string(),
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
 * The committee settings modal. Validation and the save happen before the ack, so mistakes show on
 * their fields; the channel hears about the change after it.
 */
export function committeeSettingsSubmission({ committeeDeps, clock, logger, messenger }: ListenerDeps) {
  return async ({ ack, body, view }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const { blocks: ids, actionId } = COMMITTEE_MODAL;
    const metadata = readMetadata(view.private_metadata, metadataSchema);
    // Only the admin the form was opened for may submit it.
    if (!metadata || metadata.adminUserId !== body.user.id) {
      await ack({
        response_action: 'errors',
        errors: { [ids.scope]: 'This form is out of date. Close it and type /service-digest again.' },
      });
      return;
    }
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
    let saved: Awaited<ReturnType<typeof saveCommitteeSettings>>;
    try {
      saved = await saveCommitteeSettings({
        committees: committeeDeps.committees,
        channelId: metadata.channelId,
        userId: body.user.id,
        settings: result.settings,
        now: clock.now(),
      });
    } catch (error) {
      logger.error({ err: error, user: body.user.id }, 'could not save committee settings');
      await ack({
        response_action: 'errors',
        errors: { [ids.scope]: "Sorry, that didn't save: please press the button again in a moment." },
      });
      return;
    }
    await ack();
    logger.info(
      { committee: saved.committee.id, channel: metadata.channelId, created: saved.created },
      'committee settings saved',
    );
    await messenger.post(
      metadata.channelId,
      buildCommitteeSavedMessage(saved.committee, saved.created, body.user.id),
    );
  };
}
