import { describe, expect, it } from 'vitest';
import type { ActionPlan, PlanStep, Round, RoundResponse } from '../../../src/db/schema.js';
import {
  buildBeforeAfterMessage,
  buildCheckinMessage,
  buildClosedMessage,
  buildCloseModal,
  buildNoteMessage,
  buildNoteModal,
  buildPlanMessage,
  buildPlanModal,
  buildPlanOpenModal,
  buildPlanParentMessage,
  buildRemeasureMessage,
  buildSharedAnswersMessage,
  buildWritePromptMessage,
  PLAN_LIMITS,
  PLAN_MODAL,
  PLAN_OPEN_MODAL,
} from '../../../src/modules/plans/plans.views.js';
import { LIMITS } from '../../../src/modules/rounds/rounds.content.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';

const worst = (length: number) => '&<>😀'.repeat(Math.ceil(length / 4)).slice(0, length);

const plan: ActionPlan = {
  id: 2_147_483_647,
  staffUserId: 'U0123456789',
  managerUserId: 'U0987654321',
  roundId: 1,
  channelId: 'C0123456789',
  threadTs: '1795616615.000001',
  state: 'closed',
  strengths: worst(PLAN_LIMITS.prompt),
  improvements: worst(PLAN_LIMITS.prompt),
  successMeasure: worst(PLAN_LIMITS.prompt),
  checkinEveryDays: 14,
  remeasureOn: '2027-01-25',
  sharedCustomerAnswers: true,
  planMessageTs: '1795616615.000002',
  remeasureRoundId: 2,
  outcome: 'improved',
  outcomeNote: worst(PLAN_LIMITS.note),
  sourceViewId: 'V1',
  createdAt: new Date(),
  writtenAt: new Date(),
  closedAt: new Date(),
};

const steps: PlanStep[] = Array.from({ length: PLAN_LIMITS.maxSteps }, (_, i) => ({
  id: 1000 + i,
  planId: plan.id,
  position: i + 1,
  text: worst(PLAN_LIMITS.step),
  doneAt: i % 2 ? new Date() : null,
  doneByUserId: i % 2 ? 'U0123456789' : null,
}));

const round: Round = {
  id: 1,
  staffUserId: plan.staffUserId,
  customerUserId: null,
  customerName: worst(LIMITS.customerName),
  customerKey: 'name:x',
  service: worst(LIMITS.service),
  serviceKey: 'x',
  segment: 'core',
  unit: 'Reference',
  selfScore: 9,
  selfNote: null,
  interviewOn: '2026-11-24',
  status: 'completed',
  sourceViewId: 'V',
  requestChannelId: null,
  requestTs: null,
  erasedAt: null,
  createdAt: new Date(),
  completedAt: new Date(),
  closedAt: null,
};
const response: RoundResponse = {
  roundId: 1,
  customerScore: 2,
  needFromMe: worst(LIMITS.answer),
  whyDependOnMe: worst(LIMITS.answer),
  notAdequatelyProviding: worst(LIMITS.answer),
  concentrateOn: worst(LIMITS.answer),
  noLongerNeed: worst(LIMITS.answer),
  additionalComments: null,
  answeredByUserId: 'U1',
  recordedOnBehalf: true,
  shareWithManager: false,
  erasedAt: null,
  sourceViewId: 'VR',
  createdAt: new Date(),
};

describe('action plan views stay within Block Kit limits, with the longest content', () => {
  it('messages', () => {
    const start = { round, response };
    for (const message of [
      buildPlanParentMessage(plan, start),
      buildPlanParentMessage(plan, undefined),
      buildWritePromptMessage(plan),
      buildPlanMessage(plan, steps),
      buildSharedAnswersMessage(plan, round, response),
      buildCheckinMessage(plan, steps, { mentionManager: true }),
      buildCheckinMessage(
        plan,
        steps.map((step) => ({ ...step, doneAt: new Date(), doneByUserId: 'U1' })),
        { mentionManager: false },
      ),
      buildRemeasureMessage(plan, round),
      buildRemeasureMessage(plan, undefined),
      buildBeforeAfterMessage(plan, start, start),
      buildBeforeAfterMessage(plan, undefined, start),
      buildNoteMessage('U1', worst(PLAN_LIMITS.note)),
      buildClosedMessage(plan, 'U1'),
    ]) {
      expectWithinBlockKitLimits('message', message);
    }
  });

  it('modals', () => {
    expectWithinBlockKitLimits('modal', buildPlanModal(plan, { remeasureOn: '2027-01-25', canShare: true }));
    expectWithinBlockKitLimits('modal', buildPlanModal(plan, { remeasureOn: '2027-01-25', canShare: false }));
    for (const start of [{ round, response }, undefined])
      for (const managerUserId of [plan.managerUserId, plan.staffUserId])
        expectWithinBlockKitLimits(
          'modal',
          buildPlanOpenModal({ staffUserId: plan.staffUserId, managerUserId, start }),
        );
    expectWithinBlockKitLimits('modal', buildNoteModal(plan));
    expectWithinBlockKitLimits('modal', buildCloseModal(plan));
  });

  it('the parent message carries scores, never the customer’s words', () => {
    const text = JSON.stringify(
      buildPlanParentMessage(plan, { round, response: { ...response, needFromMe: 'SECRET' } }),
    );
    expect(text).not.toContain('SECRET');
    expect(text).toContain('2/10');
  });
});

describe('the customer is never named in a plan, and their words are shared only with their agreement', () => {
  const named = { ...round, customerName: 'Casey Customer', customerUserId: 'UCASEY' };
  const start = { round: named, response };

  it('no builder of the plan’s messages or forms names the customer', () => {
    for (const payload of [
      buildPlanParentMessage(plan, start),
      buildPlanOpenModal({ staffUserId: plan.staffUserId, managerUserId: plan.managerUserId, start }),
      buildSharedAnswersMessage(plan, named, response),
      buildRemeasureMessage(plan, named),
      buildBeforeAfterMessage(plan, start, start),
      buildPlanModal(plan, { remeasureOn: '2027-01-25', canShare: true }),
    ]) {
      const text = JSON.stringify(payload);
      expect(text).not.toContain('Casey');
      expect(text).not.toContain('UCASEY');
    }
  });

  it('offers the share only when it is allowed, and says why not otherwise', () => {
    const allowed = buildPlanModal(plan, { remeasureOn: '2027-01-25', canShare: true });
    const refused = buildPlanModal(plan, { remeasureOn: '2027-01-25', canShare: false });
    const ids = (view: { blocks: { block_id?: string }[] }) => view.blocks.map((block) => block.block_id);
    expect(ids(allowed)).toContain(PLAN_MODAL.blocks.share);
    expect(ids(refused)).not.toContain(PLAN_MODAL.blocks.share);
    expect(JSON.stringify(refused)).not.toContain(PLAN_MODAL.shareValue);
    expect(JSON.stringify(refused)).toContain('needs the customer');
  });

  it('the opening form lists private channels only, and says where the plan lives', () => {
    const view = buildPlanOpenModal({ staffUserId: 'USAM', managerUserId: 'UMORGAN', start });
    const picker = view.blocks.find((block) => block.block_id === PLAN_OPEN_MODAL.blocks.channel) as {
      optional?: boolean;
      element?: Record<string, unknown>;
    };
    expect(picker.optional).toBe(true);
    expect(picker.element).toMatchObject({
      type: 'conversations_select',
      filter: { include: ['private'], exclude_bot_users: true },
    });
    expect(JSON.stringify(view)).toContain('a group DM of you, <@USAM> and Service Radar');
    expect(JSON.stringify(view)).toContain('Never in a public channel');
  });
});
