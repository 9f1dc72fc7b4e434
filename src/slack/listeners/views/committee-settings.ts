import { z } from 'zod';
import {
  type CommitteeField,
  type CommitteeFormCode,
  submitCommitteeSettings,
  validateCommitteeDraft,
} from '../../../modules/committees/committees.usecases.js';
import {
  buildCommitteeSavedMessage,
  COMMITTEE_MODAL,
  SHOW_INDIVIDUALS_VALUE,
} from '../../../modules/committees/committees.views.js';
import { committeeFormWords } from '../../../modules/committees/committees.words.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';
import { readSelected, readText, type ViewState } from '../../view-state.js';
import { viewSubmission } from '../../view-submission.js';

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
 * metadata, never from an unsigned claim; only the admin the form was opened for may submit it, and
 * their right is asked of Slack again now. Validation, the checks and the save happen before the
 * ack, so every refusal shows on the form, with what was typed kept; the channel hears about the
 * change after it.
 */
export function committeeSettingsSubmission(deps: ListenerDeps) {
  const { committeeDeps, clock, logger, messenger } = deps;
  const { blocks: ids, actionId } = COMMITTEE_MODAL;
  return viewSubmission(deps, {
    form: COMMITTEE_MODAL.callbackId,
    metadata: metadataSchema,
    mayOpen: (metadata, userId) => metadata.adminUserId === userId,
    formBlock: ids.scope,
    outOfDate: committeeFormWords('out_of_date'),
    blocks: errorBlock,
    words: (code) => committeeFormWords(code as CommitteeFormCode),
    tryAgain: APOLOGIES.try_again_save,
    failure: 'could not save committee settings',
    save: async ({ userId, metadata: { channelId, committeeId }, state }) => {
      const result = validateCommitteeDraft({
        scope: readSelected(state, ids.scope, actionId),
        units: readText(state, ids.units, actionId),
        weekday: readSelected(state, ids.weekday, actionId),
        hour: readSelected(state, ids.hour, actionId),
        timeZone: readText(state, ids.timeZone, actionId),
        minGroupSize: readSelected(state, ids.minGroupSize, actionId),
        showIndividuals: readCheckboxes(state, ids.showIndividuals, actionId).includes(
          SHOW_INDIVIDUALS_VALUE,
        ),
      });
      if (!result.ok) return result;
      const saved = await submitCommitteeSettings({
        committees: committeeDeps.committees,
        access: committeeDeps.accessOnSubmit,
        adminUserIds: committeeDeps.adminUserIds,
        channelId,
        committeeId,
        userId,
        settings: result.settings,
        now: clock.now(),
      });
      if (!saved.ok) {
        logger.info({ user: userId, channel: channelId, code: saved.code }, 'committee settings refused');
        return { ok: false, errors: { scope: saved.code } };
      }
      logger.info(
        { committee: saved.committee.id, channel: channelId, created: saved.created },
        'committee settings saved',
      );
      return { ok: true, stored: { ...saved, channelId, userId }, fresh: saved.announce };
    },
    announce: async ({ committee, created, channelId, userId }) => {
      await messenger.post(channelId, buildCommitteeSavedMessage(committee, created, userId));
    },
  });
}
