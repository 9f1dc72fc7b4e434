import type { ActionPlan } from '../../db/schema.js';
import type { KindHandler } from '../reminders/reminders.outbox.js';
import { type PlanDeps, tellManager } from './plans.usecases.js';
import { buildCheckinMessage, buildRemeasureMessage } from './plans.views.js';

/**
 * A plan's check-ins and its re-measure, delivered by the reminders' outbox into the plan's thread:
 * what each says when it is due, registered with the outbox in src/dependencies.ts.
 */
export function planReminderKinds(deps: PlanDeps): Record<'plan_checkin' | 'plan_remeasure', KindHandler> {
  const activePlan = async (planId: number | null) => {
    const plan = planId ? await deps.plans.find(planId) : undefined;
    return plan && plan.state === 'active' ? plan : undefined;
  };
  const destination = (plan: ActionPlan) => ({
    channel: plan.channelId,
    threadTs: plan.threadTs,
    onUndeliverable: (error: string) => tellManager(deps, plan, error),
  });
  return {
    async plan_checkin(reminder) {
      const plan = await activePlan(reminder.planId);
      if (!plan) return { cancel: 'plan_not_active' };
      const sent = await deps.plans.sentCheckins(plan.id);
      const earlier = sent.length >= 2 ? sent[sent.length - 2]?.sentAt : undefined;
      const mentionManager = earlier ? !(await deps.plans.activitySince(plan.id, earlier)) : false;
      return {
        message: buildCheckinMessage(plan, await deps.plans.steps(plan.id), { mentionManager }),
        ...destination(plan),
      };
    },
    async plan_remeasure(reminder) {
      const plan = await activePlan(reminder.planId);
      if (!plan) return { cancel: 'plan_not_active' };
      const start = plan.roundId ? await deps.rounds.findRound(plan.roundId) : undefined;
      return { message: buildRemeasureMessage(plan, start), ...destination(plan) };
    },
  };
}
