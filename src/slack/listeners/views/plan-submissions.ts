import { z } from 'zod';
import {
  addNote,
  announceNoteAdded,
  announcePlanClosed,
  announcePlanWritten,
  checkPlanPlace,
  closePlan,
  openPlan,
  type PlanField,
  writePlan,
} from '../../../modules/plans/plans.usecases.js';
import { CLOSE_MODAL, NOTE_MODAL, PLAN_MODAL, PLAN_OPEN_MODAL } from '../../../modules/plans/plans.views.js';
import { type PlanCode, type PlanValues, planWords } from '../../../modules/plans/plans.words.js';
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
const OUT_OF_DATE = planWords('form_out_of_date');

/** The words of a plan form's refusal codes. */
const words = (code: string, values?: PlanValues) => planWords(code as PlanCode, values);

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
        errors: { [ids.channel]: planWords('open_form_out_of_date') },
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
        await ack({
          response_action: 'errors',
          errors: { [ids.channel]: planWords(checked.code, checked.values) },
        });
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
        view: buildNoticeModal(
          said.ok ? 'Plan opened' : "Couldn't open the plan",
          planWords(said.code, said.values),
        ),
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

export function planWriteSubmission(deps: ListenerDeps) {
  const { planDeps, clock } = deps;
  return viewSubmission(deps, {
    form: PLAN_MODAL.callbackId,
    metadata: planMetadata,
    formBlock: planIds.strengths,
    outOfDate: OUT_OF_DATE,
    blocks: planBlocks,
    words,
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
      return result.ok ? { ok: true, stored: result, fresh: result.created } : result;
    },
    announce: (written) => announcePlanWritten(planDeps, written),
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
    words,
    failure: 'could not add a note',
    save: async ({ userId, metadata, state, view }) => {
      const result = await addNote(planDeps, {
        planId: metadata.planId,
        userId,
        text: readText(state, NOTE_MODAL.block, NOTE_MODAL.actionId),
        sourceViewId: view.id,
        now: clock.now(),
      });
      return result.ok ? { ok: true, stored: result, fresh: result.created } : result;
    },
    announce: (note) => announceNoteAdded(planDeps, note),
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
    words,
    failure: 'could not close the plan',
    save: async ({ userId, metadata, state }) => {
      const result = await closePlan(planDeps, {
        planId: metadata.planId,
        userId,
        outcome: readSelected(state, ids.outcome, actionId),
        note: readText(state, ids.note, actionId),
        now: clock.now(),
      });
      // Closed already (the same form again): nothing more to say in the thread.
      return result.ok ? { ok: true, stored: result.closed, fresh: result.closed !== undefined } : result;
    },
    announce: async (closed) => {
      if (closed) await announcePlanClosed(planDeps, closed);
    },
  });
}
