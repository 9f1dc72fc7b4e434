import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
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
import type { ListenerDeps } from '../../deps.js';
import {
  parseViewState,
  readChecked,
  readConversation,
  readDate,
  readSelected,
  readText,
} from '../../view-state.js';
import { TRY_AGAIN } from './round-submission.js';

type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;
const planMetadata = z.object({ planId: z.number().int().positive().max(2_147_483_647) });
/** Posts into the thread after the form is acknowledged; a failure there must not ack twice. */
async function afterAck(
  after: (() => Promise<void>) | undefined,
  logger: ListenerDeps['logger'],
): Promise<void> {
  try {
    await after?.();
  } catch (error) {
    logger.error({ err: error }, 'posting into the plan thread failed');
  }
}

const OUT_OF_DATE = 'This form is out of date. Close it and press the button in the thread again.';

/**
 * The plan a form acts on: from metadata this server sealed for this form and this person, or none.
 * The use case then checks the submitter against the stored plan (and a manager's role) now.
 */
function sealedPlanId(
  { seal, logger }: ListenerDeps,
  view: ViewArgs['view'],
  callbackId: string,
  userId: string,
): number | undefined {
  const sealed = seal.read(view.private_metadata, callbackId, userId, planMetadata);
  if (sealed.ok) return sealed.metadata.planId;
  logger.warn(
    { user: userId, form: callbackId, reason: sealed.reason },
    'refused a form the server did not open for this person',
  );
  return undefined;
}

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
      if (!acked) await ack({ response_action: 'errors', errors: { [ids.channel]: TRY_AGAIN } });
    }
  };
}

export function planWriteSubmission(deps: ListenerDeps) {
  const { planDeps, clock, logger } = deps;
  return async ({ ack, body, view }: ViewArgs) => {
    const { blocks: ids, actionId } = PLAN_MODAL;
    const planId = sealedPlanId(deps, view, PLAN_MODAL.callbackId, body.user.id);
    if (!planId) {
      await ack({ response_action: 'errors', errors: { [ids.strengths]: OUT_OF_DATE } });
      return;
    }
    const state = parseViewState(view.state?.values);
    try {
      const result = await writePlan(planDeps, {
        planId,
        userId: body.user.id,
        sourceViewId: view.id,
        now: clock.now(),
        draft: {
          strengths: readText(state, ids.strengths, actionId),
          improvements: readText(state, ids.improvements, actionId),
          steps: readText(state, ids.steps, actionId),
          successMeasure: readText(state, ids.successMeasure, actionId),
          checkinEvery: readSelected(state, ids.checkinEvery, actionId),
          remeasureOn: readDate(state, ids.remeasureOn, actionId),
          share: readChecked(state, ids.share, actionId).includes(PLAN_MODAL.shareValue),
        },
      });
      if (result.ok) {
        await ack();
        await afterAck(result.after, logger);
        return;
      }
      const block: Record<PlanField, string> = {
        strengths: ids.strengths,
        improvements: ids.improvements,
        steps: ids.steps,
        successMeasure: ids.successMeasure,
        checkinEvery: ids.checkinEvery,
        remeasureOn: ids.remeasureOn,
        share: ids.share,
        form: ids.strengths,
      };
      const errors: Record<string, string> = {};
      for (const [field, message] of Object.entries(result.errors))
        errors[block[field as PlanField]] = message;
      await ack({ response_action: 'errors', errors });
    } catch (error) {
      logger.error({ err: error, user: body.user.id, plan: planId }, 'could not store the plan');
      await ack({ response_action: 'errors', errors: { [ids.strengths]: TRY_AGAIN } });
    }
  };
}

export function planNoteSubmission(deps: ListenerDeps) {
  const { planDeps, clock, logger } = deps;
  return async ({ ack, body, view }: ViewArgs) => {
    const planId = sealedPlanId(deps, view, NOTE_MODAL.callbackId, body.user.id);
    if (!planId) {
      await ack({ response_action: 'errors', errors: { [NOTE_MODAL.block]: OUT_OF_DATE } });
      return;
    }
    try {
      const result = await addNote(planDeps, {
        planId,
        userId: body.user.id,
        text: readText(parseViewState(view.state?.values), NOTE_MODAL.block, NOTE_MODAL.actionId),
        sourceViewId: view.id,
        now: clock.now(),
      });
      await ack(
        result.ok ? undefined : { response_action: 'errors', errors: { [NOTE_MODAL.block]: result.text } },
      );
      if (result.ok) await afterAck(result.after, logger);
    } catch (error) {
      logger.error({ err: error, user: body.user.id }, 'could not add a note');
      await ack({ response_action: 'errors', errors: { [NOTE_MODAL.block]: TRY_AGAIN } });
    }
  };
}

export function planCloseSubmission(deps: ListenerDeps) {
  const { planDeps, clock, logger } = deps;
  return async ({ ack, body, view }: ViewArgs) => {
    const { blocks: ids, actionId } = CLOSE_MODAL;
    const planId = sealedPlanId(deps, view, CLOSE_MODAL.callbackId, body.user.id);
    if (!planId) {
      await ack({ response_action: 'errors', errors: { [ids.outcome]: OUT_OF_DATE } });
      return;
    }
    try {
      const state = parseViewState(view.state?.values);
      const result = await closePlan(planDeps, {
        planId,
        userId: body.user.id,
        outcome: readSelected(state, ids.outcome, actionId),
        note: readText(state, ids.note, actionId),
        now: clock.now(),
      });
      await ack(
        result.ok
          ? undefined
          : {
              response_action: 'errors',
              errors: { [result.field === 'note' ? ids.note : ids.outcome]: result.text },
            },
      );
      if (result.ok) await afterAck(result.after, logger);
    } catch (error) {
      logger.error({ err: error, user: body.user.id }, 'could not close the plan');
      await ack({ response_action: 'errors', errors: { [ids.outcome]: TRY_AGAIN } });
    }
  };
}
