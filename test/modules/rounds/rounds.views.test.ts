import type { RichTextBlock, RichTextSection } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { Round, RoundResponse } from '../../../src/db/schema.js';
import { INTERVIEW_QUESTIONS, LIMITS } from '../../../src/modules/rounds/rounds.content.js';
import { classifyGap, gapOf } from '../../../src/modules/rounds/rounds.gap.js';
import { MAX_SUGGESTED_SERVICES } from '../../../src/modules/rounds/rounds.usecases.js';
import {
  buildCustomerRequestMessage,
  buildCustomerThanksMessage,
  buildNoticeModal,
  buildResponseModal,
  buildResponseResultMessage,
  buildRoundModal,
  buildRoundStartedMessage,
  buildUnknownRateServiceMessage,
  RATE_SERVICE_HELP,
  RESPONSE_MODAL,
  ROUND_MODAL,
} from '../../../src/modules/rounds/rounds.views.js';
import { blockKitViolations, expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { visibleText } from '../../helpers/slack-text.js';

/** The longest, most awkward values the forms accept: every limit hit, with characters that grow when escaped. */
const worst = (length: number, unit = '&<>😀') =>
  unit.repeat(Math.ceil(length / Array.from(unit).length)).slice(0, length);

const round = (overrides: Partial<Round> = {}): Round => ({
  id: 2_147_483_647,
  staffUserId: 'U0123456789',
  customerUserId: 'U0987654321',
  customerName: worst(LIMITS.customerName),
  customerKey: 'slack:U0987654321',
  service: worst(LIMITS.service),
  serviceKey: 'x',
  segment: 'core',
  unit: worst(LIMITS.unit),
  selfScore: 10,
  selfNote: worst(LIMITS.selfNote),
  interviewOn: '2026-12-31',
  status: 'awaiting_customer',
  sourceViewId: 'V1',
  requestChannelId: null,
  requestTs: null,
  erasedAt: null,
  createdAt: new Date(),
  completedAt: null,
  closedAt: null,
  ...overrides,
});

const response = (overrides: Partial<RoundResponse> = {}): RoundResponse => ({
  roundId: 1,
  customerScore: 1,
  needFromMe: worst(LIMITS.answer),
  whyDependOnMe: worst(LIMITS.answer, '&'),
  notAdequatelyProviding: worst(LIMITS.answer, '\n>'),
  concentrateOn: worst(LIMITS.answer, '<'),
  noLongerNeed: worst(LIMITS.answer),
  additionalComments: worst(LIMITS.answer),
  answeredByUserId: 'U0987654321',
  recordedOnBehalf: false,
  shareWithManager: false,
  erasedAt: null,
  sourceViewId: 'V2',
  createdAt: new Date(),
  ...overrides,
});

describe('round views stay within Block Kit limits', () => {
  it('the self-rating modal, first time and with the most services it offers', () => {
    expectWithinBlockKitLimits(
      'modal',
      buildRoundModal({ unit: null, previousServices: [], interviewOn: '2026-12-02' }),
    );
    const services = Array.from(
      { length: MAX_SUGGESTED_SERVICES },
      (_, i) => `${i}${worst(LIMITS.service - 2)}`,
    );
    expectWithinBlockKitLimits(
      'modal',
      buildRoundModal({ unit: worst(LIMITS.unit), previousServices: services, interviewOn: '2026-12-02' }),
    );
  });

  it('the self-rating modal offers a link to outside customers only when links can be made, link first', () => {
    const withLinks = buildRoundModal({
      unit: worst(LIMITS.unit),
      previousServices: [],
      interviewOn: '2026-12-02',
      linksOffered: true,
    });
    expectWithinBlockKitLimits('modal', withLinks);
    const choice = withLinks.blocks.find((b) => b.block_id === ROUND_MODAL.blocks.answerBy) as {
      element: { initial_option: { value: string }; options: { value: string }[] };
    };
    expect(choice.element.options.map((o) => o.value)).toEqual(['link', 'record']);
    expect(choice.element.initial_option.value).toBe('link');
    const without = buildRoundModal({ unit: null, previousServices: [], interviewOn: '2026-12-02' });
    expect(without.blocks.some((b) => b.block_id === ROUND_MODAL.blocks.answerBy)).toBe(false);
  });

  it('the response modal, for a customer and on their behalf', () => {
    expectWithinBlockKitLimits('modal', buildResponseModal({ round: round(), onBehalf: false }));
    expectWithinBlockKitLimits(
      'modal',
      buildResponseModal({ round: round(), onBehalf: false, staffName: worst(200) }),
    );
    expectWithinBlockKitLimits(
      'modal',
      buildResponseModal({ round: round({ customerUserId: null }), onBehalf: true }),
    );
  });

  it('every message, with the longest content', () => {
    for (const r of [round(), round({ customerUserId: null })]) {
      expectWithinBlockKitLimits('message', buildCustomerRequestMessage(r));
      expectWithinBlockKitLimits('message', buildCustomerThanksMessage(r));
      expectWithinBlockKitLimits('message', buildRoundStartedMessage(r));
      expectWithinBlockKitLimits('message', buildRoundStartedMessage(r, { requestFailed: 'cannot_dm_bot' }));
      expectWithinBlockKitLimits('message', buildResponseResultMessage(r, response()));
      expectWithinBlockKitLimits(
        'message',
        buildResponseResultMessage(r, response({ recordedOnBehalf: true })),
      );
    }
    expectWithinBlockKitLimits(
      'modal',
      buildNoticeModal('A title well over twenty-four characters', worst(4000)),
    );
  });

  it('the checker would catch a message over the text budget (so the checks above can fail)', () => {
    const tooLong = {
      text: 'x',
      blocks: Array.from({ length: 6 }, () => ({
        type: 'section',
        text: { type: 'mrkdwn', text: 'y'.repeat(2500) },
      })),
    };
    expect(blockKitViolations('message', tooLong).length).toBeGreaterThan(0);
  });

  it('shows all six questions and nothing the customer did not write', () => {
    const result = buildResponseResultMessage(
      round(),
      response({ additionalComments: null, needFromMe: 'Fast loans' }),
    );
    const text = JSON.stringify(result.blocks);
    expect(text).toContain('Fast loans');
    for (const question of INTERVIEW_QUESTIONS.filter((q) => q.key !== 'additionalComments')) {
      expect(text).toContain(question.text.replace(/'/g, "\\'").slice(0, 30));
    }
    expect(text).not.toContain(INTERVIEW_QUESTIONS[5].text);
  });

  it('help and unknown-command texts are plain and short', () => {
    expect(RATE_SERVICE_HELP.length).toBeLessThan(3000);
    const unknown = buildUnknownRateServiceMessage('`x`'.repeat(500));
    expect(unknown.text.length).toBeLessThan(300);
    expectWithinBlockKitLimits('message', unknown);
  });

  it('starts an outside customer’s result with their name in bold, not a doubled asterisk', () => {
    const outside = round({
      customerUserId: null,
      customerName: 'Pat Patron',
      service: 'Interlibrary loans',
    });
    const onBehalf = buildResponseResultMessage(outside, response({ recordedOnBehalf: true }));
    const first = visibleText(onBehalf.blocks[0]);
    expect(first.slice(0, 2)).not.toBe('**');
    expect(first).toBe(
      `*Pat Patron (recorded by you) answered about Interlibrary loans* (round ${outside.id}).`,
    );
    // In Slack's words: the first thing shown is the name, bold, and nothing before it.
    const block = onBehalf.blocks[0] as RichTextBlock;
    expect(block.type).toBe('rich_text');
    expect((block.elements[0] as RichTextSection).elements[0]).toEqual({
      type: 'text',
      text: expect.stringMatching(/^Pat Patron /),
      style: { bold: true },
    });
    const inSlack = buildResponseResultMessage(
      round({ customerUserId: 'UCUST', service: 'Interlibrary loans' }),
      response(),
    );
    expect(
      ((inSlack.blocks[0] as RichTextBlock).elements[0] as RichTextSection).elements.slice(0, 2),
    ).toEqual([
      { type: 'user', user_id: 'UCUST', style: { bold: true } },
      { type: 'text', text: ' answered about Interlibrary loans', style: { bold: true } },
    ]);
  });
});

describe('what the customer is told, and what they choose', () => {
  const inputs = (view: { blocks: unknown[] }) =>
    view.blocks as {
      type: string;
      block_id?: string;
      optional?: boolean;
      label?: { text: string };
      element?: Record<string, unknown>;
    }[];
  const byId = (view: { blocks: unknown[] }, id: string) => inputs(view).find((b) => b.block_id === id);
  const PROMISE =
    ' sees your score and your answers. Their manager may see your score in an action plan. ' +
    'Committees see group figures only, never yours alone.';

  it('says who sees what, and offers the opt-in to share with the manager, off by default', () => {
    const view = buildResponseModal({
      round: round({ staffUserId: 'USAM', service: 'Loans' }),
      onBehalf: false,
      staffName: 'Sam Staff',
    });
    const promise = (view.blocks as RichTextBlock[]).find(
      (block) =>
        block.type === 'rich_text' &&
        JSON.stringify(block).includes('Committees see group figures only, never yours alone.'),
    );
    expect((promise?.elements[0] as RichTextSection | undefined)?.elements).toEqual([
      { type: 'user', user_id: 'USAM' },
      { type: 'text', text: PROMISE },
    ]);
    expect(JSON.stringify(view)).not.toContain('go to them alone');
    const share = byId(view, RESPONSE_MODAL.blocks.share);
    expect(share).toMatchObject({
      type: 'input',
      optional: true,
      label: { text: 'Sam Staff may share my written answers with their manager for an action plan' },
      element: { type: 'checkboxes', options: [{ value: RESPONSE_MODAL.values.share }] },
    });
    expect(share?.element?.initial_options).toBeUndefined();
    // The customer is not asked to confirm their own agreement: that box is for recorded interviews.
    expect(byId(view, RESPONSE_MODAL.blocks.consent)).toBeUndefined();
    // Without the staff member's name from Slack, the words still make sense.
    const unnamed = buildResponseModal({ round: round(), onBehalf: false });
    expect(byId(unnamed, RESPONSE_MODAL.blocks.share)?.label?.text).toBe(
      'The staff member may share my written answers with their manager for an action plan',
    );
  });

  it('asks the staff member recording an interview to confirm the customer agreed, and offers the share for them', () => {
    const view = buildResponseModal({
      round: round({ customerUserId: null, customerName: 'Pat Patron' }),
      onBehalf: true,
    });
    expect(byId(view, RESPONSE_MODAL.blocks.consent)).toMatchObject({
      optional: false,
      label: { text: 'Pat Patron agreed to my recording their answers here' },
      element: { type: 'checkboxes', options: [{ value: RESPONSE_MODAL.values.agreed }] },
    });
    const share = byId(view, RESPONSE_MODAL.blocks.share);
    expect(share).toMatchObject({
      optional: true,
      label: { text: 'Pat Patron agreed that I may share their written answers with my manager' },
    });
    expect(share?.element?.initial_options).toBeUndefined();
    expect(JSON.stringify(view)).toContain('Committees see group figures only, never theirs alone.');
  });

  it('puts the same promise in the request, and no longer the old one', () => {
    const request = JSON.stringify(buildCustomerRequestMessage(round({ staffUserId: 'USAM' })).blocks);
    expect(request).toContain(`<@USAM>${PROMISE}`);
    expect(request).not.toContain('go to them alone');
    expect(request).not.toContain('only ever see scores');
  });

  it('tells the staff member whether the customer allowed sharing', () => {
    const said = (r: RoundResponse) =>
      visibleText(buildResponseResultMessage(round({ customerUserId: 'UC' }), r).blocks);
    expect(said(response({ shareWithManager: true }))).toContain(
      'allowed you to share their written answers with your manager',
    );
    expect(said(response({ shareWithManager: false }))).toContain(
      'did not agree to sharing their written answers: they stay with you.',
    );
  });

  it('leaves erased answers out of the result, keeping the score', () => {
    const erased = buildResponseResultMessage(
      round(),
      response({
        customerScore: 3,
        needFromMe: null,
        whyDependOnMe: null,
        notAdequatelyProviding: null,
        concentrateOn: null,
        noLongerNeed: null,
        additionalComments: null,
        erasedAt: new Date(),
      }),
    );
    expectWithinBlockKitLimits('message', erased);
    const text = JSON.stringify(erased.blocks);
    expect(text).toContain('3/10');
    for (const question of INTERVIEW_QUESTIONS) expect(text).not.toContain(question.text.slice(0, 30));
  });
});

describe('gap', () => {
  it.each([
    [8, 5, -3, 'blind_spot'],
    [8, 6, -2, 'aligned'],
    [7, 7, 0, 'aligned'],
    [5, 7, 2, 'aligned'],
    [5, 8, 3, 'hidden_strength'],
    [10, 1, -9, 'blind_spot'],
  ] as const)('self %i, customer %i: gap %i is %s', (self, customer, gap, kind) => {
    expect(gapOf(self, customer)).toBe(gap);
    expect(classifyGap(gap)).toBe(kind);
  });
});
