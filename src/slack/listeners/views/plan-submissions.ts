import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { addNote, closePlan, type PlanField, writePlan } from '../../../modules/plans/plans.usecases.js';
import { CLOSE_MODAL, NOTE_MODAL, PLAN_MODAL } from '../../../modules/plans/plans.views.js';
import type { ListenerDeps } from '../../deps.js';
import { parseViewState, readChecked, readDate, readSelected, readText } from '../../view-state.js';
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
