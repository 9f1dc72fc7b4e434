import { count, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { actionPlans, planNotes, planSteps, roundResponses, rounds } from '../../src/db/schema.js';
import { NOTE_MODAL, PLAN_MODAL } from '../../src/modules/plans/plans.views.js';
import { RESPONSE_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/digests.js';
import {
  checkboxes,
  datePicker,
  plainInput,
  roundFormSubmission,
  type SlackRequest,
  sealedMetadata,
  staticSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * The same submission, 50 times at once (a double click multiplied, or a proxy retrying): one row,
 * one set of messages, and every copy answered as a success. The app subscribes to no Events API
 * events (no app.event or app.message listener: Slack sends it only commands and interactions), so
 * the retried-event case (X-Slack-Retry-Num) does not arise; the last test sends the same
 * submission with those headers anyway, as a proxy or Slack's edge might, and it still counts once.
 */

const COPIES = 50;
const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
const MANAGER = 'UMANAGER';

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function roundSubmission(viewId: string): SlackRequest {
  return roundFormSubmission({
    userId: STAFF,
    viewId,
    answers: {
      customerUserId: CUSTOMER,
      service: 'Interlibrary loans',
      selfScore: '8',
      interviewOn: inDays(7),
    },
  });
}

describeEachDatabase('duplicate submissions', (getDb) => {
  let app: TestApp;
  const db = () => getDb().handle.db;
  const rowsIn = async (table: typeof rounds | typeof roundResponses | typeof planNotes | typeof planSteps) =>
    ((await db().select({ n: count() }).from(table))[0] as { n: number }).n;

  beforeEach(async () => {
    standIn.reset();
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', tz: 'Europe/London' });
    standIn.addUser({ id: MANAGER, name: 'morgan', tz: 'Europe/London', is_admin: true });
    app = await startTestApp({ database: getDb(), standIn });
  });
  afterEach(() => app.stop());

  const settle = () => expect.poll(() => app.radar.slack.inFlight.size, { timeout: 10_000 }).toBe(0);

  it(`stores one round from the same round submission sent ${COPIES} times at once, and asks the customer once`, async () => {
    const request = roundSubmission('VDUPROUND1');
    const responses = await Promise.all(Array.from({ length: COPIES }, () => app.send(request)));
    expect(responses.map((r) => `${r.status} ${r.body}`)).toEqual(Array(COPIES).fill('200 '));
    expect(await rowsIn(rounds)).toBe(1);
    await settle();
    const asks = standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === CUSTOMER);
    expect(asks).toHaveLength(1);
    expect(standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === STAFF)).toHaveLength(1);
  });

  it(`stores one response from the same answers sent ${COPIES} times at once, and tells the staff member once`, async () => {
    const roundId = await seedRound(db(), {
      staff: STAFF,
      unit: 'Reference',
      self: 8,
      customerUserId: CUSTOMER,
      status: 'awaiting_customer',
    });
    const { blocks: ids, actionId } = RESPONSE_MODAL;
    const answer = (text: string) => ({ [actionId]: plainInput(text) });
    const request: SlackRequest = {
      kind: 'interactive',
      payload: viewSubmission({
        userId: CUSTOMER,
        view: {
          id: 'VDUPRESPONSE1',
          callback_id: RESPONSE_MODAL.callbackId,
          private_metadata: sealedMetadata(RESPONSE_MODAL.callbackId, CUSTOMER, { roundId }),
          state_values: {
            [ids.needFromMe]: answer('Books.'),
            [ids.whyDependOnMe]: answer('You order them.'),
            [ids.notAdequatelyProviding]: answer('Updates.'),
            [ids.concentrateOn]: answer('Email.'),
            [ids.noLongerNeed]: answer('Nothing.'),
            [ids.customerScore]: { [actionId]: staticSelect('5') },
          },
        },
      }),
    };
    const responses = await Promise.all(Array.from({ length: COPIES }, () => app.send(request)));
    expect(responses.map((r) => `${r.status} ${r.body}`)).toEqual(Array(COPIES).fill('200 '));
    expect(await rowsIn(roundResponses)).toBe(1);
    const [round] = await db().select().from(rounds).where(eq(rounds.id, roundId));
    expect(round?.status).toBe('completed');
    await settle();
    const results = standIn
      .callsTo('chat.postMessage')
      .filter((call) => call.args.channel === STAFF && String(call.args.text).includes('5/10'));
    expect(results).toHaveLength(1);
  });

  it(`writes one plan and one note from submissions sent ${COPIES} times at once, each posted in the thread once`, async () => {
    const plan = await app.radar.slack.deps.planDeps.plans.create({
      staffUserId: STAFF,
      managerUserId: MANAGER,
      roundId: null,
      channelId: 'CPLANS',
      threadTs: '1700000000.000100',
      createdAt: new Date(),
    });
    const { blocks: ids, actionId } = PLAN_MODAL;
    const write: SlackRequest = {
      kind: 'interactive',
      payload: viewSubmission({
        userId: STAFF,
        view: {
          id: 'VDUPPLAN1',
          callback_id: PLAN_MODAL.callbackId,
          private_metadata: sealedMetadata(PLAN_MODAL.callbackId, STAFF, { planId: plan.id }),
          state_values: {
            [ids.strengths]: { [actionId]: plainInput('I know the catalogue.') },
            [ids.improvements]: { [actionId]: plainInput('Keeping people informed.') },
            [ids.steps]: { [actionId]: plainInput('- Reply within a day\n- Weekly status note') },
            [ids.successMeasure]: { [actionId]: plainInput('Fewer chasing emails.') },
            [ids.checkinEvery]: { [actionId]: staticSelect('14') },
            [ids.remeasureOn]: { [actionId]: datePicker(inDays(60)) },
            [ids.share]: { [actionId]: checkboxes([]) },
          },
        },
      }),
    };
    const written = await Promise.all(Array.from({ length: COPIES }, () => app.send(write)));
    expect(written.map((r) => `${r.status} ${r.body}`)).toEqual(Array(COPIES).fill('200 '));
    expect(await rowsIn(planSteps)).toBe(2);
    const [stored] = await db().select().from(actionPlans).where(eq(actionPlans.id, plan.id));
    expect(stored?.state).toBe('active');

    const note: SlackRequest = {
      kind: 'interactive',
      payload: viewSubmission({
        userId: MANAGER,
        view: {
          id: 'VDUPNOTE1',
          callback_id: NOTE_MODAL.callbackId,
          private_metadata: sealedMetadata(NOTE_MODAL.callbackId, MANAGER, { planId: plan.id }),
          state_values: { [NOTE_MODAL.block]: { [NOTE_MODAL.actionId]: plainInput('Good start.') } },
        },
      }),
    };
    const noted = await Promise.all(Array.from({ length: COPIES }, () => app.send(note)));
    expect(noted.map((r) => `${r.status} ${r.body}`)).toEqual(Array(COPIES).fill('200 '));
    expect(await rowsIn(planNotes)).toBe(1);
    await settle();
    const threadPosts = standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === 'CPLANS');
    expect(threadPosts.filter((call) => JSON.stringify(call.args).includes('Good start.'))).toHaveLength(1);
    expect(
      threadPosts.filter((call) => JSON.stringify(call.args.blocks).includes('Reply within a day')),
    ).toHaveLength(1);
  });

  it('counts a submission once however many retry headers it arrives with', async () => {
    const request = roundSubmission('VDUPRETRY1');
    const responses = await Promise.all(
      [undefined, '1', '2', '3'].map((retry) =>
        app.send(
          request,
          retry ? { headers: { 'X-Slack-Retry-Num': retry, 'X-Slack-Retry-Reason': 'http_timeout' } } : {},
        ),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await rowsIn(rounds)).toBe(1);
    await settle();
    expect(standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === CUSTOMER)).toHaveLength(
      1,
    );
  });
});
