import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import {
  defaultRemeasureOn,
  markStepDone,
  type PlanSaid,
  planForStaff,
  planForStaffOrManager,
  shareableAnswers,
} from '../../../modules/plans/plans.usecases.js';
import { buildCloseModal, buildNoteModal, buildPlanModal } from '../../../modules/plans/plans.views.js';
import { planWords } from '../../../modules/plans/plans.words.js';
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
        : buildNoticeModal('Out of date', planWords('button_out_of_date'));
      await client.views.open({ trigger_id: body.trigger_id, view });
    } catch (error) {
      deps.logger.error({ err: error, user: body.user.id, action: action.action_id }, 'plan button failed');
    }
  };
}

export const writePlanAction = (deps: ListenerDeps) =>
  opensModal(deps, async (planId, userId) => {
    const owned = await planForStaff(deps.planDeps, planId, userId);
    if (!owned.ok) return buildNoticeModal("Can't write this", planWords(owned.code, owned.values));
    if (owned.plan.state !== 'awaiting_plan')
      return buildNoticeModal('Already written', planWords('already_written'));
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
    return allowed.ok
      ? buildNoteModal(allowed.plan)
      : buildNoticeModal("Can't add a note", planWords(allowed.code, allowed.values));
  });

export const closePlanAction = (deps: ListenerDeps) =>
  opensModal(deps, async (planId, userId) => {
    const allowed = await planForStaffOrManager(deps.planDeps, planId, userId);
    return allowed.ok
      ? buildCloseModal(allowed.plan)
      : buildNoticeModal("Can't close this", planWords(allowed.code, allowed.values));
  });

/** The re-measure: the round modal, prefilled with the plan's customer and service. */
export const startRemeasureAction = (deps: ListenerDeps) =>
  opensModal(deps, async (planId, userId) => {
    const owned = await planForStaff(deps.planDeps, planId, userId);
    if (!owned.ok) return buildNoticeModal("Can't start this", planWords(owned.code, owned.values));
    if (owned.plan.state !== 'active') return buildNoticeModal('Not active', planWords('plan_not_active'));
    const defaults = await prepareRoundForm({
      rounds: deps.rounds,
      clock: deps.clock,
      staffUserId: userId,
      timeZone: deps.libraryTimeZone,
      links: deps.patronLinkSettings,
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
      const said: PlanSaid = stepId
        ? await markStepDone(deps.planDeps, { stepId, userId: body.user.id, now: deps.clock.now() })
        : { ok: false, code: 'button_out_of_date' };
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: planWords(said.code, said.values),
      });
    } catch (error) {
      deps.logger.error({ err: error, user: body.user.id }, 'marking a step failed');
    }
  };
}
