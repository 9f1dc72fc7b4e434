import { describe, expect, it } from 'vitest';
import type { ActionPlan, Committee, PlanStep, Round, RoundResponse } from '../../src/db/schema.js';
import { inertMrkdwn, truncate } from '../../src/lib/text.js';
import {
  buildCommitteeSavedMessage,
  buildSettingsMessage,
  buildUnknownServiceDigestMessage,
} from '../../src/modules/committees/committees.views.js';
import { buildDigestMessage } from '../../src/modules/digests/digests.views.js';
import {
  buildCheckinMessage,
  buildClosedMessage,
  buildNoteMessage,
  buildPlanMessage,
  buildPlanOpenModal,
  buildPlanParentMessage,
  buildRemeasureMessage,
  buildSharedAnswersMessage,
} from '../../src/modules/plans/plans.views.js';
import {
  buildPracticeModal,
  practiceBlocks,
  SHOWN_WHAT,
  SHOWN_WHY,
} from '../../src/modules/practices/practices.views.js';
import { PRACTICE_LIMITS } from '../../src/modules/practices/practices.words.js';
import {
  buildCustomerNudgeMessage,
  buildInterviewDueMessage,
  buildRoundExpiredMessage,
} from '../../src/modules/reminders/reminders.views.js';
import { LIMITS } from '../../src/modules/rounds/rounds.content.js';
import {
  buildCustomerRequestMessage,
  buildCustomerThanksMessage,
  buildResponseModal,
  buildResponseResultMessage,
  buildRoundModal,
  buildRoundStartedMessage,
  buildUnknownRateServiceMessage,
} from '../../src/modules/rounds/rounds.views.js';
import type { ServicePointShown } from '../../src/modules/service-points/service-points.outcomes.js';
import {
  buildAddedMessage,
  buildListMessage,
  buildPostersMessage,
  buildPostersResentMessage,
  buildRetiredMessage,
  buildUnknownMessage,
} from '../../src/modules/service-points/service-points.views.js';
import { buildOwnerWeeklyMessage } from '../../src/modules/service-points/service-points.weekly.views.js';
import { SERVICE_POINT_HELP } from '../../src/modules/service-points/service-points.words.js';
import { type BlockKitSurface, expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { slackTexts } from '../helpers/slack-text.js';
import { sampleDigest } from './digests/digest-data.js';

/**
 * Every builder that shows words people typed, fed hostile text in every such field. Slack's mrkdwn
 * has no escape for `*`, `_`, `~` or backticks, so typed words must never land in a mrkdwn text
 * object: they belong in plain_text or rich_text, shown exactly as typed. The one string that stays
 * mrkdwn, a message's notification fallback, carries them only made inert.
 */

const HOSTILE = '*bold* _it_ ~s~ `code` ```block``` <!channel> <@U123> <http://evil|click> &amp; > quote';
/** Each mark alone too, so a field a builder cuts short still shows all of them whole. */
const VALUES = [
  HOSTILE,
  ...HOSTILE.split(/ (?=[*_~`<&>])/),
  'two lines\n> *quoted* and _styled_',
  ':tada: fine: emoji shortcodes may render',
];

/** What typed text must never become anywhere Slack reads mrkdwn. */
const ACTIVE = ['<!channel>', '<@U123>', '<http://evil', '*bold*', '_it_', '~s~', '`code`', '```'];

/** A field's typed value, tagged so the test can tell where it landed. */
type Typed = (field: string) => string;

interface Case {
  name: string;
  surface: BlockKitSurface;
  /** The fields the builder shows, and where it cuts one short (by code points, with an ellipsis). */
  fields: Record<string, { cut?: number }>;
  build: (typed: Typed) => unknown;
}

const round = (typed: Typed, overrides: Partial<Round> = {}): Round => ({
  id: 42,
  staffUserId: 'USTAFF',
  customerUserId: null,
  customerName: typed('customer'),
  customerKey: 'name:x',
  service: typed('service'),
  serviceKey: 'x',
  segment: 'core',
  unit: typed('unit'),
  selfScore: 8,
  selfNote: typed('note'),
  interviewOn: '2026-12-01',
  status: 'awaiting_customer',
  sourceViewId: 'V1',
  requestChannelId: null,
  requestTs: null,
  erasedAt: null,
  createdAt: new Date('2026-11-20T10:00:00Z'),
  completedAt: new Date('2026-11-24T10:00:00Z'),
  closedAt: null,
  ...overrides,
});

const response = (typed: Typed, overrides: Partial<RoundResponse> = {}): RoundResponse => ({
  roundId: 42,
  customerScore: 4,
  needFromMe: typed('needFromMe'),
  whyDependOnMe: typed('whyDependOnMe'),
  notAdequatelyProviding: typed('notAdequatelyProviding'),
  concentrateOn: typed('concentrateOn'),
  noLongerNeed: typed('noLongerNeed'),
  additionalComments: typed('additionalComments'),
  answeredByUserId: 'UCUST',
  recordedOnBehalf: true,
  shareWithManager: false,
  erasedAt: null,
  sourceViewId: 'V2',
  createdAt: new Date('2026-11-24T10:00:00Z'),
  ...overrides,
});

const plan = (typed: Typed): ActionPlan => ({
  id: 7,
  staffUserId: 'USTAFF',
  managerUserId: 'UMANAGER',
  roundId: 42,
  channelId: 'CPLANS',
  threadTs: '1795616615.000001',
  state: 'closed',
  strengths: typed('strengths'),
  improvements: typed('improvements'),
  successMeasure: typed('successMeasure'),
  checkinEveryDays: 14,
  remeasureOn: '2027-01-25',
  sharedCustomerAnswers: true,
  planMessageTs: '1795616615.000002',
  remeasureRoundId: null,
  outcome: 'improved',
  outcomeNote: typed('outcomeNote'),
  sourceViewId: 'V3',
  createdAt: new Date(),
  writtenAt: new Date(),
  closedAt: new Date(),
});

const steps = (typed: Typed): PlanStep[] =>
  [0, 1].map((i) => ({
    id: 100 + i,
    planId: 7,
    position: i + 1,
    text: typed(`step${i + 1}`),
    doneAt: i === 1 ? new Date() : null,
    doneByUserId: i === 1 ? 'USTAFF' : null,
  }));

const committee = (typed: Typed): Committee => ({
  id: 1,
  channelId: 'CCOMMITTEE',
  units: [typed('unitA'), typed('unitB')],
  weekday: 1,
  hour: 9,
  timeZone: 'America/Port_of_Spain',
  minGroupSize: 3,
  showIndividuals: true,
  active: true,
  createdByUserId: 'UADMIN',
  createdAt: new Date(),
  updatedAt: new Date(),
});

function digest(typed: Typed) {
  const data = sampleDigest({ units: 2, individuals: 2 });
  data.committee.units = [typed('scope')];
  data.units = data.units.map((unit, i) => ({ ...unit, unit: typed(`unit${i}`) }));
  data.individuals = (data.individuals ?? []).map((person, i) => ({ ...person, name: typed(`person${i}`) }));
  data.followUps.plans.byUnit = [{ unit: typed('planUnit'), open: 2, improved: 1 }];
  return data;
}

const servicePoint = (typed: Typed): ServicePointShown => ({
  id: 3,
  name: typed('pointName'),
  unit: typed('pointUnit'),
  ownerUserId: 'ULEAD',
  url: 'https://radar.example.org/s/AbCdEfGhIjKlMnOpQrStUv_-',
});

const answers = {
  needFromMe: {},
  whyDependOnMe: {},
  notAdequatelyProviding: {},
  concentrateOn: {},
  noLongerNeed: {},
  additionalComments: {},
};
const NAME_MAX = 40;

const cases: Case[] = [
  {
    name: 'the self-rating modal, prefilled from an earlier round',
    surface: 'modal',
    fields: {
      service: { cut: LIMITS.service },
      customer: { cut: LIMITS.customerName },
      unit: { cut: LIMITS.unit },
      earlier: { cut: 75 },
    },
    build: (typed) =>
      buildRoundModal({
        unit: typed('unit'),
        previousServices: [typed('earlier')],
        interviewOn: '2026-12-01',
        prefill: {
          customerUserId: null,
          customerName: typed('customer'),
          service: typed('service'),
          segment: 'core',
        },
      }),
  },
  {
    name: 'the response modal, for a customer in Slack',
    surface: 'modal',
    // The staff member's name comes from their Slack profile, typed by them.
    fields: { service: {}, staffName: {} },
    build: (typed) =>
      buildResponseModal({
        round: round(typed, { customerUserId: 'UCUST' }),
        onBehalf: false,
        staffName: typed('staffName'),
      }),
  },
  {
    name: 'the response modal, recorded on behalf of an outside customer',
    surface: 'modal',
    fields: { service: {}, customer: {} },
    build: (typed) => buildResponseModal({ round: round(typed), onBehalf: true }),
  },
  {
    name: 'the request to a customer',
    surface: 'message',
    fields: { service: {} },
    build: (typed) => buildCustomerRequestMessage(round(typed, { customerUserId: 'UCUST' })),
  },
  {
    name: 'the thank-you to a customer',
    surface: 'message',
    fields: { service: {} },
    build: (typed) => buildCustomerThanksMessage(round(typed, { customerUserId: 'UCUST' })),
  },
  {
    name: 'round started, customer in Slack',
    surface: 'message',
    fields: { service: {} },
    build: (typed) => buildRoundStartedMessage(round(typed, { customerUserId: 'UCUST' })),
  },
  {
    name: 'round started, but the customer could not be messaged',
    surface: 'message',
    fields: {},
    build: (typed) =>
      buildRoundStartedMessage(round(typed, { customerUserId: 'UCUST' }), { requestFailed: 'cannot_dm_bot' }),
  },
  {
    name: 'round started with an outside customer',
    surface: 'message',
    fields: { service: {}, customer: {} },
    build: (typed) => buildRoundStartedMessage(round(typed)),
  },
  {
    name: 'the result, from an outside customer',
    surface: 'message',
    fields: { service: {}, customer: {}, ...answers },
    build: (typed) => buildResponseResultMessage(round(typed), response(typed)),
  },
  {
    name: 'the result, from a customer in Slack',
    surface: 'message',
    fields: { service: {}, ...answers },
    build: (typed) =>
      buildResponseResultMessage(
        round(typed, { customerUserId: 'UCUST' }),
        response(typed, { recordedOnBehalf: false }),
      ),
  },
  {
    name: 'the interview reminder, outside customer',
    surface: 'message',
    fields: { service: {}, customer: {} },
    build: (typed) => buildInterviewDueMessage(round(typed), 9, { snoozeDays: 2, muteDays: 14 }),
  },
  {
    name: 'the interview reminder, customer in Slack',
    surface: 'message',
    fields: { service: {} },
    build: (typed) =>
      buildInterviewDueMessage(round(typed, { customerUserId: 'UCUST' }), 9, { snoozeDays: 2, muteDays: 14 }),
  },
  {
    name: 'the nudge to a customer',
    surface: 'message',
    fields: { service: {} },
    build: (typed) => buildCustomerNudgeMessage(round(typed, { customerUserId: 'UCUST' }), 1, 2),
  },
  {
    name: 'the expired round',
    surface: 'message',
    fields: { service: {}, customer: {} },
    build: (typed) => buildRoundExpiredMessage(round(typed), 21),
  },
  {
    name: 'the plan thread’s parent',
    surface: 'message',
    fields: { service: {} },
    build: (typed) =>
      buildPlanParentMessage(plan(typed), {
        round: round(typed, { status: 'completed' }),
        response: response(typed),
      }),
  },
  {
    name: 'the manager’s form that opens a plan',
    surface: 'modal',
    fields: { service: {} },
    build: (typed) =>
      buildPlanOpenModal({
        staffUserId: 'USTAFF',
        managerUserId: 'UMANAGER',
        start: { round: round(typed, { status: 'completed' }), response: response(typed) },
      }),
  },
  {
    name: 'the plan as posted',
    surface: 'message',
    fields: { strengths: {}, improvements: {}, successMeasure: {}, step1: {}, step2: {} },
    build: (typed) => buildPlanMessage(plan(typed), steps(typed)),
  },
  {
    name: 'the shared answers',
    surface: 'message',
    fields: { service: {}, notAdequatelyProviding: {}, concentrateOn: {} },
    build: (typed) => buildSharedAnswersMessage(plan(typed), round(typed), response(typed)),
  },
  {
    name: 'the check-in',
    surface: 'message',
    fields: { step1: {} },
    build: (typed) => buildCheckinMessage(plan(typed), steps(typed), { mentionManager: true }),
  },
  {
    name: 'the re-measure',
    surface: 'message',
    fields: { service: {} },
    build: (typed) => buildRemeasureMessage(plan(typed), round(typed)),
  },
  {
    name: 'a note in the thread',
    surface: 'message',
    fields: { note: {} },
    build: (typed) => buildNoteMessage('UMANAGER', typed('note')),
  },
  {
    name: 'the plan closed, with its note',
    surface: 'message',
    fields: { outcomeNote: {} },
    build: (typed) => buildClosedMessage(plan(typed), 'USTAFF'),
  },
  {
    name: 'a committee subscribed',
    surface: 'message',
    fields: { unitA: {}, unitB: {} },
    build: (typed) => buildCommitteeSavedMessage(committee(typed), true, 'UADMIN'),
  },
  {
    name: 'a committee’s settings, told to someone who may not change them',
    surface: 'message',
    fields: { unitA: {}, unitB: {} },
    build: (typed) => buildSettingsMessage(committee(typed), 'Only workspace admins can change them.'),
  },
  {
    name: 'an unknown /service-digest',
    surface: 'message',
    fields: { command: { cut: 40 } },
    build: (typed) => buildUnknownServiceDigestMessage(typed('command')),
  },
  {
    name: 'an unknown /rate-service',
    surface: 'message',
    fields: { command: { cut: 100 } },
    build: (typed) => buildUnknownRateServiceMessage(typed('command')),
  },
  {
    name: 'a service point added',
    surface: 'message',
    fields: { pointName: {}, pointUnit: {} },
    build: (typed) => buildAddedMessage(servicePoint(typed), { ok: true }),
  },
  {
    name: 'a service point added, its posters not sent',
    surface: 'message',
    fields: { pointName: {}, pointUnit: {} },
    build: (typed) => buildAddedMessage(servicePoint(typed), { ok: false, error: 'cannot_dm_bot' }),
  },
  {
    name: 'the service point posters’ DM',
    surface: 'message',
    fields: { pointName: {} },
    build: (typed) => buildPostersMessage(servicePoint(typed)),
  },
  ...[true, false].map(
    (ok): Case => ({
      name: `a service point’s posters sent again${ok ? '' : ', or not'}`,
      surface: 'message',
      fields: { pointName: {} },
      build: (typed) =>
        buildPostersResentMessage(servicePoint(typed), ok ? { ok } : { ok, error: 'cannot_dm_bot' }),
    }),
  ),
  {
    name: 'a service point retired',
    surface: 'message',
    fields: { pointName: {} },
    build: (typed) => buildRetiredMessage(servicePoint(typed)),
  },
  {
    name: 'the list of service points',
    surface: 'message',
    fields: { pointName: {}, pointUnit: {} },
    build: (typed) => buildListMessage([servicePoint(typed), { ...servicePoint(typed), id: 4 }]),
  },
  {
    name: 'an unknown /service-point',
    surface: 'message',
    fields: { command: { cut: 40 } },
    build: (typed) => buildUnknownMessage(typed('command'), SERVICE_POINT_HELP),
  },
  ...[false, true].map(
    (preview): Case => ({
      name: `the digest${preview ? ' preview' : ''}, with unit and staff names`,
      surface: 'message',
      fields: {
        scope: {},
        unit0: { cut: NAME_MAX },
        unit1: { cut: NAME_MAX },
        person0: { cut: NAME_MAX },
        person1: { cut: NAME_MAX },
        planUnit: { cut: NAME_MAX },
      },
      build: (typed) => buildDigestMessage(digest(typed), { preview }),
    }),
  ),
  {
    name: 'the digest, with service point names and units',
    surface: 'message',
    fields: { point0: { cut: NAME_MAX }, pointUnit0: { cut: NAME_MAX }, point1: { cut: NAME_MAX } },
    build: (typed) => {
      const data = sampleDigest({ units: 2, servicePoints: 2 });
      data.servicePoints.points = data.servicePoints.points.map((point, i) => ({
        ...point,
        name: typed(`point${i}`),
        unit: i === 0 ? typed('pointUnit0') : point.unit,
      }));
      return buildDigestMessage(data);
    },
  },
  {
    name: 'the best practice form, prefilled with the unit and the round’s service',
    surface: 'modal',
    fields: { service: { cut: PRACTICE_LIMITS.service }, unit: { cut: PRACTICE_LIMITS.unit } },
    build: (typed) => buildPracticeModal({ unit: typed('unit'), service: typed('service'), roundId: 42 }),
  },
  {
    name: 'the Home’s best practices, one of them the viewer’s own',
    surface: 'home',
    fields: {
      unit: { cut: 60 },
      service: { cut: PRACTICE_LIMITS.service },
      what: { cut: SHOWN_WHAT },
      why: { cut: SHOWN_WHY },
    },
    build: (typed) => {
      const practice = {
        id: 3,
        authorUserId: 'USTAFF',
        unit: typed('unit'),
        service: typed('service'),
        whatYouDo: typed('what'),
        whyItWorks: typed('why'),
        sourceViewId: 'V9',
        createdAt: new Date('2026-11-20T10:00:00Z'),
        withdrawnAt: null,
      };
      return {
        type: 'home',
        blocks: practiceBlocks(
          {
            unit: typed('unit'),
            practices: { items: [practice, { ...practice, id: 4, authorUserId: 'UOTHER' }], total: 3 },
          },
          'USTAFF',
        ),
      };
    },
  },
  {
    name: 'the digest, with the week’s best practices',
    surface: 'message',
    fields: { unit: { cut: NAME_MAX }, service: { cut: 75 }, what: { cut: 280 }, why: { cut: 200 } },
    build: (typed) => {
      const data = sampleDigest({ units: 2 });
      data.practices = {
        total: 9,
        listed: [
          {
            id: 1,
            authorUserId: 'USTAFF',
            unit: typed('unit'),
            service: typed('service'),
            whatYouDo: typed('what'),
            whyItWorks: typed('why'),
            sharedAt: '2026-11-18T10:00:00.000Z',
          },
        ],
      };
      return buildDigestMessage(data);
    },
  },
  {
    name: "a service point owner's weekly DM, with the patrons' written answers",
    surface: 'message',
    fields: { point: { cut: 80 }, unit: { cut: 80 }, doBetter: {}, noLongerNeed: {} },
    build: (typed) =>
      buildOwnerWeeklyMessage(
        {
          point: { name: typed('point'), unit: typed('unit') },
          week: { id: '2026-W47', label: '16–22 Nov 2026', timeZone: 'UTC' },
          figures: { answers: 1, experience: 7, expectation: 8, gap: -1 },
          spam: 0,
          written: [
            {
              id: 1,
              experience: 7,
              expectation: 8,
              doBetter: typed('doBetter'),
              noLongerNeed: typed('noLongerNeed'),
              createdAt: new Date('2026-11-17T12:00:00Z'),
            },
          ],
        },
        1,
      ) as { text: string; blocks: unknown[] },
  },
];

/** What a reader should see of a typed value: all of it, or the builder's cut of it. */
const shown = (value: string, cut: number | undefined) => (cut === undefined ? value : truncate(value, cut));

describe('words people type are shown as typed, and never restyle, mention or link', () => {
  it.each(cases)('$name', ({ surface, fields, build }) => {
    for (const value of VALUES) {
      const typedValue = (field: string) => `‹${field}› ${value}`;
      const payload = build(typedValue);
      expectWithinBlockKitLimits(surface, payload);
      const texts = slackTexts(payload);
      const objects = texts.mrkdwn.filter((s) => !texts.fallback.includes(s));

      for (const s of texts.mrkdwn)
        for (const active of ACTIVE) expect(s, `mrkdwn that Slack would parse: ${s}`).not.toContain(active);

      for (const [field, { cut }] of Object.entries(fields)) {
        const tag = `‹${field}›`;
        const typed = typedValue(field);
        for (const s of objects) expect(s, `${field} in a mrkdwn text object`).not.toContain(tag);
        const whole = shown(typed, cut);
        expect(
          texts.literal.some((s) => s.includes(whole)),
          `${field} shown as typed (${JSON.stringify(whole)}) in plain_text or rich_text; found:\n${texts.literal.join('\n')}`,
        ).toBe(true);
        for (const s of texts.fallback.filter((f) => f.includes(tag)))
          expect(s, `${field} in the notification fallback`).toContain(inertMrkdwn(whole));
      }
    }
  });
});

describe('inertMrkdwn', () => {
  it('leaves nothing for mrkdwn to act on, and keeps every word readable', () => {
    const inert = inertMrkdwn(HOSTILE);
    expect(inert).not.toMatch(/[*_~`<>]/);
    expect(inert).toBe(
      '∗bold∗ ˍitˍ ∼s∼ ˋcodeˋ ˋˋˋblockˋˋˋ &lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|click&gt; &amp;amp; &gt; quote',
    );
  });
});
