import { describe, expect, it } from 'vitest';
import type { ActionPlan, PlanStep, Round, RoundResponse } from '../../../src/db/schema.js';
import { parseActionPlanCommand } from '../../../src/modules/plans/plans.usecases.js';
import {
  buildBeforeAfterMessage,
  buildCheckinMessage,
  buildClosedMessage,
  buildCloseModal,
  buildNoteMessage,
  buildNoteModal,
  buildPlanMessage,
  buildPlanModal,
  buildPlanParentMessage,
  buildRemeasureMessage,
  buildSharedAnswersMessage,
  buildWritePromptMessage,
  PLAN_LIMITS,
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
    expectWithinBlockKitLimits('modal', buildPlanModal(plan, { remeasureOn: '2027-01-25', hasRound: true }));
    expectWithinBlockKitLimits('modal', buildPlanModal(plan, { remeasureOn: '2027-01-25', hasRound: false }));
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

describe('/action-plan text', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['LIST', { kind: 'list' }],
    ['<@U012ABC|sam>', { kind: 'open', staffUserId: 'U012ABC' }],
    ['<@W012ABC>  round:42', { kind: 'open', staffUserId: 'W012ABC', roundId: 42 }],
    ['@sam', { kind: 'invalid' }],
    ['<@U012ABC|sam> round:abc', { kind: 'invalid' }],
    ['<@U012ABC|sam> <@U999>', { kind: 'invalid' }],
  ])('%j', (text, expected) => {
    expect(parseActionPlanCommand(text)).toMatchObject(expected);
  });
});
