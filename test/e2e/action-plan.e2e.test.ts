import { asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { actionPlans, planSteps, reminders, rounds } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import {
  CLOSE_MODAL,
  NOTE_MODAL,
  PLAN_ACTIONS,
  PLAN_MODAL,
  PLAN_OPEN_MODAL,
} from '../../src/modules/plans/plans.views.js';
import { RESPONSE_MODAL, ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/reminders.js';
import {
  blockAction,
  checkboxes,
  conversationsSelect,
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
const CUSTOMER_NAME = 'Casey Customer';
const OTHER = 'UOTHER';
/** A public channel: where a manager may type the command, and where nothing of the plan may go. */
const PUBLIC = 'CPLANS';
/** A private channel the app is in (the stand-in says so of ids starting with G). */
const PRIVATE = 'GPLANS';
const NOW = '2026-11-24T10:00:00Z'; // Tuesday, 10:00 in London

// The customer's words: only the two the staff member chooses to share, with the customer's
// agreement, may ever leave the staff member, and then only to the manager.
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

/** Everything the app sent into a conversation: posts (accepted), updates and ephemeral messages. */
const postsIn = (channel: string) =>
  standIn
    .callsTo('chat.postMessage')
    .filter((call) => call.args.channel === channel && call.reply?.body.ok === true);
const everythingIn = (channel: string) =>
  standIn.calls.filter(
    (call) =>
      ['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'files.completeUploadExternal'].includes(
        call.method,
      ) &&
      (call.args.channel === channel || call.args.channel_id === channel),
  );
const textIn = (channel: string) => JSON.stringify(everythingIn(channel).map((c) => c.args));
/** The app's group DM with the manager and the staff member, once opened. */
const groupDm = () => {
  const opened = standIn
    .callsTo('conversations.open')
    .find((call) => String(call.args.users).split(',').length > 1);
  return String(opened?.reply?.body.channel && (opened.reply.body.channel as { id: string }).id);
};

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

  async function completedRound(
    selfScore: number,
    customerScore: number,
    createdAt: string,
    { shareWithManager = false }: { shareWithManager?: boolean } = {},
  ) {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      customerName: CUSTOMER_NAME,
      service: 'Interlibrary loans',
      selfScore,
      createdAt: new Date(createdAt),
    });
    await app.radar.slack.deps.rounds.recordResponse(
      {
        roundId: round.id,
        customerScore,
        ...ANSWERS,
        shareWithManager,
        answeredByUserId: CUSTOMER,
        recordedOnBehalf: false,
        sourceViewId: `VR${round.id}`,
      },
      new Date(createdAt),
    );
    return round;
  }

  const command = (userId: string, text: string, channelId = PUBLIC) =>
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

  const click = (userId: string, actionId: string, value: string, channelId = groupDm()) =>
    app.send({
      kind: 'interactive',
      payload: blockAction({ userId, actionId, value, channelId, responseUrl: app.responseUrl }),
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

  /** `/action-plan @staff` typed in a public channel: the manager's form, and what it says. */
  async function openForm(userId = MANAGER, staff = STAFF) {
    const mark = Date.now();
    const opening = await command(userId, `<@${staff}|sam>`);
    expect(opening.status).toBe(200);
    expect(opening.body).toBe('');
    return opened(PLAN_OPEN_MODAL.callbackId, mark);
  }

  const submitPlace = (
    form: { id: string; callback_id: string; private_metadata: string },
    channelId: string | null,
    userId = MANAGER,
  ) =>
    submit(userId, form, {
      [PLAN_OPEN_MODAL.blocks.channel]: { [PLAN_OPEN_MODAL.actionId]: conversationsSelect(channelId) },
    });

  /** Opens a plan through the manager's form; the plan once stored, and the form's last words. */
  async function openPlanVia(channelId: string | null, userId = MANAGER, staff = STAFF) {
    const form = await openForm(userId, staff);
    const submitted = await submitPlace(form, channelId, userId);
    expect(submitted.json.response_action).toBe('update');
    const told = await standIn.waitForCall(
      'views.update',
      (c) => c.args.view_id === form.id && String(c.args.view?.title?.text).startsWith('Plan opened'),
    );
    const [plan] = await db().select().from(actionPlans);
    if (!plan) throw new Error('no plan stored');
    return { plan, told: JSON.stringify(told.args.view) };
  }

  async function openAndWrite(share: boolean) {
    const { plan } = await openPlanVia(null);
    expect(plan).toMatchObject({
      staffUserId: STAFF,
      managerUserId: MANAGER,
      channelId: groupDm(),
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
    return { planId: plan.id, modal };
  }

  it('runs the loop: manager opens, staff writes, check-in, step done, re-measure, before/after, close', async () => {
    // The customer agreed that the staff member may share their written answers with the manager.
    const before = await completedRound(8, 4, '2026-11-10T10:00:00Z', { shareWithManager: true });
    const { planId } = await openAndWrite(true);
    const DM = groupDm();

    // The parent message, in the group DM: names and scores, no customer words.
    const parent = postsIn(DM)[0] as RecordedCall;
    expect(parent.args.thread_ts).toBeUndefined();
    expect(JSON.stringify(parent.args.blocks)).toContain(`<@${MANAGER}>`);
    expect(JSON.stringify(parent.args.blocks)).toContain('-4');
    for (const call of postsIn(DM)) expectWithinBlockKitLimits('message', call.args);

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

    // Shared by choice, with the customer's agreement: the two answers, and only those two, to
    // the manager alone; nothing of the customer's in the plan's conversation.
    const shared = textIn(MANAGER);
    expect(shared).toContain('SHARED-NOT-PROVIDING');
    expect(shared).toContain('SHARED-CONCENTRATE');
    expect(shared).not.toContain('PRIVATE-');
    expect(textIn(DM)).not.toContain('SHARED-');
    expect(textIn(DM)).not.toContain('PRIVATE-');

    // A check-in arrives in the thread on the cadence.
    await tick(due[0]?.dueAt as Date);
    const checkin = await standIn.waitForCall('chat.postMessage', (c) =>
      String(c.args.text).startsWith('Check-in'),
    );
    expect(checkin.args).toMatchObject({ channel: DM, thread_ts: plan?.threadTs });
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
    expect(beforeAfter.args).toMatchObject({ channel: DM, thread_ts: plan?.threadTs });
    const shown = JSON.stringify(beforeAfter.args.blocks);
    expect(shown).toContain('4/10');
    expect(shown).toContain('8/10');
    expect(shown).toContain('-4');
    expect(shown).toContain('+1');
    expect(textIn(DM)).not.toContain('PRIVATE-');

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
    const { planId } = await openAndWrite(false);
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

  it('a check-in whose post timed out in the group DM is found in its thread after, never posted twice', async () => {
    // A short Web API cut-off, so Slack can post the check-in after the app stopped waiting.
    await app.stop();
    app = await startTestApp({ database: getDb(), standIn, clock, env: { SLACK_API_TIMEOUT_MS: '300' } });
    await completedRound(8, 4, '2026-11-10T10:00:00Z');
    const { planId } = await openAndWrite(false);
    const DM = groupDm();
    const [first] = (
      await db().select().from(reminders).where(eq(reminders.planId, planId)).orderBy(asc(reminders.dueAt))
    ).filter((row) => row.kind === 'plan_checkin');
    if (!first) throw new Error('no check-in');
    standIn.on('chat.postMessage', async (call) => {
      if (String(call.args.text).startsWith('Check-in')) await new Promise((done) => setTimeout(done, 600));
      return undefined;
    });
    const checkins = () => postsIn(DM).filter((c) => String(c.args.text).startsWith('Check-in'));
    await tick(first.dueAt);
    await expect.poll(() => checkins().length).toBe(1);
    expect((await db().select().from(reminders).where(eq(reminders.id, first.id)))[0]?.state).not.toBe(
      'sent',
    );
    // The next tick asks Slack for the group DM's thread (mpim:history), finds it, and records it.
    await tick(new Date(first.dueAt.getTime() + 3 * 60_000));
    const [row] = await db().select().from(reminders).where(eq(reminders.id, first.id));
    expect(row).toMatchObject({ state: 'sent', messageTs: checkins()[0]?.reply?.body.ts });
    const asked = standIn.callsTo('conversations.replies');
    expect(asked.map((c) => c.args.channel)).toContain(DM);
    expect(checkins()).toHaveLength(1);
  });

  it('keeps the customer’s words out of the thread unless the staff member shares them', async () => {
    await completedRound(8, 4, '2026-11-10T10:00:00Z');
    await openAndWrite(false);
    await standIn.waitForCall('chat.postMessage', (c) => String(c.args.text).includes('action plan of'));
    expect(textIn(groupDm())).not.toContain('SHARED-');
    expect(textIn(groupDm())).not.toContain('PRIVATE-');
    expect(everythingIn(MANAGER)).toEqual([]);
  });

  it('refuses a non-manager opening a plan for someone else, and writes nothing', async () => {
    await command(OTHER, `<@${STAFF}|sam>`);
    const refusal = await standIn.waitForCall('respond');
    expect(String(refusal.args.text)).toContain('Only managers');
    expect(await db().select().from(actionPlans)).toHaveLength(0);
    expect(everythingIn(PUBLIC)).toHaveLength(0);
    expect(standIn.callsTo('views.open')).toHaveLength(0);
  });

  it('lets a staff member open their own plan, in their DM with the app, and refuses others on its buttons', async () => {
    await completedRound(8, 4, '2026-11-10T10:00:00Z', { shareWithManager: true });
    const { plan, told } = await openPlanVia(null, STAFF);
    expect(told).toContain('in your direct messages with Service Radar');
    // The app's DM with them (conversations.open with them alone), not a group DM.
    expect(standIn.callsTo('conversations.open').map((c) => c.args.users)).toEqual([STAFF]);
    expect(plan).toMatchObject({ staffUserId: STAFF, managerUserId: STAFF, channelId: `D${STAFF.slice(1)}` });
    await click(OTHER, PLAN_ACTIONS.write, String(plan.id), plan.channelId);
    const notice = await standIn.waitForCall(
      'views.open',
      (c) => c.args.view?.callback_id !== PLAN_OPEN_MODAL.callbackId,
    );
    expect(JSON.stringify(notice.args.view)).toContain(`Only <@${STAFF}>`);
    expect(notice.args.view.callback_id).not.toBe(PLAN_MODAL.callbackId);
    // Sharing with oneself shares nothing: no option, even with the customer's agreement.
    const mark = Date.now();
    await click(STAFF, PLAN_ACTIONS.write, String(plan.id), plan.channelId);
    const form = await opened(PLAN_MODAL.callbackId, mark);
    expect(JSON.stringify(form)).not.toContain(PLAN_MODAL.blocks.share);
    const { blocks: ids, actionId } = PLAN_MODAL;
    const forged = await submit(STAFF, form, {
      [ids.strengths]: { [actionId]: plainInput('Catalogue.') },
      [ids.improvements]: { [actionId]: plainInput('Updates.') },
      [ids.steps]: { [actionId]: plainInput('- Reply within a day') },
      [ids.successMeasure]: { [actionId]: plainInput('Fewer emails.') },
      [ids.checkinEvery]: { [actionId]: staticSelect('14') },
      [ids.remeasureOn]: { [actionId]: datePicker('2027-01-25') },
      [ids.share]: { [actionId]: checkboxes([PLAN_MODAL.shareValue]) },
    });
    expect(forged.json.errors).toEqual({ [ids.share]: expect.stringContaining('no manager to share with') });
    expect((await db().select().from(actionPlans))[0]?.state).toBe('awaiting_plan');
    expect(everythingIn(PUBLIC)).toEqual([]);
  });

  it('opened from a public channel, the plan goes to the group DM of the app, the manager and the staff member; nothing is posted in the public channel', async () => {
    await completedRound(8, 4, '2026-11-10T10:00:00Z');
    const form = await openForm();
    const shown = JSON.stringify(form);
    expect(shown).toContain(`a group DM of you, <@${STAFF}> and Service Radar`);
    expect(shown).toContain('customer 4/10, self 8/10, gap -4');
    expect(shown).not.toContain(CUSTOMER_NAME);
    expect(shown).not.toContain(CUSTOMER);
    const submitted = await submitPlace(form, null);
    expect(submitted.json).toMatchObject({ response_action: 'update' });
    const told = await standIn.waitForCall(
      'views.update',
      (c) => c.args.view_id === form.id && String(c.args.view?.title?.text).startsWith('Plan opened'),
    );
    expect(JSON.stringify(told.args.view)).toContain(`in a group DM of you, <@${STAFF}> and Service Radar`);

    const [open] = standIn.callsTo('conversations.open');
    expect(String(open?.args.users).split(',').sort()).toEqual([MANAGER, STAFF].sort());
    const DM = groupDm();
    expect(DM).toMatch(/^G/);
    expect(standIn.groupDmMembers(DM)).toEqual([MANAGER, STAFF].sort());
    const [plan] = await db().select().from(actionPlans);
    expect(plan).toMatchObject({ channelId: DM, staffUserId: STAFF, managerUserId: MANAGER });
    expect(postsIn(DM).map((c) => c.args.thread_ts ?? 'parent')).toEqual(['parent', plan?.threadTs]);
    expect(plan?.threadTs).toBe(postsIn(DM)[0]?.reply?.body.ts);
    // Nothing in the public channel where the command was typed: no post, update or ephemeral,
    // and no reply through the command's response URL either.
    await expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);
    expect(everythingIn(PUBLIC)).toEqual([]);
    expect(standIn.callsTo('respond')).toEqual([]);
    // The customer is never named in the plan's conversation.
    expect(textIn(DM)).not.toContain(CUSTOMER_NAME);
    expect(textIn(DM)).not.toContain(CUSTOMER);
    expect(JSON.stringify(postsIn(DM)[0]?.args.blocks)).toContain('Interlibrary loans');
  });

  it('lives in a private channel the manager chooses, once Slack says it is private and the app is in it', async () => {
    const { plan, told } = await openPlanVia(PRIVATE);
    expect(told).toContain(`in <#${PRIVATE}>`);
    expect(plan.channelId).toBe(PRIVATE);
    expect(standIn.callsTo('conversations.info').map((c) => c.args.channel)).toEqual([PRIVATE]);
    expect(standIn.callsTo('conversations.open')).toEqual([]);
    expect(postsIn(PRIVATE)).toHaveLength(2);
    expect(everythingIn(PUBLIC)).toEqual([]);
  });

  it.each([
    ['a forged public channel id', PUBLIC, 'That is a public channel'],
    ['a DM id', 'D0SOMEONE', 'Choose a private channel here'],
    ['a group DM id', 'GMPIMOTHERS', 'Choose a private channel here'],
    ['a private channel without the app', 'GNOTIN', '/invite @Service Radar'],
    ['an archived private channel', 'GARCHIVED', 'archived'],
    ['no channel id at all', 'not a channel', 'Choose a private channel from the list'],
  ])(
    'refuses %s for the plan on the field: nothing written, nothing posted',
    async (_what, channelId, says) => {
      standIn.on('conversations.info', (call) => {
        const id = call.args.channel;
        if (id === 'GNOTIN') return { body: { ok: false, error: 'channel_not_found' } };
        if (id === 'GARCHIVED')
          return {
            body: { ok: true, channel: { id, is_private: true, is_member: true, is_archived: true } },
          };
        if (id === 'GMPIMOTHERS')
          return { body: { ok: true, channel: { id, is_private: true, is_mpim: true, is_member: true } } };
        return undefined;
      });
      const form = await openForm();
      const refused = await submitPlace(form, channelId);
      expect(refused.json).toEqual({
        response_action: 'errors',
        errors: { [PLAN_OPEN_MODAL.blocks.channel]: expect.stringContaining(says) },
      });
      await expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);
      expect(await db().select().from(actionPlans)).toEqual([]);
      expect(standIn.callsTo('chat.postMessage')).toEqual([]);
      expect(standIn.callsTo('conversations.open')).toEqual([]);
      expect(standIn.callsTo('views.update')).toEqual([]);
    },
  );

  it('when Slack is slow to say who is a manager, opens a small form at once and turns it into the plan form', async () => {
    let slow = true;
    standIn.on('users.info', async (call) => {
      if (slow && call.args.user === MANAGER) await new Promise((done) => setTimeout(done, 1_600));
      return undefined;
    });
    const sentAt = Date.now();
    const typed = await command(MANAGER, `<@${STAFF}|sam>`);
    expect(typed.body).toBe('');
    const loading = await standIn.waitForCall('views.open');
    // Opened before Slack answered, while the trigger_id is fresh.
    expect(loading.at - sentAt).toBeLessThan(1_500);
    expect(loading.args.view.callback_id ?? '').toBe('');
    await expect.poll(() => loading.reply?.body.ok).toBe(true);
    const loadingId = (loading.reply?.body.view as { id: string } | undefined)?.id;
    const filled = await standIn.waitForCall(
      'views.update',
      (c) => c.args.view_id === loadingId && c.args.view?.callback_id === PLAN_OPEN_MODAL.callbackId,
      5_000,
    );
    slow = false;
    const submitted = await submitPlace(
      {
        id: loadingId ?? '',
        callback_id: PLAN_OPEN_MODAL.callbackId,
        private_metadata: filled.args.view.private_metadata,
      },
      null,
    );
    expect(submitted.json.response_action).toBe('update');
    await expect.poll(async () => (await db().select().from(actionPlans)).length).toBe(1);
  });

  it('refuses a manager demoted while the form was open, on the field', async () => {
    const form = await openForm();
    standIn.addUser({ id: MANAGER, name: 'morgan', tz: 'Europe/London', is_admin: false });
    const refused = await submitPlace(form, null);
    expect(refused.json.response_action).toBe('errors');
    expect(refused.json.errors[PLAN_OPEN_MODAL.blocks.channel]).toContain('no longer lists you as a manager');
    expect(await db().select().from(actionPlans)).toEqual([]);
    expect(standIn.callsTo('chat.postMessage')).toEqual([]);
  });

  it('without the customer’s agreement the share option does not exist, and a forged share is refused: nothing written, nothing posted', async () => {
    await completedRound(8, 4, '2026-11-10T10:00:00Z', { shareWithManager: false });
    const { plan } = await openPlanVia(null);
    const mark = Date.now();
    await click(STAFF, PLAN_ACTIONS.write, String(plan.id));
    const modal = await opened(PLAN_MODAL.callbackId, mark);
    const view = standIn
      .callsTo('views.open')
      .find((c) => c.args.view?.callback_id === PLAN_MODAL.callbackId);
    const blockIds = ((view?.args.view.blocks ?? []) as { block_id?: string }[]).map(
      (block) => block.block_id,
    );
    expect(blockIds).not.toContain(PLAN_MODAL.blocks.share);
    expect(JSON.stringify(view?.args.view)).not.toContain(PLAN_MODAL.shareValue);

    const before = standIn.calls.length;
    const { blocks: ids, actionId } = PLAN_MODAL;
    const forged = await submit(STAFF, modal, {
      [ids.strengths]: { [actionId]: plainInput('I know the catalogue well.') },
      [ids.improvements]: { [actionId]: plainInput('Keeping people informed.') },
      [ids.steps]: { [actionId]: plainInput('- Reply within a day') },
      [ids.successMeasure]: { [actionId]: plainInput('Fewer emails.') },
      [ids.checkinEvery]: { [actionId]: staticSelect('14') },
      [ids.remeasureOn]: { [actionId]: datePicker('2027-01-25') },
      [ids.share]: { [actionId]: checkboxes([PLAN_MODAL.shareValue]) },
    });
    expect(forged.json).toEqual({
      response_action: 'errors',
      errors: { [ids.share]: expect.stringContaining('did not agree') },
    });
    await expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);
    const [stored] = await db().select().from(actionPlans);
    expect(stored).toMatchObject({ state: 'awaiting_plan', sharedCustomerAnswers: false, writtenAt: null });
    expect(await db().select().from(planSteps)).toEqual([]);
    expect(await db().select().from(reminders).where(eq(reminders.planId, plan.id))).toEqual([]);
    const after = standIn.calls.slice(before);
    expect(after.filter((c) => c.method.startsWith('chat.'))).toEqual([]);
    expect(JSON.stringify(standIn.calls.map((c) => c.args))).not.toContain('SHARED-');
  });

  it('refuses a re-measure date that is not on the calendar, on its field, and stores nothing', async () => {
    await completedRound(8, 4, '2026-11-10T10:00:00Z');
    const { plan } = await openPlanVia(null);
    const mark = Date.now();
    await click(STAFF, PLAN_ACTIONS.write, String(plan.id));
    const modal = await opened(PLAN_MODAL.callbackId, mark);
    const before = standIn.calls.length;
    const { blocks: ids, actionId } = PLAN_MODAL;
    // The shape of a date, but no day: PostgreSQL would refuse it after the form had been accepted.
    const refused = await submit(STAFF, modal, {
      [ids.strengths]: { [actionId]: plainInput('I know the catalogue well.') },
      [ids.improvements]: { [actionId]: plainInput('Keeping people informed.') },
      [ids.steps]: { [actionId]: plainInput('- Reply within a day') },
      [ids.successMeasure]: { [actionId]: plainInput('Fewer emails.') },
      [ids.checkinEvery]: { [actionId]: staticSelect('14') },
      [ids.remeasureOn]: { [actionId]: datePicker('2027-02-30') },
      [ids.share]: { [actionId]: checkboxes([]) },
    });
    expect(refused.json).toEqual({
      response_action: 'errors',
      errors: { [ids.remeasureOn]: 'Choose a date.' },
    });
    await expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);
    const [stored] = await db().select().from(actionPlans);
    expect(stored).toMatchObject({ state: 'awaiting_plan', remeasureOn: null, writtenAt: null });
    expect(await db().select().from(planSteps)).toEqual([]);
    expect(await db().select().from(reminders).where(eq(reminders.planId, plan.id))).toEqual([]);
    expect(standIn.calls.slice(before).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('with the customer’s agreement, the shared answers go to the manager alone and carry no customer name', async () => {
    await completedRound(8, 4, '2026-11-10T10:00:00Z', { shareWithManager: true });
    const { planId, modal } = await openAndWrite(true);
    expect(JSON.stringify(modal)).toContain(PLAN_MODAL.blocks.share);
    await expect.poll(() => app.radar.slack.inFlight.size, { timeout: 5_000 }).toBe(0);
    const [plan] = await db().select().from(actionPlans).where(eq(actionPlans.id, planId));
    expect(plan?.sharedCustomerAnswers).toBe(true);
    const shared = postsIn(MANAGER).filter((c) => String(c.args.text).includes('shared two'));
    expect(shared).toHaveLength(1);
    expectWithinBlockKitLimits('message', shared[0]?.args);
    expect(JSON.stringify(shared[0]?.args)).toContain('SHARED-NOT-PROVIDING');
    expect(JSON.stringify(shared[0]?.args)).toContain('SHARED-CONCENTRATE');
    // Every message and view the app sent since the round was stored: no customer name or id, and
    // the customer's words only in that one DM to the manager.
    expect(standIn.calls.length).toBeGreaterThan(5);
    for (const call of standIn.calls) {
      const payload = JSON.stringify(call.args);
      expect(payload).not.toContain(CUSTOMER_NAME);
      expect(payload).not.toContain(CUSTOMER);
      if (call !== shared[0]) expect(payload).not.toContain('SHARED-');
      expect(payload).not.toContain('PRIVATE-');
    }
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
