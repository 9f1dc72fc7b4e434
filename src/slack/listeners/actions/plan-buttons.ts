import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import {
  defaultRemeasureOn,
  markStepDone,
  planForStaff,
  planForStaffOrManager,
  shareableAnswers,
} from '../../../modules/plans/plans.usecases.js';
import { buildCloseModal, buildNoteModal, buildPlanModal } from '../../../modules/plans/plans.views.js';
import { prepareRoundForm } from '../../../modules/rounds/rounds.usecases.js';
import { buildNoticeModal, buildRoundModal } from '../../../modules/rounds/rounds.views.js';
import type { ListenerDeps } from '../../deps.js';
import { parseRoundId as parseId } from './answer-round.js';
import { noReply } from './reminder-buttons.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/**
 * A button that opens a modal for someone allowed to press it, or a notice saying why not. The
 * modal's metadata is sealed for the person who pressed it.
 */
function opensModal(deps: ListenerDeps, build: (id: number, userId: string) => Promise<ModalView>) {
  return async ({ ack, body, action, client }: ButtonArgs) => {
    await ack();
    try {
      const id = parseId(action.value);
      const view = id
        ? deps.seal.seal(await build(id, body.user.id), body.user.id)
        : buildNoticeModal('Out of date', 'That button is out of date.');
      await client.views.open({ trigger_id: body.trigger_id, view });
    } catch (error) {
      deps.logger.error({ err: error, user: body.user.id, action: action.action_id }, 'plan button failed');
    }
  };
}

export const writePlanAction = (deps: ListenerDeps) =>
  opensModal(deps, async (planId, userId) => {
    const owned = await planForStaff(deps.planDeps, planId, userId);
    if (!owned.ok) return buildNoticeModal("Can't write this", owned.text);
    if (owned.plan.state !== 'awaiting_plan')
      return buildNoticeModal('Already written', 'This plan has already been written.');
    const [person, shareable] = await Promise.all([
      deps.directory.lookup(userId).catch(() => undefined),
      shareableAnswers(deps.planDeps, owned.plan),
    ]);
    return buildPlanModal(owned.plan, {
      remeasureOn: defaultRemeasureOn(deps.clock.now(), person?.tz ?? null),
      // Only with the customer's agreement is there anything to share.
      canShare: shareable !== undefined,
    });
  });

export const addNoteAction = (deps: ListenerDeps) =>
  opensModal(deps, async (planId, userId) => {
    const allowed = await planForStaffOrManager(deps.planDeps, planId, userId);
    return allowed.ok ? buildNoteModal(allowed.plan) : buildNoticeModal("Can't add a note", allowed.text);
  });

export const closePlanAction = (deps: ListenerDeps) =>
  opensModal(deps, async (planId, userId) => {
    const allowed = await planForStaffOrManager(deps.planDeps, planId, userId);
    return allowed.ok ? buildCloseModal(allowed.plan) : buildNoticeModal("Can't close this", allowed.text);
  });

/** The re-measure: the round modal, prefilled with the plan's customer and service. */
export const startRemeasureAction = (deps: ListenerDeps) =>
  opensModal(deps, async (planId, userId) => {
    const owned = await planForStaff(deps.planDeps, planId, userId);
    if (!owned.ok) return buildNoticeModal("Can't start this", owned.text);
    if (owned.plan.state !== 'active') return buildNoticeModal('Not active', 'This plan is not active.');
    const defaults = await prepareRoundForm({
      rounds: deps.rounds,
      clock: deps.clock,
      staffUserId: userId,
      timeZone: deps.libraryTimeZone,
      fromRoundId: owned.plan.roundId ?? undefined,
    });
    return buildRoundModal(defaults, { planId });
  });

/** "Mark done": the staff member or the manager; twice marks once. */
export function markStepAction(deps: ListenerDeps) {
  return async ({ ack, body, action, respond: boltRespond }: ButtonArgs) => {
    await ack();
    const respond = boltRespond ?? noReply;
    try {
      const stepId = parseId(action.value);
      const said = stepId
        ? await markStepDone(deps.planDeps, { stepId, userId: body.user.id, now: deps.clock.now() })
        : ({ ok: false, text: 'That button is out of date.' } as const);
      await respond({ response_type: 'ephemeral', replace_original: false, text: said.text });
    } catch (error) {
      deps.logger.error({ err: error, user: body.user.id }, 'marking a step failed');
    }
  };
}
