import { asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { actionPlans, planSteps, reminders, rounds } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { CLOSE_MODAL, NOTE_MODAL, PLAN_ACTIONS, PLAN_MODAL } from '../../src/modules/plans/plans.views.js';
import { RESPONSE_MODAL, ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/reminders.js';
import {
  blockAction,
  checkboxes,
  datePicker,
  plainInput,
  radio,
  slashCommand,
  staticSelect,
  usersSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

const MANAGER = 'UMANAGER';
const STAFF = 'USTAFF';
const CUSTOMER = 'UCUST';
const OTHER = 'UOTHER';
const CHANNEL = 'CPLANS';
const NOW = '2026-11-24T10:00:00Z'; // Tuesday, 10:00 in London

// The customer's words: only the two the staff member chooses to share may ever reach the channel.
const ANSWERS = {
  needFromMe: 'PRIVATE-NEED Interlibrary loans on time',
  whyDependOnMe: 'PRIVATE-WHY You run the desk',
  notAdequatelyProviding: 'SHARED-NOT-PROVIDING Status updates',
  concentrateOn: 'SHARED-CONCENTRATE Replying to email',
  noLongerNeed: 'PRIVATE-NO-LONGER The paper slips',
  additionalComments: 'PRIVATE-COMMENTS Thanks',
};

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

const channelPosts = () =>
  standIn
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === CHANNEL && call.reply?.body.ok === true);
const channelText = () =>
  JSON.stringify(
    [
      ...channelPosts(),
      ...standIn.callsTo('chat.update').filter((call) => call.args.channel === CHANNEL),
    ].map((c) => c.args),
  );

describeEachDatabase('/action-plan end to end', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    standIn.addUser({ id: MANAGER, name: 'morgan', tz: 'Europe/London', is_admin: true });
    standIn.addUser({ id: STAFF, name: 'sam', tz: 'Europe/London' });
    standIn.addUser({ id: CUSTOMER, name: 'casey', tz: 'Europe/London' });
    standIn.addUser({ id: OTHER, name: 'olly', tz: 'Europe/London' });
    app = await startTestApp({ database: getDb(), standIn, clock });
  });
  afterEach(() => app.stop());

  async function completedRound(selfScore: number, customerScore: number, createdAt: string) {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      service: 'Interlibrary loans',
      selfScore,
      createdAt: new Date(createdAt),
    });
    await app.radar.slack.deps.rounds.recordResponse(
      {
        roundId: round.id,
        customerScore,
        ...ANSWERS,
        answeredByUserId: CUSTOMER,
        recordedOnBehalf: false,
        sourceViewId: `VR${round.id}`,
      },
      new Date(createdAt),
    );
    return round;
  }

  const command = (userId: string, text: string, channelId = CHANNEL) =>
    app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/action-plan',
        text,
        userId,
        channelId,
        responseUrl: app.responseUrl,
      }),
    });

  const click = (userId: string, actionId: string, value: string) =>
    app.send({
      kind: 'interactive',
      payload: blockAction({ userId, actionId, value, channelId: CHANNEL, responseUrl: app.responseUrl }),
    });

  const submit = (
    userId: string,
    view: { id: string; callback_id: string; private_metadata: string },
    state_values: Record<string, Record<string, unknown>>,
  ) =>
    app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId,
        view: {
          id: view.id,
          callback_id: view.callback_id,
          private_metadata: view.private_metadata,
          state_values: state_values as never,
        },
      }),
    });

  const opened = async (
    callbackId: string,
    after = 0,
  ): Promise<{ id: string; callback_id: string; private_metadata: string }> => {
    const call = await standIn.waitForCall(
      'views.open',
      (c) => c.args.view?.callback_id === callbackId && c.at >= after,
    );
    expectWithinBlockKitLimits('modal', call.args.view);
    await expect.poll(() => call.reply?.body.ok).toBe(true);
    const view = call.reply?.body.view as { id: string } | undefined;
    return { ...call.args.view, id: view?.id ?? '' };
  };

  const tick = async (at: Date) => {
    clock.set(at);
    await app.radar.scheduler.tick(at);
  };

  async function openAndWrite(share: boolean) {
    const opening = await command(MANAGER, `<@${STAFF}|sam>`);
    expect(opening.status).toBe(200);
    const said = await standIn.waitForCall('respond');
    expect(String(said.args.text)).toContain('opened');
    const [plan] = await db().select().from(actionPlans);
    if (!plan) throw new Error('no plan stored');
    expect(plan).toMatchObject({
      staffUserId: STAFF,
      managerUserId: MANAGER,
      channelId: CHANNEL,
      state: 'awaiting_plan',
    });

    await click(STAFF, PLAN_ACTIONS.write, String(plan.id));
    const modal = await opened(PLAN_MODAL.callbackId);
    const { blocks: ids, actionId } = PLAN_MODAL;
    const written = await submit(STAFF, modal, {
      [ids.strengths]: { [actionId]: plainInput('I know the catalogue well.') },
      [ids.improvements]: { [actionId]: plainInput('Keeping people informed.') },
      [ids.steps]: { [actionId]: plainInput('- Reply within a day\n- Send a weekly status note\n') },
      [ids.successMeasure]: { [actionId]: plainInput('Fewer "where is my loan" emails.') },
      [ids.checkinEvery]: { [actionId]: staticSelect('14') },
      [ids.remeasureOn]: { [actionId]: datePicker('2027-01-25') },
      [ids.share]: { [actionId]: checkboxes(share ? [PLAN_MODAL.shareValue] : []) },
    });
    expect(written.body).toBe('');
    // The plan is posted into the thread just after the form is acknowledged.
    await expect.poll(async () => (await db().select().from(actionPlans))[0]?.planMessageTs).toBeTruthy();
    if (share)
      await standIn.waitForCall('chat.postMessage', (c) => String(c.args.text).includes('shared two'));
    return plan.id;
  }

  it('runs the loop: manager opens, staff writes, check-in, step done, re-measure, before/after, close', async () => {
    const before = await completedRound(8, 4, '2026-11-10T10:00:00Z');
    const planId = await openAndWrite(true);

    // The parent message: names and scores, no customer words.
    const parent = channelPosts()[0] as RecordedCall;
    expect(parent.args.thread_ts).toBeUndefined();
    expect(JSON.stringify(parent.args.blocks)).toContain(`<@${MANAGER}>`);
    expect(JSON.stringify(parent.args.blocks)).toContain('-4');
    for (const call of channelPosts()) expectWithinBlockKitLimits('message', call.args);

    const [plan] = await db().select().from(actionPlans).where(eq(actionPlans.id, planId));
    expect(plan).toMatchObject({
      state: 'active',
      roundId: before.id,
      checkinEveryDays: 14,
      remeasureOn: '2027-01-25',
      sharedCustomerAnswers: true,
    });
    const steps = await db()
      .select()
      .from(planSteps)
      .where(eq(planSteps.planId, planId))
      .orderBy(asc(planSteps.position));
    expect(steps.map((step) => step.text)).toEqual(['Reply within a day', 'Send a weekly status note']);
    const due = await db()
      .select()
      .from(reminders)
      .where(eq(reminders.planId, planId))
      .orderBy(asc(reminders.dueAt));
    expect(due.map((row) => row.kind)).toEqual([
      'plan_checkin',
      'plan_checkin',
      'plan_checkin',
      'plan_checkin',
      'plan_remeasure',
    ]);
    expect(due[0]?.dueAt.toISOString()).toBe('2026-12-08T10:00:00.000Z');

    // Shared by choice: the two answers, and only those two.
    const text = channelText();
    expect(text).toContain('SHARED-NOT-PROVIDING');
    expect(text).toContain('SHARED-CONCENTRATE');
    expect(text).not.toContain('PRIVATE-');

    // A check-in arrives in the thread on the cadence.
    await tick(due[0]?.dueAt as Date);
    const checkin = await standIn.waitForCall('chat.postMessage', (c) =>
      String(c.args.text).startsWith('Check-in'),
    );
    expect(checkin.args).toMatchObject({ channel: CHANNEL, thread_ts: plan?.threadTs });
    expectWithinBlockKitLimits('message', checkin.args);

    // A step is marked done, once, by the staff member; a stranger cannot.
    const first = steps[0];
    if (!first) throw new Error('no step');
    await click(OTHER, PLAN_ACTIONS.markStep, String(first.id));
    await standIn.waitForCall('respond', (c) =>
      String(c.args.text).includes('Only the staff member and the manager'),
    );
    expect((await db().select().from(planSteps).where(eq(planSteps.id, first.id)))[0]?.doneAt).toBeNull();
    await click(STAFF, PLAN_ACTIONS.markStep, String(first.id));
    await click(STAFF, PLAN_ACTIONS.markStep, String(first.id));
    await standIn.waitForCall('respond', (c) => String(c.args.text).includes('already done'));
    // The first click's message update follows its acknowledgement: wait for both clicks' work.
    await standIn.waitForCall('chat.update', (c) => c.args.ts === plan?.planMessageTs);
    await expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);
    const [done] = await db().select().from(planSteps).where(eq(planSteps.id, first.id));
    expect(done?.doneByUserId).toBe(STAFF);
    const updated = standIn.callsTo('chat.update').filter((c) => c.args.ts === plan?.planMessageTs);
    expect(updated).toHaveLength(1);
    expect(JSON.stringify(updated[0]?.args.blocks)).toContain('white_check_mark');

    // The manager adds a note.
    await click(MANAGER, PLAN_ACTIONS.addNote, String(planId));
    const noteModal = await opened(NOTE_MODAL.callbackId);
    await submit(MANAGER, noteModal, {
      [NOTE_MODAL.block]: { [NOTE_MODAL.actionId]: plainInput('Good progress.') },
    });
    await standIn.waitForCall('chat.postMessage', (c) => String(c.args.text).startsWith('Note from'));

    // The re-measure date asks for a new round with the same customer, prefilled.
    const remeasure = due.find((row) => row.kind === 'plan_remeasure');
    await tick(remeasure?.dueAt as Date);
    await standIn.waitForCall('chat.postMessage', (c) => String(c.args.text).includes('re-measure'));
    const openedAt = Date.now();
    await click(STAFF, PLAN_ACTIONS.startRemeasure, String(planId));
    const roundModal = await opened(ROUND_MODAL.callbackId, openedAt);
    const envelope = JSON.parse(roundModal.private_metadata);
    expect(envelope).toMatchObject({ seal: 1, for: STAFF });
    expect(JSON.parse(envelope.data)).toEqual({ v: 1, planId });
    expect(JSON.stringify(roundModal)).toContain(`"initial_user":"${CUSTOMER}"`);
    const { blocks: r, actionId: a } = ROUND_MODAL;
    await submit(STAFF, roundModal, {
      [r.customerUser]: { [a]: usersSelect(CUSTOMER) },
      [r.newService]: { [a]: plainInput('Interlibrary loans') },
      [r.segment]: { [a]: staticSelect('core') },
      [r.unit]: { [a]: plainInput('Reference') },
      [r.selfScore]: { [a]: staticSelect('7') },
      [r.interviewOn]: { [a]: datePicker('2027-02-01') },
    });
    const linkedRound = async () =>
      (await db().select().from(actionPlans).where(eq(actionPlans.id, planId)))[0]?.remeasureRoundId;
    await expect.poll(linkedRound).not.toBeNull();
    const linked = { remeasureRoundId: await linkedRound() };

    // The customer answers the new round: the thread gets before and after.
    const customerAt = Date.now();
    await click(CUSTOMER, 'round_answer', String(linked?.remeasureRoundId));
    const responseModal = await opened(RESPONSE_MODAL.callbackId, customerAt);
    const { blocks: q, actionId: qa } = RESPONSE_MODAL;
    await submit(CUSTOMER, responseModal, {
      [q.needFromMe]: { [qa]: plainInput('PRIVATE-2 loans') },
      [q.whyDependOnMe]: { [qa]: plainInput('PRIVATE-2 desk') },
      [q.notAdequatelyProviding]: { [qa]: plainInput('PRIVATE-2 nothing now') },
      [q.concentrateOn]: { [qa]: plainInput('PRIVATE-2 keep it up') },
      [q.noLongerNeed]: { [qa]: plainInput('PRIVATE-2 none') },
      [q.customerScore]: { [qa]: staticSelect('8') },
    });
    const beforeAfter = await standIn.waitForCall('chat.postMessage', (c) =>
      String(c.args.text).startsWith('Before and after'),
    );
    expect(beforeAfter.args).toMatchObject({ channel: CHANNEL, thread_ts: plan?.threadTs });
    const shown = JSON.stringify(beforeAfter.args.blocks);
    expect(shown).toContain('4/10');
    expect(shown).toContain('8/10');
    expect(shown).toContain('-4');
    expect(shown).toContain('+1');
    expect(channelText()).not.toContain('PRIVATE-');

    // Closing with an outcome.
    await click(STAFF, PLAN_ACTIONS.close, String(planId));
    const closeModal = await opened(CLOSE_MODAL.callbackId);
    await submit(STAFF, closeModal, {
      [CLOSE_MODAL.blocks.outcome]: { [CLOSE_MODAL.actionId]: radio('improved') },
      [CLOSE_MODAL.blocks.note]: { [CLOSE_MODAL.actionId]: plainInput('Emails down by half.') },
    });
    const [closed] = await db().select().from(actionPlans).where(eq(actionPlans.id, planId));
    expect(closed).toMatchObject({
      state: 'closed',
      outcome: 'improved',
      outcomeNote: 'Emails down by half.',
    });
    const left = await db().select().from(reminders).where(eq(reminders.planId, planId));
    expect(left.filter((row) => row.state === 'pending')).toHaveLength(0);
    await standIn.waitForCall('chat.postMessage', (c) => String(c.args.text).includes('Plan closed'));
  });

  it('mentions the manager when two check-ins in a row go unanswered', async () => {
    await completedRound(8, 4, '2026-11-10T10:00:00Z');
    const planId = await openAndWrite(false);
    const checkins = (
      await db().select().from(reminders).where(eq(reminders.planId, planId)).orderBy(asc(reminders.dueAt))
    ).filter((row) => row.kind === 'plan_checkin');
    for (const checkin of checkins.slice(0, 3)) await tick(checkin.dueAt);
    const posted = standIn
      .callsTo('chat.postMessage')
      .filter((c) => String(c.args.text).startsWith('Check-in'));
    expect(posted).toHaveLength(3);
    expect(JSON.stringify(posted[1]?.args.blocks)).not.toContain(`<@${MANAGER}>`);
    expect(JSON.stringify(posted[2]?.args.blocks)).toContain(
      `<@${MANAGER}>: the last two check-ins went unanswered`,
    );
  });

  it('keeps the customer’s words out of the thread unless the staff member shares them', async () => {
    await completedRound(8, 4, '2026-11-10T10:00:00Z');
    await openAndWrite(false);
    await standIn.waitForCall('chat.postMessage', (c) => String(c.args.text).includes('action plan of'));
    expect(channelText()).not.toContain('SHARED-');
    expect(channelText()).not.toContain('PRIVATE-');
  });

  it('refuses a non-manager opening a plan for someone else, and writes nothing', async () => {
    await command(OTHER, `<@${STAFF}|sam>`);
    const refusal = await standIn.waitForCall('respond');
    expect(String(refusal.args.text)).toContain('Only managers');
    expect(await db().select().from(actionPlans)).toHaveLength(0);
    expect(channelPosts()).toHaveLength(0);
  });

  it('lets a staff member open their own plan, and refuses others on its buttons', async () => {
    await command(STAFF, `<@${STAFF}|sam>`);
    const said = await standIn.waitForCall('respond');
    expect(String(said.args.text)).toContain('no completed round yet');
    const [plan] = await db().select().from(actionPlans);
    expect(plan).toMatchObject({ staffUserId: STAFF, managerUserId: STAFF, roundId: null });
    await click(OTHER, PLAN_ACTIONS.write, String(plan?.id));
    const notice = await standIn.waitForCall('views.open');
    expect(JSON.stringify(notice.args.view)).toContain(`Only <@${STAFF}>`);
    expect(notice.args.view.callback_id).not.toBe(PLAN_MODAL.callbackId);
  });

  it('tells the manager how to invite the app when it is not in the channel', async () => {
    standIn.on('chat.postMessage', (call) =>
      call.args.channel === 'CNOTIN' ? { body: { ok: false, error: 'not_in_channel' } } : undefined,
    );
    await command(MANAGER, `<@${STAFF}|sam>`, 'CNOTIN');
    const said = await standIn.waitForCall('respond');
    expect(String(said.args.text)).toContain('/invite @Service Radar');
    expect(await db().select().from(actionPlans)).toHaveLength(0);
  });

  it('answers help, list and bad input', async () => {
    const help = await command(STAFF, 'help');
    expect(help.json.text).toContain('/action-plan @someone');
    const bad = await command(STAFF, 'sam please');
    expect(bad.json.text).toContain('@-mention');
    const wrongRound = await command(MANAGER, `<@${STAFF}|sam> round:999`);
    expect(wrongRound.status).toBe(200);
    expect(String((await standIn.waitForCall('respond')).args.text)).toContain("isn't a completed round");
    await command(STAFF, 'list');
    await standIn.waitForCall('respond', (c) => String(c.args.text).includes('no open action plans'));
    expect(await db().select().from(rounds)).toHaveLength(0);
  });
});
