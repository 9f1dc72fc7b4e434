import type { KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { Round, RoundResponse } from '../../../src/db/schema.js';
import {
  buildPracticeModal,
  PRACTICE_ACTIONS,
  PRACTICE_MODAL,
} from '../../../src/modules/practices/practices.views.js';
import { PRACTICE_PROMISE } from '../../../src/modules/practices/practices.words.js';
import { buildResponseResultMessage } from '../../../src/modules/rounds/rounds.views.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';

const round = (selfScore: number): Round => ({
  id: 42,
  staffUserId: 'USTAFF',
  customerUserId: 'UCUST',
  customerName: 'Casey',
  customerKey: 'slack:UCUST',
  service: 'Interlibrary loans',
  serviceKey: 'interlibrary loans',
  segment: 'core',
  unit: 'Reference',
  selfScore,
  selfNote: null,
  interviewOn: '2026-12-01',
  status: 'completed',
  sourceViewId: 'V1',
  requestChannelId: null,
  requestTs: null,
  erasedAt: null,
  createdAt: new Date('2026-11-20T10:00:00Z'),
  completedAt: new Date('2026-11-24T10:00:00Z'),
  closedAt: null,
});

const response = (customerScore: number): RoundResponse => ({
  roundId: 42,
  customerScore,
  needFromMe: 'Loans on time.',
  whyDependOnMe: null,
  notAdequatelyProviding: null,
  concentrateOn: null,
  noLongerNeed: null,
  additionalComments: null,
  answeredByUserId: 'UCUST',
  recordedOnBehalf: false,
  shareWithManager: false,
  erasedAt: null,
  sourceViewId: 'V2',
  createdAt: new Date('2026-11-24T10:00:00Z'),
});

const shareButtons = (blocks: KnownBlock[]) =>
  blocks
    .flatMap((block) => (block.type === 'actions' ? block.elements : []))
    .filter((element) => 'action_id' in element && element.action_id === PRACTICE_ACTIONS.share)
    .map((element) => ('value' in element ? element.value : undefined));

describe('the invitation to share a best practice', () => {
  it('is on a hidden strength’s result (customer 3 or more above the self-rating), with the round’s button', () => {
    for (const [self, customer] of [
      [5, 8],
      [1, 10],
    ] as const) {
      const message = buildResponseResultMessage(round(self), response(customer));
      expectWithinBlockKitLimits('message', message);
      expect(shareButtons(message.blocks)).toEqual(['42']);
      expect(JSON.stringify(message.blocks)).toContain('What are you doing well');
    }
  });

  it('is not on an ordinary result, nor on a blind spot’s', () => {
    for (const [self, customer] of [
      [5, 7],
      [7, 7],
      [8, 5],
    ] as const) {
      const message = buildResponseResultMessage(round(self), response(customer));
      expectWithinBlockKitLimits('message', message);
      expect(shareButtons(message.blocks)).toEqual([]);
      expect(JSON.stringify(message.blocks)).not.toContain('What are you doing well');
    }
  });
});

describe('the best practice form', () => {
  it('asks the three questions, says who sees it and that it can be withdrawn, within Slack’s limits', () => {
    const modal = buildPracticeModal({ unit: null, service: null, roundId: undefined });
    expectWithinBlockKitLimits('modal', modal);
    expect(modal.callback_id).toBe(PRACTICE_MODAL.callbackId);
    const blockIds = modal.blocks.map((block) => block.block_id).filter(Boolean);
    expect(blockIds).toEqual(expect.arrayContaining(Object.values(PRACTICE_MODAL.blocks)));
    const text = JSON.stringify(modal);
    expect(text).toContain(PRACTICE_PROMISE);
    expect(PRACTICE_PROMISE).toMatch(/with your name/);
    expect(PRACTICE_PROMISE).toMatch(/committees/);
    expect(PRACTICE_PROMISE).toMatch(/Home tab/);
    expect(PRACTICE_PROMISE).toMatch(/withdraw/);
  });
});
