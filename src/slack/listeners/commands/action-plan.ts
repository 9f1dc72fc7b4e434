import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { listPlans, preparePlanOpening } from '../../../modules/plans/plans.usecases.js';
import {
  ACTION_PLAN_HELP,
  buildPlanListText,
  buildPlanOpenModal,
} from '../../../modules/plans/plans.views.js';
import { planWords } from '../../../modules/plans/plans.words.js';
import { buildNoticeModal } from '../../../modules/rounds/rounds.views.js';
import { APOLOGIES } from '../../apologies.js';
import type { ListenerDeps } from '../../deps.js';

export const ACTION_PLAN_COMMAND = '/action-plan';

/**
 * If Slack has not said within this long whether the caller may open the plan, a small "checking"
 * modal opens at once (a trigger_id lives 3 seconds) and becomes the form when the answer comes.
 */
const QUICK_CHECK_MS = 1_200;

const SORRY = APOLOGIES.try_again;

export type PlanCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'open'; staffUserId: string; roundId?: number | undefined }
  | { kind: 'invalid' };

/**
 * `/action-plan @someone [round:42] | list | help`. Slack sends mentions as `<@U123|name>`; the
 * plans' use cases get the plain user id.
 */
export function parseActionPlanCommand(text: string): PlanCommand {
  const trimmed = text.trim();
  if (trimmed === '' || /^help$/i.test(trimmed)) return { kind: 'help' };
  if (/^list$/i.test(trimmed)) return { kind: 'list' };
  const match = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>(?:\s+round:(\d{1,9}))?$/.exec(trimmed);
  if (match?.[1])
    return { kind: 'open', staffUserId: match[1], roundId: match[2] ? Number(match[2]) : undefined };
  return { kind: 'invalid' };
}

/**
 * `/action-plan @staff [round:N]`, `list`, `help`. Opening a plan checks roles first (which can take
 * longer than Slack's three seconds, so the command is acknowledged before), then opens the
 * manager's form, where they choose where the plan lives. Nothing is posted where the command was
 * typed: refusals are answered privately through the response URL.
 */
export function actionPlanCommand({ planDeps, logger, seal }: ListenerDeps) {
  return async ({ ack, command, respond, client }: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const parsed = parseActionPlanCommand(command.text);
    if (parsed.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: ACTION_PLAN_HELP });
      return;
    }
    if (parsed.kind === 'invalid') {
      await ack({ response_type: 'ephemeral', text: planWords('command_invalid') });
      return;
    }
    await ack();
    const userId = command.user_id;
    try {
      if (parsed.kind === 'list') {
        const plans = await listPlans(planDeps, userId);
        await respond({ response_type: 'ephemeral', text: buildPlanListText(plans, userId) });
        return;
      }
      const checks = preparePlanOpening(planDeps, {
        callerId: userId,
        staffUserId: parsed.staffUserId,
        roundId: parsed.roundId,
      });
      const quick = await Promise.race([
        checks,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), QUICK_CHECK_MS)),
      ]);
      if (quick) {
        if (!quick.ok)
          await respond({ response_type: 'ephemeral', text: planWords(quick.code, quick.values) });
        else
          await client.views.open({
            trigger_id: command.trigger_id,
            view: seal.seal(buildPlanOpenModal(quick.opening), userId),
          });
        return;
      }
      const opened = await client.views.open({
        trigger_id: command.trigger_id,
        view: buildNoticeModal('Open an action plan', 'Checking with Slack…'),
      });
      const result = await checks;
      const viewId = opened.view?.id;
      if (!viewId) return;
      await client.views.update({
        view_id: viewId,
        view: result.ok
          ? seal.seal(buildPlanOpenModal(result.opening), userId)
          : buildNoticeModal("Can't open a plan", planWords(result.code, result.values)),
      });
    } catch (error) {
      logger.error({ err: error, user: userId }, 'action plan command failed');
      await respond({ response_type: 'ephemeral', text: SORRY }).catch(() => undefined);
    }
  };
}
