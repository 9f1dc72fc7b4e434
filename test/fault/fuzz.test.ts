import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { COMMITTEE_MODAL } from '../../src/modules/committees/committees.views.js';
import {
  CLOSE_MODAL,
  NOTE_MODAL,
  PLAN_ACTIONS,
  PLAN_MODAL,
  PLAN_OPEN_MODAL,
} from '../../src/modules/plans/plans.views.js';
import { PRACTICE_ACTIONS, PRACTICE_MODAL } from '../../src/modules/practices/practices.views.js';
import { REMINDER_ACTIONS } from '../../src/modules/reminders/reminders.views.js';
import { RESPONSE_MODAL, ROUND_ACTIONS, ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/digests.js';
import { blockAction, sealedMetadata, type ViewInput, viewSubmission } from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * Hostile input, generated: 2,000 view submissions and button clicks across every callback_id and
 * action_id the app listens for, with wrong types, missing fields, 3,000-character strings, emoji
 * and other unicode, tampered private_metadata, and ids of rounds and plans that do not exist or
 * belong to someone else.
 *
 * Every generated request is made invalid on purpose by one "killer" (a field no valid form has, a
 * tampered or foreign private_metadata, or a person who may not act on it), with random noise in
 * everything else. So the oracle is simple: no request may write a row, every submission must come
 * back with `response_action: errors` (a clear message in the modal, never a silent close), and
 * nothing may answer 5xx, reject unhandled, or send Slack a view or message outside Block Kit's
 * limits. One valid submission at the end shows the app still writes when it should.
 *
 * One app on PGlite for the whole property: PGlite runs in-process, so 2,000 requests with a row
 * count after each take seconds rather than minutes, and input handling does not depend on the
 * engine (database faults are in database-outage.test.ts, against PostgreSQL).
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
const OTHER = 'UOTHER';
const MANAGER = 'UMANAGER';
const STRANGERS = ['USTRANGER', 'W0NOBODY', 'UBOTTY', ''];
const NOWHERE = [0, -1, 999_999, 2_147_483_647, 2_147_483_648, 1.5, 1e21];
/** The people cache fills from users.info lookups whatever the input: it records Slack's answers, not input. */
const NOT_INPUT = new Set(['slack_users']);

const LONG = [
  'x'.repeat(3_000),
  '📚'.repeat(1_500),
  'é'.repeat(3_001),
  '<!channel> *bold* `code` <@U1> '.repeat(100),
  '\u0000\u202e\ufeff'.repeat(1_000),
];
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...LONG, '', ' ', '\n\n', '🧑🏽‍💻 Reference', 'Ünïcödé ✓', '<script>', '{{1}}', 'null'),
);
/** Anything at all where Slack puts a value: wrong types included. */
const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  text,
);

type Ids = { roundA: number; roundB: number; roundC: number; planP: number; planQ: number };

/** What Slack would put in state.values for one element, valid or not. */
function stateValue(
  kind: 'text' | 'select' | 'user' | 'date' | 'checkboxes' | 'radio' | 'conversation',
  valid: fc.Arbitrary<string>,
) {
  const wrap = (value: unknown) => {
    switch (kind) {
      case 'text':
        return { type: 'plain_text_input', value };
      case 'select':
        return {
          type: 'static_select',
          selected_option: value === null ? null : { text: { type: 'plain_text', text: 'x' }, value },
        };
      case 'user':
        return { type: 'users_select', selected_user: value };
      case 'date':
        return { type: 'datepicker', selected_date: value };
      case 'checkboxes':
        return { type: 'checkboxes', selected_options: Array.isArray(value) ? value : [{ value }] };
      case 'radio':
        return { type: 'radio_buttons', selected_option: value === null ? null : { value } };
      case 'conversation':
        return { type: 'conversations_select', selected_conversation: value };
    }
  };
  return fc.oneof(
    { weight: 3, arbitrary: valid.map(wrap) },
    { weight: 2, arbitrary: text.map(wrap) },
    { weight: 2, arbitrary: junk.map(wrap) },
    // The element itself of the wrong shape, or missing.
    { weight: 1, arbitrary: junk },
  );
}

const futureDate = fc
  .integer({ min: 1, max: 300 })
  .map((days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10));

type Field = { block: string; kind: Parameters<typeof stateValue>[0]; valid: fc.Arbitrary<string> };
const r = ROUND_MODAL.blocks;
const q = RESPONSE_MODAL.blocks;
const p = PLAN_MODAL.blocks;
const c = COMMITTEE_MODAL.blocks;
const FIELDS: Record<string, Field[]> = {
  [ROUND_MODAL.callbackId]: [
    { block: r.customerUser, kind: 'user', valid: fc.constantFrom(CUSTOMER, OTHER) },
    { block: r.customerName, kind: 'text', valid: fc.constantFrom('Pat Patron') },
    { block: r.previousService, kind: 'select', valid: fc.constantFrom('Loans') },
    { block: r.newService, kind: 'text', valid: fc.constantFrom('Loans', 'Archives 📦') },
    {
      block: r.segment,
      kind: 'select',
      valid: fc.constantFrom('core', 'regular', 'occasional', 'should_be'),
    },
    { block: r.unit, kind: 'text', valid: fc.constantFrom('Reference') },
    { block: r.selfScore, kind: 'select', valid: fc.constantFrom('1', '5', '10') },
    { block: r.selfNote, kind: 'text', valid: fc.constantFrom('I answer quickly.') },
    { block: r.interviewOn, kind: 'date', valid: futureDate },
  ],
  [RESPONSE_MODAL.callbackId]: [
    ...[
      q.needFromMe,
      q.whyDependOnMe,
      q.notAdequatelyProviding,
      q.concentrateOn,
      q.noLongerNeed,
      q.additionalComments,
    ].map((block): Field => ({ block, kind: 'text', valid: fc.constantFrom('Books on time.') })),
    { block: q.customerScore, kind: 'select', valid: fc.constantFrom('3', '9') },
    { block: q.share, kind: 'checkboxes', valid: fc.constantFrom(RESPONSE_MODAL.values.share) },
    { block: q.consent, kind: 'checkboxes', valid: fc.constantFrom(RESPONSE_MODAL.values.agreed) },
  ],
  [PLAN_OPEN_MODAL.callbackId]: [
    { block: PLAN_OPEN_MODAL.blocks.channel, kind: 'conversation', valid: fc.constantFrom('GPRIVATE') },
  ],
  [PLAN_MODAL.callbackId]: [
    ...[p.strengths, p.improvements, p.successMeasure].map(
      (block): Field => ({ block, kind: 'text', valid: fc.constantFrom('Something.') }),
    ),
    { block: p.steps, kind: 'text', valid: fc.constantFrom('- one\n- two') },
    { block: p.checkinEvery, kind: 'select', valid: fc.constantFrom('7', '14', '28') },
    { block: p.remeasureOn, kind: 'date', valid: futureDate },
    { block: p.share, kind: 'checkboxes', valid: fc.constantFrom(PLAN_MODAL.shareValue) },
  ],
  [NOTE_MODAL.callbackId]: [{ block: NOTE_MODAL.block, kind: 'text', valid: fc.constantFrom('A note.') }],
  [CLOSE_MODAL.callbackId]: [
    {
      block: CLOSE_MODAL.blocks.outcome,
      kind: 'radio',
      valid: fc.constantFrom('improved', 'no_change', 'worse'),
    },
    { block: CLOSE_MODAL.blocks.note, kind: 'text', valid: fc.constantFrom('Better.') },
  ],
  [PRACTICE_MODAL.callbackId]: [
    ...Object.values(PRACTICE_MODAL.blocks).map(
      (block): Field => ({ block, kind: 'text', valid: fc.constantFrom('Something we do well.') }),
    ),
  ],
  [COMMITTEE_MODAL.callbackId]: [
    { block: c.scope, kind: 'radio', valid: fc.constantFrom('all', 'units') },
    { block: c.units, kind: 'text', valid: fc.constantFrom('Reference, Loans') },
    { block: c.weekday, kind: 'select', valid: fc.constantFrom('1', '7') },
    { block: c.hour, kind: 'select', valid: fc.constantFrom('0', '9', '23') },
    { block: c.timeZone, kind: 'text', valid: fc.constantFrom('Europe/London') },
    { block: c.minGroupSize, kind: 'select', valid: fc.constantFrom('3', '5', '50') },
    { block: c.showIndividuals, kind: 'checkboxes', valid: fc.constantFrom('show') },
  ],
};
const ACTION_ID = (block: string) => (block === NOTE_MODAL.block ? NOTE_MODAL.actionId : 'value');

const tamperedMetadata = fc.oneof(
  fc.constantFrom(
    '',
    'not json',
    'null',
    '[]',
    '{}',
    '{"v":2}',
    '{"v":"1"}',
    '{"__proto__":{"v":1}}',
    ...LONG,
  ),
  fc.constantFrom(...NOWHERE).map((id) => JSON.stringify({ v: 1, planId: id, roundId: id })),
  text,
  junk,
);

type Killed = { user: string; metadata: unknown; overrides: Record<string, unknown> };

/**
 * Metadata the app itself would have sealed, for the submitter (`for` unset) or someone else, and
 * for this form or another one: what gets past the seal must still be stopped by the record checks.
 */
class Seal {
  constructor(
    readonly data: object,
    readonly options: { for?: string; form?: string } = {},
  ) {}
}
const sealed = (data: object, options?: { for?: string; form?: string }) => new Seal(data, options);
/** A genuine seal, but for another person or another form: refused however valid the rest is. */
const foreignSeal = (data: object) =>
  fc.oneof(
    fc.constantFrom(STAFF, CUSTOMER, OTHER, MANAGER).map((person) => sealed(data, { for: `${person}X` })),
    fc
      .constantFrom(ROUND_MODAL.callbackId, RESPONSE_MODAL.callbackId, NOTE_MODAL.callbackId, 'whatever')
      .map((form) => sealed(data, { form: `${form}_other` })),
  );

/** For each modal, the ways a submission is certainly invalid. */
function killers(callbackId: string, ids: Ids): fc.Arbitrary<Killed> {
  const anyone = fc.constantFrom(STAFF, CUSTOMER, OTHER, MANAGER, ...STRANGERS);
  const value = (block: string, v: unknown) => ({ [block]: { [ACTION_ID(block)]: v } });
  const select = (v: unknown) => ({
    type: 'static_select',
    selected_option: v === null ? null : { value: v },
  });
  const badNumber = fc.oneof(fc.constantFrom('0', '11', '-1', '8.5', ' 7', '7 ', '٧', '1e1', ''), text);
  switch (callbackId) {
    case ROUND_MODAL.callbackId:
      return fc.oneof(
        fc.record({ user: anyone, metadata: tamperedMetadata, overrides: fc.constant({}) }),
        // What the app's form carried before metadata was sealed: no longer believed.
        fc.record({ user: anyone, metadata: fc.constant('{"v":1}'), overrides: fc.constant({}) }),
        fc.record({ user: anyone, metadata: foreignSeal({ v: 1 }), overrides: fc.constant({}) }),
        // A re-measure form for a plan that is not the submitter's.
        fc.record({
          user: fc.constantFrom(CUSTOMER, MANAGER, ...STRANGERS),
          metadata: fc.constantFrom(sealed({ v: 1, planId: ids.planP }), sealed({ v: 1, planId: ids.planQ })),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: anyone,
          metadata: fc.constant(sealed({ v: 1 })),
          overrides: badNumber.map((v) => value(r.selfScore, select(v))),
        }),
        fc.record({
          user: anyone,
          metadata: fc.constant(sealed({ v: 1 })),
          overrides: fc.constantFrom('gold', 'CORE', '').map((v) => value(r.segment, select(v))),
        }),
        fc.record({
          user: anyone,
          metadata: fc.constant(sealed({ v: 1 })),
          overrides: fc
            .constantFrom('2026-02-30', '2020-01-01', '3000-01-01', 'tomorrow', '')
            .map((v) => value(r.interviewOn, { type: 'datepicker', selected_date: v })),
        }),
        // Their own customer.
        fc.record({
          user: fc.constant(STAFF),
          metadata: fc.constant(sealed({ v: 1 })),
          overrides: fc.constant({
            ...value(r.customerUser, { type: 'users_select', selected_user: STAFF }),
            ...value(r.customerName, { type: 'plain_text_input', value: null }),
          }),
        }),
      );
    case RESPONSE_MODAL.callbackId:
      return fc.oneof(
        fc.record({ user: anyone, metadata: tamperedMetadata, overrides: fc.constant({}) }),
        // Rounds that do not exist, are already answered, or are someone else's to answer.
        fc.record({
          user: anyone,
          metadata: fc.constantFrom(...NOWHERE, ids.roundC).map((id) => sealed({ roundId: id })),
          overrides: fc.constant({}),
        }),
        // Unsealed, or sealed for someone else or another form, even for the right person's round.
        fc.record({
          user: fc.constant(CUSTOMER),
          metadata: fc.oneof(
            fc.constant(JSON.stringify({ roundId: ids.roundA })),
            foreignSeal({ roundId: ids.roundA }),
          ),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constantFrom(STAFF, OTHER, MANAGER, ...STRANGERS),
          metadata: fc.constant(sealed({ roundId: ids.roundA })),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constantFrom(CUSTOMER, OTHER, ...STRANGERS),
          metadata: fc.constant(sealed({ roundId: ids.roundB })),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constant(CUSTOMER),
          metadata: fc.constant(sealed({ roundId: ids.roundA })),
          overrides: badNumber.map((v) => value(q.customerScore, select(v))),
        }),
      );
    case PLAN_MODAL.callbackId:
      return fc.oneof(
        fc.record({ user: anyone, metadata: tamperedMetadata, overrides: fc.constant({}) }),
        fc.record({
          user: fc.constantFrom(STAFF, MANAGER),
          metadata: fc.oneof(
            fc.constant(JSON.stringify({ planId: ids.planP })),
            foreignSeal({ planId: ids.planP }),
          ),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: anyone,
          metadata: fc.constantFrom(...NOWHERE).map((id) => sealed({ planId: id })),
          overrides: fc.constant({}),
        }),
        // Plan Q is OTHER's own (as staff member and manager): anyone else is refused.
        fc.record({
          user: fc.constantFrom(STAFF, CUSTOMER, MANAGER, ...STRANGERS),
          metadata: fc.constant(sealed({ planId: ids.planQ })),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constantFrom(CUSTOMER, OTHER, MANAGER, ...STRANGERS),
          metadata: fc.constant(sealed({ planId: ids.planP })),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constant(STAFF),
          metadata: fc.constant(sealed({ planId: ids.planP })),
          overrides: fc
            .constantFrom('3', '0', '', '14.5', 'fourteen')
            .map((v) => value(p.checkinEvery, select(v))),
        }),
      );
    case PLAN_OPEN_MODAL.callbackId: {
      const opening = { staffUserId: STAFF, roundId: null };
      return fc.oneof(
        fc.record({ user: anyone, metadata: tamperedMetadata, overrides: fc.constant({}) }),
        fc.record({
          user: fc.constant(MANAGER),
          metadata: fc.oneof(fc.constant(JSON.stringify(opening)), foreignSeal(opening)),
          overrides: fc.constant({}),
        }),
        // Sealed for themselves, but not managers: they may open a plan only for themselves.
        fc.record({
          user: fc.constantFrom(CUSTOMER, OTHER, ...STRANGERS),
          metadata: fc.constant(sealed(opening)),
          overrides: fc.constant({}),
        }),
        // A manager, and a place that is not a private channel with the app in it.
        fc.record({
          user: fc.constant(MANAGER),
          metadata: fc.constant(sealed(opening)),
          overrides: fc
            .oneof(fc.constantFrom('C0PUBLIC', 'D0SOMEONE', 'U0SOMEONE', '', 'G', 'g0lower'), text)
            // Any G id would be a private channel with the app in it, as far as the stand-in knows.
            .filter((v) => !/^G[A-Z0-9]{2,30}$/.test(v))
            .map((v) =>
              value(PLAN_OPEN_MODAL.blocks.channel, {
                type: 'conversations_select',
                selected_conversation: v,
              }),
            ),
        }),
      );
    }
    case PRACTICE_MODAL.callbackId: {
      // Sealed for the submitter, so only an empty or too long field refuses it; or a seal not theirs.
      const b = PRACTICE_MODAL.blocks;
      const typed = (block: string, values: string[]) =>
        fc.constantFrom(...values).map((v) => value(block, { type: 'plain_text_input', value: v }));
      const empty = ['', '   ', '\n'];
      return fc.oneof(
        fc.record({ user: anyone, metadata: tamperedMetadata, overrides: fc.constant({}) }),
        fc.record({ user: anyone, metadata: foreignSeal({ v: 1 }), overrides: fc.constant({}) }),
        fc.record({
          user: anyone,
          metadata: fc.constant(sealed({ v: 1 })),
          overrides: fc.oneof(
            typed(b.whatYouDo, [...empty, 'w'.repeat(1_501), '📚'.repeat(1_501)]),
            typed(b.whyItWorks, [...empty, 'y'.repeat(1_501)]),
            typed(b.service, [...empty, 's'.repeat(76)]),
            typed(b.unit, [...empty, 'u'.repeat(61)]),
          ),
        }),
      );
    }
    case NOTE_MODAL.callbackId:
    case CLOSE_MODAL.callbackId: {
      const field =
        callbackId === NOTE_MODAL.callbackId
          ? fc
              .constantFrom('', '   ', '\n', 'n'.repeat(1_001), '📚'.repeat(1_001))
              .map((v) => value(NOTE_MODAL.block, { type: 'plain_text_input', value: v }))
          : fc
              .constantFrom('better', 'IMPROVED', '', 'closed')
              .map((v) =>
                value(CLOSE_MODAL.blocks.outcome, { type: 'radio_buttons', selected_option: { value: v } }),
              );
      return fc.oneof(
        fc.record({ user: anyone, metadata: tamperedMetadata, overrides: fc.constant({}) }),
        fc.record({
          user: fc.constantFrom(STAFF, MANAGER),
          metadata: fc.oneof(
            fc.constant(JSON.stringify({ planId: ids.planP })),
            foreignSeal({ planId: ids.planP }),
          ),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: anyone,
          metadata: fc.constantFrom(...NOWHERE).map((id) => sealed({ planId: id })),
          overrides: fc.constant({}),
        }),
        // Plan Q is OTHER's own (as staff member and manager): anyone else is refused.
        fc.record({
          user: fc.constantFrom(STAFF, CUSTOMER, MANAGER, ...STRANGERS),
          metadata: fc.constant(sealed({ planId: ids.planQ })),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constantFrom(CUSTOMER, OTHER, ...STRANGERS),
          metadata: fc.constant(sealed({ planId: ids.planP })),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constantFrom(STAFF, MANAGER),
          metadata: fc.constant(sealed({ planId: ids.planP })),
          overrides: field,
        }),
      );
    }
    default: {
      // The committee settings form: only the admin it was opened for may submit it, and only while
      // Slack still calls them an admin.
      const data = (user: string) => ({
        v: 2,
        channelId: 'C0COMMITTEE',
        adminUserId: user,
        committeeId: null,
      });
      const metadata = (user: string) => sealed(data(user), { for: user });
      return fc.oneof(
        fc.record({ user: anyone, metadata: tamperedMetadata, overrides: fc.constant({}) }),
        fc.record({
          user: fc.constantFrom(CUSTOMER, OTHER, ...STRANGERS),
          metadata: fc.constant(metadata(MANAGER)),
          overrides: fc.constant({}),
        }),
        // The unsealed form of old, naming the submitter as its admin; and a seal for another form.
        fc.record({
          user: fc.constantFrom(CUSTOMER, OTHER, MANAGER),
          metadata: fc.constantFrom(JSON.stringify({ v: 1, channelId: 'C0COMMITTEE', adminUserId: MANAGER })),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constant(MANAGER),
          metadata: foreignSeal(data(MANAGER)),
          overrides: fc.constant({}),
        }),
        // Sealed for themselves, but not an admin in Slack's eyes.
        fc.record({
          user: fc.constantFrom(CUSTOMER, OTHER),
          metadata: fc.constantFrom(CUSTOMER, OTHER).map((user) => sealed(data(user))),
          overrides: fc.constant({}),
        }),
        fc.record({
          user: fc.constant(MANAGER),
          metadata: fc.constant(metadata(MANAGER)),
          overrides: fc.constantFrom('2', '51', 'abc', '').map((v) => value(c.minGroupSize, select(v))),
        }),
        fc.record({
          user: fc.constant(MANAGER),
          metadata: fc.constant(metadata(MANAGER)),
          overrides: fc
            .constantFrom('Moon/Base', '', 'x'.repeat(3_000))
            .map((v) => value(c.timeZone, { type: 'plain_text_input', value: v })),
        }),
      );
    }
  }
}

function submissionArbitrary(ids: Ids) {
  return fc.constantFrom(...Object.keys(FIELDS)).chain((callbackId) => {
    const fields = FIELDS[callbackId] as Field[];
    const noise = fc.tuple(...fields.map((field) => stateValue(field.kind, field.valid)));
    return fc
      .record({
        callbackId: fc.constant(callbackId),
        killed: killers(callbackId, ids),
        noise,
        viewId: fc.oneof(
          fc.uuid().map((u) => `V${u.replace(/-/g, '').slice(0, 10).toUpperCase()}`),
          fc.constantFrom('', 'V1'),
        ),
      })
      .map(({ callbackId, killed, noise, viewId }) => {
        const values: Record<string, Record<string, unknown>> = {};
        fields.forEach((field, index) => {
          if (noise[index] !== undefined) values[field.block] = { [ACTION_ID(field.block)]: noise[index] };
        });
        Object.assign(values, killed.overrides);
        const metadata =
          killed.metadata instanceof Seal
            ? sealedMetadata(
                killed.metadata.options.form ?? callbackId,
                killed.metadata.options.for ?? killed.user,
                killed.metadata.data,
              )
            : killed.metadata;
        const payload = viewSubmission({
          userId: killed.user,
          view: {
            id: viewId,
            callback_id: callbackId,
            private_metadata: metadata as string,
            state_values: values as ViewInput['state_values'],
          },
        });
        return { kind: 'view_submission' as const, callbackId, payload };
      });
  });
}

function actionArbitrary(ids: Ids, responseUrl: string) {
  const actionIds = [
    ...Object.values(ROUND_ACTIONS),
    ...Object.values(REMINDER_ACTIONS),
    ...Object.values(PLAN_ACTIONS),
    ...Object.values(PRACTICE_ACTIONS),
  ];
  const someonesIds = [ids.roundA, ids.roundB, ids.roundC, ids.planP, ids.planQ].map(String);
  return (
    fc
      .record({
        actionId: fc.constantFrom(...actionIds),
        // Never the owner: the staff member of the rounds and plan P, or the manager of plan P.
        user: fc.constantFrom(CUSTOMER, OTHER, ...STRANGERS),
        value: fc.oneof(fc.constantFrom(...someonesIds), fc.constantFrom(...NOWHERE).map(String), text, junk),
        fromView: fc.boolean(),
        channelless: fc.boolean(),
      })
      // Anyone may mute themselves: a number of days is valid input, and writes. Only junk here.
      .filter(
        ({ actionId, value }) =>
          actionId !== REMINDER_ACTIONS.mute ||
          typeof value !== 'string' ||
          !/^\d{1,9}$/.test(value) ||
          Number(value) === 0,
      )
      .map(({ actionId, user, value, fromView, channelless }) => {
        const payload = blockAction({
          userId: user,
          actionId,
          // Replies to the click go to the stand-in, never to the real hooks.slack.com.
          responseUrl,
          ...(fromView ? { view: { callback_id: 'whatever', private_metadata: '{}' } } : {}),
          ...(channelless ? { container: {} } : {}),
        }) as unknown as { actions: Record<string, unknown>[]; channel?: unknown; message?: unknown };
        const action = payload.actions[0] as Record<string, unknown>;
        if (value === undefined) delete action.value;
        else action.value = value;
        if (channelless) {
          delete payload.channel;
          delete payload.message;
        }
        return { kind: 'block_actions' as const, callbackId: actionId, payload };
      })
  );
}

describe('fuzzing every modal and button with hostile input [pglite]', () => {
  let standIn: SlackStandIn;
  let database: TestDatabase;
  let app: TestApp;
  let ids: Ids;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    standIn = await startSlackStandIn();
    for (const [id, name] of [
      [STAFF, 'sam'],
      [CUSTOMER, 'casey'],
      [OTHER, 'olly'],
    ] as const)
      standIn.addUser({ id, name, tz: 'Europe/London' });
    standIn.addUser({ id: MANAGER, name: 'morgan', tz: 'Europe/London', is_admin: true });
    standIn.addUser({ id: 'UBOTTY', name: 'helperbot', is_bot: true });
    database = await createTestDatabase('pglite');
    app = await startTestApp({ database, standIn });
    const db = database.handle.db;
    const plans = app.radar.slack.deps.planDeps.plans;
    const roundA = await seedRound(db, {
      staff: STAFF,
      unit: 'Reference',
      self: 7,
      customerUserId: CUSTOMER,
      status: 'awaiting_customer',
    });
    const roundB = await seedRound(db, {
      staff: STAFF,
      unit: 'Reference',
      self: 6,
      customerUserId: OTHER,
      status: 'awaiting_customer',
    });
    // Round B's customer is outside Slack: only the staff member may record it.
    await db.execute(
      sql`update rounds set customer_user_id = null, customer_key = 'name:pat' where id = ${roundB}`,
    );
    const roundC = await seedRound(db, {
      staff: OTHER,
      unit: 'Loans',
      self: 8,
      customer: 4,
      customerUserId: CUSTOMER,
    });
    const base = { roundId: null, channelId: 'CPLANS', createdAt: new Date() };
    const planP = (
      await plans.create({
        ...base,
        staffUserId: STAFF,
        managerUserId: MANAGER,
        threadTs: '1700000000.000100',
      })
    ).id;
    const planQ = (
      await plans.create({ ...base, staffUserId: OTHER, managerUserId: OTHER, threadTs: '1700000000.000200' })
    ).id;
    ids = { roundA, roundB, roundC, planP, planQ };
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await app?.stop();
    await database?.close();
    await standIn?.close();
  });

  /** One round trip that counts every table's rows. */
  async function rowCounts(): Promise<Record<string, number>> {
    const result = await database.handle.db.execute(
      sql.raw(
        "select json_object_agg(table_name, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', table_name), false, true, '')))[1]::text::int) as counts from information_schema.tables where table_schema = 'public'",
      ),
    );
    const rows = rowsOf<{ counts: Record<string, number> }>(result);
    const counts = { ...(rows[0] as { counts: Record<string, number> }).counts };
    for (const table of NOT_INPUT) delete counts[table];
    return counts;
  }

  it(`answers ${RUNS} generated submissions and clicks without a 5xx, a write, a crash or a Block Kit violation`, async () => {
    const before = await rowCounts();
    expect(Object.keys(before)).toContain('rounds');
    let sent = 0;
    let slowest = 0;
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(
        fc.oneof(submissionArbitrary(ids), actionArbitrary(ids, app.responseUrl)),
        async (request) => {
          sent++;
          const response = await app.send({ kind: 'interactive', payload: request.payload });
          slowest = Math.max(slowest, response.ms);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
          expect(response.status, `${request.callbackId}: ${response.body}`).toBe(200);
          if (request.kind === 'view_submission') {
            expect(
              response.json?.response_action,
              `${request.callbackId} closed the modal on bad input`,
            ).toBe('errors');
            const messages = Object.values(response.json.errors as Record<string, string>);
            expect(messages.length).toBeGreaterThan(0);
            for (const message of messages) expect(message.length).toBeGreaterThan(5);
          }
          expect(await rowCounts()).toEqual(before);
        },
      ),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261125), endOnFailure: true },
    );

    // The clicks' work (modals, ephemeral replies) continues after the ack: wait for all of it.
    await expect.poll(() => app.radar.slack.inFlight.size, { timeout: 10_000 }).toBe(0);
    expect(rejections).toEqual([]);
    // No listener let an error escape to Bolt's error handler.
    expect(app.logs.lines.filter((line) => line.includes('unhandled listener error'))).toEqual([]);
    const violating = standIn.calls.filter((call) => (call.violations ?? []).length > 0);
    expect(violating.map((call) => ({ method: call.method, violations: call.violations }))).toEqual([]);
    expect(await rowCounts()).toEqual(before);
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    if (process.env.FAULT_REPORT)
      console.info('fuzz', {
        sent,
        statuses: Object.fromEntries(statuses),
        slowestMs: Math.round(slowest),
        slackCalls: standIn.calls.length,
      });

    // Still writes what is valid: the customer answers round A.
    const { blocks, actionId } = RESPONSE_MODAL;
    const answer = (t: string) => ({ [actionId]: { type: 'plain_text_input', value: t } });
    const valid = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: CUSTOMER,
        view: {
          id: 'VVALIDAFTERFUZZ',
          callback_id: RESPONSE_MODAL.callbackId,
          private_metadata: sealedMetadata(RESPONSE_MODAL.callbackId, CUSTOMER, { roundId: ids.roundA }),
          state_values: {
            [blocks.needFromMe]: answer('🧑🏽‍💻 Books'),
            [blocks.whyDependOnMe]: answer('Ünïcödé'),
            [blocks.notAdequatelyProviding]: answer('x'.repeat(1_500)),
            [blocks.concentrateOn]: answer('Email'),
            [blocks.noLongerNeed]: answer('Nothing'),
            [blocks.customerScore]: {
              [actionId]: { type: 'static_select', selected_option: { value: '6' } },
            },
          } as unknown as ViewInput['state_values'],
        },
      }),
    });
    expect(valid.body).toBe('');
    const after = await rowCounts();
    expect(after.round_responses).toBe((before.round_responses ?? 0) + 1);
  }, 120_000);
});
