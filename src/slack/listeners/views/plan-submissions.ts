import { z } from 'zod';
import {
  addNote,
  checkPlanPlace,
  closePlan,
  openPlan,
  type PlanField,
  writePlan,
} from '../../../modules/plans/plans.usecases.js';
import { CLOSE_MODAL, NOTE_MODAL, PLAN_MODAL, PLAN_OPEN_MODAL } from '../../../modules/plans/plans.views.js';
import { buildNoticeModal } from '../../../modules/rounds/rounds.views.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';
import {
  parseViewState,
  readChecked,
  readConversation,
  readDate,
  readSelected,
  readText,
} from '../../view-state.js';
import { type ViewArgs, viewSubmission } from '../../view-submission.js';

const planMetadata = z.object({ planId: z.number().int().positive().max(2_147_483_647) });
const OUT_OF_DATE = 'This form is out of date. Close it and press the button in the thread again.';

const openMetadata = z.object({
  staffUserId: z.string().regex(/^[UW][A-Z0-9]{2,}$/),
  roundId: z.number().int().positive().max(2_147_483_647).nullable(),
});

/**
 * The manager's form: where the plan lives. Before the acknowledgement, the manager's role and the
 * chosen channel are checked with Slack (a public channel, or one the app is not in, is refused on
 * the field). Then the form says it is opening the plan, and after the acknowledgement the group DM
 * is opened, the parent posted and the plan stored; the form then says where it is, or why not.
 */
export function planOpenSubmission(deps: ListenerDeps) {
  const { planDeps, clock, logger, seal } = deps;
  return async ({ ack, body, view, client }: ViewArgs) => {
    const { blocks: ids, actionId } = PLAN_OPEN_MODAL;
    const userId = body.user.id;
    const sealed = seal.read(view.private_metadata, PLAN_OPEN_MODAL.callbackId, userId, openMetadata);
    if (!sealed.ok) {
      logger.warn(
        { user: userId, form: PLAN_OPEN_MODAL.callbackId, reason: sealed.reason },
        'refused a form the server did not open for this person',
      );
      await ack({
        response_action: 'errors',
        errors: { [ids.channel]: 'This form is out of date. Close it and type /action-plan again.' },
      });
      return;
    }
    const { staffUserId, roundId } = sealed.metadata;
    let acked = false;
    try {
      const checked = await checkPlanPlace(planDeps, {
        callerId: userId,
        staffUserId,
        channelId: readConversation(parseViewState(view.state?.values), ids.channel, actionId),
      });
      if (!checked.ok) {
        await ack({ response_action: 'errors', errors: { [ids.channel]: checked.text } });
        return;
      }
      await ack({
        response_action: 'update',
        view: buildNoticeModal('Opening the plan', 'Opening the plan…'),
      });
      acked = true;
      const said = await openPlan(planDeps, {
        callerId: userId,
        staffUserId,
        roundId,
        place: checked.place,
        now: clock.now(),
      });
      await client.views.update({
        view_id: view.id,
        view: buildNoticeModal(said.ok ? 'Plan opened' : "Couldn't open the plan", said.text),
      });
    } catch (error) {
      logger.error({ err: error, user: userId }, 'could not open the plan');
      if (!acked)
        await ack({ response_action: 'errors', errors: { [ids.channel]: APOLOGIES.try_again_kept } });
    }
  };
}

const { blocks: planIds, actionId: planAction } = PLAN_MODAL;
const planBlocks: Record<PlanField, string> = {
  strengths: planIds.strengths,
  improvements: planIds.improvements,
  steps: planIds.steps,
  successMeasure: planIds.successMeasure,
  checkinEvery: planIds.checkinEvery,
  remeasureOn: planIds.remeasureOn,
  share: planIds.share,
  form: planIds.strengths,
};

/** The plan's sentences are already words (src/modules/plans); the skeleton shows them as they are. */
const asSaid = (text: string) => text;

/** After the acknowledgement, a plan's forms post into its thread. */
const postAfter = async (stored: { after?: (() => Promise<void>) | undefined }) => {
  await stored.after?.();
};

export function planWriteSubmission(deps: ListenerDeps) {
  const { planDeps, clock } = deps;
  return viewSubmission(deps, {
    form: PLAN_MODAL.callbackId,
    metadata: planMetadata,
    formBlock: planIds.strengths,
    outOfDate: OUT_OF_DATE,
    blocks: planBlocks,
    words: asSaid,
    failure: 'could not store the plan',
    logged: ({ planId }) => ({ plan: planId }),
    save: async ({ userId, metadata, state, view }) => {
      const result = await writePlan(planDeps, {
        planId: metadata.planId,
        userId,
        sourceViewId: view.id,
        now: clock.now(),
        draft: {
          strengths: readText(state, planIds.strengths, planAction),
          improvements: readText(state, planIds.improvements, planAction),
          steps: readText(state, planIds.steps, planAction),
          successMeasure: readText(state, planIds.successMeasure, planAction),
          checkinEvery: readSelected(state, planIds.checkinEvery, planAction),
          remeasureOn: readDate(state, planIds.remeasureOn, planAction),
          share: readChecked(state, planIds.share, planAction).includes(PLAN_MODAL.shareValue),
        },
      });
      return result.ok ? { ok: true, stored: result, fresh: true } : result;
    },
    announce: postAfter,
  });
}

export function planNoteSubmission(deps: ListenerDeps) {
  const { planDeps, clock } = deps;
  return viewSubmission(deps, {
    form: NOTE_MODAL.callbackId,
    metadata: planMetadata,
    formBlock: NOTE_MODAL.block,
    outOfDate: OUT_OF_DATE,
    blocks: { note: NOTE_MODAL.block },
    words: asSaid,
    failure: 'could not add a note',
    save: async ({ userId, metadata, state, view }) => {
      const result = await addNote(planDeps, {
        planId: metadata.planId,
        userId,
        text: readText(state, NOTE_MODAL.block, NOTE_MODAL.actionId),
        sourceViewId: view.id,
        now: clock.now(),
      });
      return result.ok
        ? { ok: true, stored: result, fresh: true }
        : { ok: false, errors: { note: result.text } };
    },
    announce: postAfter,
  });
}

export function planCloseSubmission(deps: ListenerDeps) {
  const { planDeps, clock } = deps;
  const { blocks: ids, actionId } = CLOSE_MODAL;
  return viewSubmission(deps, {
    form: CLOSE_MODAL.callbackId,
    metadata: planMetadata,
    formBlock: ids.outcome,
    outOfDate: OUT_OF_DATE,
    blocks: { outcome: ids.outcome, note: ids.note },
    words: asSaid,
    failure: 'could not close the plan',
    save: async ({ userId, metadata, state }) => {
      const result = await closePlan(planDeps, {
        planId: metadata.planId,
        userId,
        outcome: readSelected(state, ids.outcome, actionId),
        note: readText(state, ids.note, actionId),
        now: clock.now(),
      });
      if (result.ok) return { ok: true, stored: result, fresh: true };
      return { ok: false, errors: { [result.field === 'note' ? 'note' : 'outcome']: result.text } };
    },
    announce: postAfter,
  });
}
