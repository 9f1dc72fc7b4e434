import type { ViewStateValue } from '@slack/bolt';
import { count, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { roundResponses, rounds } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { PRACTICE_ACTIONS } from '../../src/modules/practices/practices.views.js';
import { RESPONSE_MODAL, ROUND_ACTIONS, ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { WEB_API_SCOPES } from '../../src/slack/scopes.js';
import { startTestApp, TEST_BOT_TOKEN, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import {
  blockAction,
  checkboxes,
  datePicker,
  plainInput,
  sealedMetadata,
  signBody,
  slashCommand,
  staticSelect,
  TEST_SIGNING_SECRET,
  usersSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import { slackTexts } from '../helpers/slack-text.js';

const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

/** The modal the app opened, with the id the stand-in gave it. */
function openedView(call: RecordedCall): { id: string; callback_id: string; private_metadata: string } {
  expect(call.violations ?? []).toEqual([]);
  expectWithinBlockKitLimits('modal', call.args.view);
  return { ...call.args.view, id: call.reply?.body.view && (call.reply.body.view as { id: string }).id };
}

type StateValues = Record<string, Record<string, ViewStateValue>>;

function roundState(overrides: StateValues = {}): StateValues {
  const { blocks: ids, actionId } = ROUND_MODAL;
  const values: StateValues = {
    [ids.customerUser]: { [actionId]: usersSelect(CUSTOMER) },
    [ids.customerName]: { [actionId]: plainInput(null) },
    [ids.newService]: { [actionId]: plainInput('Interlibrary loans') },
    [ids.segment]: { [actionId]: staticSelect('core') },
    [ids.unit]: { [actionId]: plainInput('Reference') },
    [ids.selfScore]: { [actionId]: staticSelect('8') },
    [ids.selfNote]: { [actionId]: plainInput('I answer quickly.') },
    [ids.interviewOn]: { [actionId]: datePicker(inDays(7)) },
  };
  return { ...values, ...overrides };
}

function responseState(
  score: string,
  overrides: Record<string, string | null> = {},
  { share = false, agreed = false }: { share?: boolean; agreed?: boolean } = {},
) {
  const { blocks: ids, actionId, values } = RESPONSE_MODAL;
  const ticked = {
    [ids.share]: { [actionId]: checkboxes(share ? [values.share] : []) },
    [ids.consent]: { [actionId]: checkboxes(agreed ? [values.agreed] : []) },
  };
  const text: Record<string, string | null> = {
    needFromMe: 'Articles from other libraries.',
    whyDependOnMe: 'Nobody else can order them.',
    notAdequatelyProviding: 'Knowing when a request is stuck <!channel>.',
    concentrateOn: 'Updates while I wait.',
    noLongerNeed: 'The paper request slips.',
    additionalComments: null,
    ...overrides,
  };
  return {
    ...Object.fromEntries(
      Object.entries(text).map(([key, value]) => [
        ids[key as keyof typeof text & keyof typeof ids],
        { [actionId]: plainInput(value) },
      ]),
    ),
    [ids.customerScore]: { [actionId]: staticSelect(score) },
    ...ticked,
  };
}

function inDays(days: number): string {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const messagesTo = (channel: string) =>
  standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === channel);

describeEachDatabase('/rate-service end to end', (getDb) => {
  let app: TestApp;
  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', real_name: 'Sam Staff', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', real_name: 'Casey Customer', tz: 'America/New_York' });
    standIn.addUser({ id: 'UBOTTY', name: 'helperbot', is_bot: true });
    app = await startTestApp({ database: getDb(), standIn });
  });
  afterEach(async () => {
    await app.stop();
  });

  const db = () => getDb().handle.db;
  const roundCount = async () => ((await db().select({ n: count() }).from(rounds))[0] as { n: number }).n;

  async function openRoundModal(userId = STAFF) {
    const response = await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: '', userId, responseUrl: app.responseUrl }),
    });
    expect(response.status).toBe(200);
    const call = await standIn.waitForCall(
      'views.open',
      (c) => c.args.view?.callback_id === ROUND_MODAL.callbackId,
    );
    return openedView(call);
  }

  async function submitRound(
    view: { id: string; private_metadata: string },
    state = roundState(),
    userId = STAFF,
  ) {
    return app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId,
        view: {
          id: view.id,
          callback_id: ROUND_MODAL.callbackId,
          private_metadata: view.private_metadata,
          state_values: state,
        },
      }),
    });
  }

  it('runs a whole round: command, modal, DM to the customer, their answers, the gap to the staff member', async () => {
    // 1. The command opens the self-rating modal.
    const modal = await openRoundModal();
    expect(modal.callback_id).toBe(ROUND_MODAL.callbackId);
    expect(JSON.stringify(modal)).toContain('rate the level of service you provide');

    // 2. Submitting it stores the round and asks the customer.
    const submitted = await submitRound(modal);
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');
    const [round] = await db().select().from(rounds);
    expect(round).toMatchObject({
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      selfScore: 8,
      status: 'awaiting_customer',
    });
    if (!round) return;

    const request = await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === CUSTOMER);
    expect(request.token).toBe(TEST_BOT_TOKEN);
    expect(request.violations ?? []).toEqual([]);
    expectWithinBlockKitLimits('message', request.args);
    expect(request.args.text).toContain(`<@${STAFF}>`);
    expect(JSON.stringify(request.args.blocks)).toContain('not anonymous');
    expect(JSON.stringify(request.args.blocks)).toContain(
      `<@${STAFF}> sees your score and your answers. Their manager may see your score in an action plan. Committees see group figures only, never yours alone.`,
    );
    expect(JSON.stringify(request.args.blocks)).not.toContain('go to them alone');
    const button = (
      request.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    )
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === ROUND_ACTIONS.answer);
    expect(button?.value).toBe(String(round.id));
    await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === STAFF);
    await expect.poll(async () => (await db().select().from(rounds))[0]?.requestTs).toBeTruthy();

    // 3. The customer's button opens the response modal.
    const clicked = await app.send({
      kind: 'interactive',
      payload: blockAction({
        userId: CUSTOMER,
        actionId: ROUND_ACTIONS.answer,
        value: String(round.id),
        channelId: `D${CUSTOMER}`,
      }),
    });
    expect(clicked.status).toBe(200);
    const responseModal = openedView(
      await standIn.waitForCall('views.open', (c) => c.args.view?.callback_id === RESPONSE_MODAL.callbackId),
    );
    // It says who will see what, and offers the opt-in to share with the manager, unticked.
    const form = JSON.stringify(responseModal);
    expect(form).toContain(
      ' sees your score and your answers. Their manager may see your score in an action plan. Committees see group figures only, never yours alone.',
    );
    expect(form).toContain('Sam Staff may share my written answers with their manager for an action plan');
    expect(form).not.toContain('initial_options');
    expect(form).not.toContain(RESPONSE_MODAL.blocks.consent);
    // Sealed for the customer who pressed the button: the round it names is the server's.
    const envelope = JSON.parse(responseModal.private_metadata);
    expect(envelope).toMatchObject({ seal: 1, for: CUSTOMER });
    expect(JSON.parse(envelope.data)).toEqual({ roundId: round.id });

    // 4. The customer submits: the round completes and the staff member hears the gap.
    const answered = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: CUSTOMER,
        view: {
          id: responseModal.id,
          callback_id: RESPONSE_MODAL.callbackId,
          private_metadata: responseModal.private_metadata,
          state_values: responseState('4'),
        },
      }),
    });
    expect(answered.status).toBe(200);
    expect(answered.body).toBe('');
    const [completed] = await db().select().from(rounds);
    expect(completed?.status).toBe('completed');
    const [stored] = await db().select().from(roundResponses);
    expect(stored).toMatchObject({
      roundId: round.id,
      customerScore: 4,
      answeredByUserId: CUSTOMER,
      recordedOnBehalf: false,
      // Not ticked: the staff member may not share the written answers.
      shareWithManager: false,
    });

    const result = await standIn.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === STAFF && String(c.args.text).includes('4/10'),
    );
    expectWithinBlockKitLimits('message', result.args);
    const shown = JSON.stringify(result.args.blocks);
    expect(shown).toContain('-4');
    expect(shown).toContain('Blind spot');
    // Not a hidden strength: no invitation to share a best practice.
    expect(shown).not.toContain(PRACTICE_ACTIONS.share);
    expect(shown).toContain('Articles from other libraries.');
    // Typed text cannot mention the channel: it is shown as typed, in rich text, never as mrkdwn.
    const texts = slackTexts(result.args);
    for (const s of texts.mrkdwn) expect(s).not.toContain('<!channel>');
    expect(texts.literal).toContain('Knowing when a request is stuck <!channel>.');
    // The customer's request loses its button.
    const thanks = await standIn.waitForCall('chat.update', (c) => c.args.ts === completed?.requestTs);
    expect(JSON.stringify(thanks.args.blocks)).not.toContain(ROUND_ACTIONS.answer);

    // Every Web API method the app called is one the manifest has a scope for.
    for (const call of standIn.calls) expect(Object.keys(WEB_API_SCOPES)).toContain(call.method);
  });

  it('lets the staff member record an outside customer’s interview from their own DM', async () => {
    const modal = await openRoundModal();
    const state = roundState({
      [ROUND_MODAL.blocks.customerUser]: { [ROUND_MODAL.actionId]: usersSelect(null) },
      [ROUND_MODAL.blocks.customerName]: { [ROUND_MODAL.actionId]: plainInput('Pat Patron') },
      [ROUND_MODAL.blocks.selfScore]: { [ROUND_MODAL.actionId]: staticSelect('6') },
    });
    expect((await submitRound(modal, state)).body).toBe('');
    const [round] = await db().select().from(rounds);
    expect(round?.customerUserId).toBeNull();
    const started = await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === STAFF);
    expect(JSON.stringify(started.args.blocks)).toContain('Record the interview');
    expect(messagesTo(CUSTOMER)).toHaveLength(0);

    await app.send({
      kind: 'interactive',
      payload: blockAction({ userId: STAFF, actionId: ROUND_ACTIONS.answer, value: String(round?.id) }),
    });
    const responseModal = openedView(
      await standIn.waitForCall('views.open', (c) => c.args.view?.callback_id === RESPONSE_MODAL.callbackId),
    );
    expect(JSON.stringify(responseModal)).toContain('Record the interview');
    expect(JSON.stringify(responseModal)).toContain('Pat Patron agreed to my recording their answers here');
    expect(JSON.stringify(responseModal)).toContain(
      'Pat Patron agreed that I may share their written answers with my manager',
    );

    // Without the confirmation that Pat agreed, nothing is recorded: the error is on that box, and
    // the form stays as typed (Slack keeps what was typed when the app answers with errors).
    const unconfirmed = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: STAFF,
        view: {
          id: responseModal.id,
          callback_id: RESPONSE_MODAL.callbackId,
          private_metadata: responseModal.private_metadata,
          state_values: responseState('10', {}, { share: true }),
        },
      }),
    });
    expect(unconfirmed.json).toEqual({
      response_action: 'errors',
      errors: { [RESPONSE_MODAL.blocks.consent]: expect.stringContaining('they agreed') },
    });
    expect(await db().select().from(roundResponses)).toHaveLength(0);
    expect((await db().select().from(rounds))[0]?.status).toBe('awaiting_customer');

    const answered = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: STAFF,
        view: {
          id: responseModal.id,
          callback_id: RESPONSE_MODAL.callbackId,
          private_metadata: responseModal.private_metadata,
          state_values: responseState('10', {}, { agreed: true, share: true }),
        },
      }),
    });
    expect(answered.body).toBe('');
    const [stored] = await db().select().from(roundResponses);
    expect(stored).toMatchObject({
      customerScore: 10,
      recordedOnBehalf: true,
      answeredByUserId: STAFF,
      shareWithManager: true,
    });
    const result = await standIn.waitForCall(
      'chat.postMessage',
      (c) => c.args.channel === STAFF && String(c.args.text).includes('10/10'),
    );
    expect(JSON.stringify(result.args.blocks)).toContain('Hidden strength');
    // A hidden strength: the staff member is invited to share what works, with the round's button.
    expectWithinBlockKitLimits('message', result.args);
    const invitation = (
      result.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]
    )
      .filter((block) => block.type === 'actions')
      .flatMap((block) => block.elements ?? [])
      .filter((element) => element.action_id === PRACTICE_ACTIONS.share);
    expect(invitation.map((element) => element.value)).toEqual([String(stored?.roundId)]);
    expect(JSON.stringify(result.args.blocks)).toContain('What are you doing well');
  });

  it('refuses anyone but the named customer with a clear message, and writes nothing', async () => {
    const modal = await openRoundModal();
    await submitRound(modal);
    const [round] = await db().select().from(rounds);
    await app.send({
      kind: 'interactive',
      payload: blockAction({ userId: 'USTRANGER', actionId: ROUND_ACTIONS.answer, value: String(round?.id) }),
    });
    const notice = await standIn.waitForCall('views.open', (c) =>
      JSON.stringify(c.args.view).includes('meant for someone else'),
    );
    expect(notice.args.view.callback_id ?? '').not.toBe(RESPONSE_MODAL.callbackId);
    expectWithinBlockKitLimits('modal', notice.args.view);

    // A submission of the response modal by someone else is refused too, even with a genuine seal:
    // the stored round says who may answer it.
    const forged = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: 'USTRANGER',
        view: {
          callback_id: RESPONSE_MODAL.callbackId,
          private_metadata: sealedMetadata(RESPONSE_MODAL.callbackId, 'USTRANGER', { roundId: round?.id }),
          state_values: responseState('1'),
        },
      }),
    });
    expect(forged.json.response_action).toBe('errors');
    expect(Object.values(forged.json.errors).join(' ')).toContain('meant for someone else');
    expect(((await db().select({ n: count() }).from(roundResponses))[0] as { n: number }).n).toBe(0);
  });

  it('answers help and unknown text without opening anything', async () => {
    const help = await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: 'help', userId: STAFF }),
    });
    expect(help.status).toBe(200);
    expect(help.json.response_type).toBe('ephemeral');
    expect(help.json.text).toContain('/rate-service');
    expect(help.json.text).toContain('/action-plan');
    const unknown = await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: 'frobnicate', userId: STAFF }),
    });
    expect(unknown.json.text).toContain('frobnicate');
    expect(unknown.json.text).toContain('/rate-service help');
    // What was typed comes back as typed, as code in rich text, and can neither mention nor restyle.
    const hostile = await app.send({
      kind: 'command',
      fields: slashCommand({ command: '/rate-service', text: '_frob_ <@U123> `x`', userId: STAFF }),
    });
    expectWithinBlockKitLimits('message', hostile.json);
    const texts = slackTexts(hostile.json);
    expect(texts.literal).toContain('_frob_ <@U123> `x`');
    for (const s of texts.mrkdwn) expect(s).not.toMatch(/<@U123>|_frob_|`x`/);
    expect(standIn.callsTo('views.open')).toHaveLength(0);
  });

  it.each([
    [
      'score 0',
      { [ROUND_MODAL.blocks.selfScore]: { [ROUND_MODAL.actionId]: staticSelect('0') } },
      ROUND_MODAL.blocks.selfScore,
    ],
    [
      'score 11',
      { [ROUND_MODAL.blocks.selfScore]: { [ROUND_MODAL.actionId]: staticSelect('11') } },
      ROUND_MODAL.blocks.selfScore,
    ],
    [
      'no customer',
      { [ROUND_MODAL.blocks.customerUser]: { [ROUND_MODAL.actionId]: usersSelect(null) } },
      ROUND_MODAL.blocks.customerUser,
    ],
    [
      'a bot',
      { [ROUND_MODAL.blocks.customerUser]: { [ROUND_MODAL.actionId]: usersSelect('UBOTTY') } },
      ROUND_MODAL.blocks.customerUser,
    ],
    [
      'themselves',
      { [ROUND_MODAL.blocks.customerUser]: { [ROUND_MODAL.actionId]: usersSelect(STAFF) } },
      ROUND_MODAL.blocks.customerUser,
    ],
    [
      'no unit',
      { [ROUND_MODAL.blocks.unit]: { [ROUND_MODAL.actionId]: plainInput('') } },
      ROUND_MODAL.blocks.unit,
    ],
    [
      'a note over the limit',
      { [ROUND_MODAL.blocks.selfNote]: { [ROUND_MODAL.actionId]: plainInput('x'.repeat(3000)) } },
      ROUND_MODAL.blocks.selfNote,
    ],
    [
      'a service over the limit',
      { [ROUND_MODAL.blocks.newService]: { [ROUND_MODAL.actionId]: plainInput('s'.repeat(200)) } },
      ROUND_MODAL.blocks.newService,
    ],
    [
      'a wrong type',
      {
        [ROUND_MODAL.blocks.selfScore]: {
          [ROUND_MODAL.actionId]: { type: 'static_select', selected_option: 8 } as unknown as ViewStateValue,
        },
      },
      ROUND_MODAL.blocks.selfScore,
    ],
  ])('answers %s with a field error and writes nothing', async (_name, overrides, blockId) => {
    const modal = await openRoundModal();
    const response = await submitRound(modal, roundState(overrides));
    expect(response.status).toBe(200);
    expect(response.json.response_action).toBe('errors');
    expect(Object.keys(response.json.errors)).toContain(blockId);
    expect(await roundCount()).toBe(0);
    expect(messagesTo(CUSTOMER)).toHaveLength(0);
  });

  it('refuses tampered private_metadata', async () => {
    const modal = await openRoundModal();
    const response = await submitRound({ ...modal, private_metadata: '{"v":2,"admin":true}' });
    expect(response.json.response_action).toBe('errors');
    expect(await roundCount()).toBe(0);
    const tamperedResponse = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: CUSTOMER,
        view: {
          callback_id: RESPONSE_MODAL.callbackId,
          private_metadata: 'not json',
          state_values: responseState('5'),
        },
      }),
    });
    expect(tamperedResponse.json.response_action).toBe('errors');
  });

  it('stores one round when the same view is submitted twice, and messages the customer once', async () => {
    const modal = await openRoundModal();
    const [first, second] = await Promise.all([submitRound(modal), submitRound(modal)]);
    expect(first.body).toBe('');
    expect(second.body).toBe('');
    expect(await roundCount()).toBe(1);
    await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === CUSTOMER);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(messagesTo(CUSTOMER)).toHaveLength(1);
  });

  it('refuses a second open round for the same customer and service in the modal', async () => {
    await submitRound(await openRoundModal());
    const second = await submitRound(await openRoundModal());
    expect(second.json.response_action).toBe('errors');
    expect(second.json.errors[ROUND_MODAL.blocks.newService]).toContain('already have an open round');
    expect(await roundCount()).toBe(1);
  });

  it('prefills the unit and offers earlier services the next time', async () => {
    await submitRound(await openRoundModal());
    standIn.reset();
    standIn.addUser({ id: CUSTOMER, name: 'casey', real_name: 'Casey Customer' });
    const modal = await openRoundModal();
    const text = JSON.stringify(modal);
    expect(text).toContain('"initial_value":"Reference"');
    expect(text).toContain(ROUND_MODAL.blocks.previousService);
    expect(text).toContain('Interlibrary loans');
  });

  it.each([
    ['a wrong secret', { signature: signBody('wrong-secret', Math.floor(Date.now() / 1000), 'x') }],
    ['no signature', { signature: null }],
    ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 301 }],
    ['a future timestamp', { timestamp: Math.floor(Date.now() / 1000) + 600 }],
    ['a changed body', { mutateBody: (raw: string) => raw.replace('Reference', 'Referencf') }],
  ])('refuses a request with %s: 401, nothing written, no Slack call', async (_name, options) => {
    const response = await app.send(
      {
        kind: 'interactive',
        payload: viewSubmission({
          userId: STAFF,
          view: {
            callback_id: ROUND_MODAL.callbackId,
            private_metadata: '{"v":1}',
            state_values: roundState(),
          },
        }),
      },
      options,
    );
    expect(response.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await roundCount()).toBe(0);
    expect(standIn.calls.filter((call) => call.method !== 'auth.test')).toHaveLength(0);
    expect(app.logs.text).not.toContain(TEST_SIGNING_SECRET);
    expect(app.logs.text).not.toContain(TEST_BOT_TOKEN);
  });

  it('answers /healthz with 200 while the database answers', async () => {
    const response = await fetch(`${app.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, database: getDb().kind });
    expect((await fetch(`${app.baseUrl}/nowhere`)).status).toBe(404);
  });

  it('never logs the bot token or signing secret during a round', async () => {
    await submitRound(await openRoundModal());
    await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === CUSTOMER);
    expect(app.logs.lines.length).toBeGreaterThan(0);
    expect(app.logs.text).not.toContain(TEST_BOT_TOKEN);
    expect(app.logs.text).not.toContain(TEST_SIGNING_SECRET);
  });

  it('still tells the staff member when the customer cannot be messaged', async () => {
    standIn.on('chat.postMessage', (call) =>
      call.args.channel === CUSTOMER ? { body: { ok: false, error: 'cannot_dm_bot' } } : undefined,
    );
    await submitRound(await openRoundModal());
    const notice = await standIn.waitForCall('chat.postMessage', (c) => c.args.channel === STAFF);
    expect(JSON.stringify(notice.args.blocks)).toContain('cannot_dm_bot');
    const [round] = await db().select().from(rounds).where(eq(rounds.staffUserId, STAFF));
    expect(round?.requestTs).toBeNull();
  });

  it("counts the interview day's today in the staff member's own calendar, through the form", async () => {
    // 05:00 UTC on 25 November: still the 24th in Pago Pago (UTC-11), already the 25th in London.
    await app.stop();
    app = await startTestApp({ database: getDb(), standIn, clock: fixedClock('2026-11-25T05:00:00Z') });
    standIn.addUser({ id: 'UPAGO', name: 'pat', real_name: 'Pat Pago', tz: 'Pacific/Pago_Pago' });
    const { blocks: ids, actionId } = ROUND_MODAL;
    const theirToday = { [ids.interviewOn]: { [actionId]: datePicker('2026-11-24') } };

    const pago = await submitRound(await openRoundModal('UPAGO'), roundState(theirToday), 'UPAGO');
    expect(pago.status).toBe(200);
    expect(pago.body).toBe('');
    const [stored] = await db().select().from(rounds).where(eq(rounds.staffUserId, 'UPAGO'));
    expect(stored?.interviewOn).toBe('2026-11-24');

    standIn.reset();
    const london = await submitRound(await openRoundModal(STAFF), roundState(theirToday), STAFF);
    expect(london.json.response_action).toBe('errors');
    expect(london.json.response_action).toBe('errors');
    expect(london.json.errors[ids.interviewOn]).toBe('Choose today or a later day.');
    expect(await db().select().from(rounds).where(eq(rounds.staffUserId, STAFF))).toEqual([]);
  });
});
