import type { ViewStateValue } from '@slack/bolt';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import {
  actionPlans,
  committees,
  planNotes,
  planSteps,
  reminders,
  roundResponses,
  rounds,
} from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { COMMITTEE_MODAL } from '../../src/modules/committees/committees.views.js';
import { CLOSE_MODAL, NOTE_MODAL, PLAN_ACTIONS, PLAN_MODAL } from '../../src/modules/plans/plans.views.js';
import { REMINDER_ACTIONS } from '../../src/modules/reminders/reminders.views.js';
import { INTERVIEW_QUESTIONS } from '../../src/modules/rounds/rounds.content.js';
import { RESPONSE_MODAL, ROUND_ACTIONS, ROUND_MODAL } from '../../src/modules/rounds/rounds.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedRound } from '../helpers/reminders.js';
import {
  blockAction,
  checkboxes,
  datePicker,
  plainInput,
  radio,
  sealedMetadata,
  slashCommand,
  staticSelect,
  usersSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type SlackStandIn, type StandInUser, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * Authority is checked when it is used. Every submission and button that changes something asks
 * again, at that moment, whether the submitter may (admin status from Slack, never a cache; a
 * manager's role; the round's customer or staff member; the plan's staff member or manager), and
 * takes the channel, committee, round or plan from what the server sealed into the form, never
 * from what the payload claims. Every request here carries a valid Slack signature: what is forged
 * is the form's content. Nothing forged or stale may write, and each refusal says why.
 */

const ADMIN = 'UADMIN';
const ADMIN2 = 'UADMIN2';
const MEMBER = 'UMEMBER';
const MANAGER = 'UMANAGER';
const STAFF = 'USTAFF';
const STAFF2 = 'USTAFF2';
const CUSTOMER = 'UCUST';
const OTHER = 'UOTHER';
const CHANNEL = 'C0COMMITTEE';
const ELSEWHERE = 'C0ELSEWHERE';
const PLANS = 'C0PLANS';
const NOW = '2026-11-24T10:00:00Z'; // Tuesday, 10:00 in London: inside working hours

const PEOPLE: StandInUser[] = [
  { id: ADMIN, name: 'ada', is_admin: true, tz: 'Europe/London' },
  { id: ADMIN2, name: 'alex', is_admin: true, tz: 'Europe/London' },
  { id: MEMBER, name: 'mo', tz: 'Europe/London' },
  { id: MANAGER, name: 'morgan', is_admin: true, tz: 'Europe/London' },
  { id: STAFF, name: 'sam', tz: 'Europe/London' },
  { id: STAFF2, name: 'sasha', tz: 'Europe/London' },
  { id: CUSTOMER, name: 'casey', tz: 'Europe/London' },
  { id: OTHER, name: 'olly', tz: 'Europe/London' },
];

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

type View = { id: string; callback_id: string; private_metadata: string };
type State = Record<string, Record<string, ViewStateValue>>;

/** One line per case for FAULT_REPORT: what was sent, what came back, what was lost. */
const report = (name: string, fields: Record<string, unknown>) => {
  if (process.env.FAULT_REPORT) console.info(name, fields);
};

/**
 * The form's metadata with a field changed: inside the seal's envelope, keeping its MAC (or, for
 * metadata that was never sealed, in place).
 */
function tampered(privateMetadata: string, change: (metadata: Record<string, unknown>) => void): string {
  const envelope = JSON.parse(privateMetadata) as Record<string, unknown>;
  if (typeof envelope.data !== 'string') {
    change(envelope);
    return JSON.stringify(envelope);
  }
  const metadata = JSON.parse(envelope.data) as Record<string, unknown>;
  change(metadata);
  return JSON.stringify({ ...envelope, data: JSON.stringify(metadata) });
}

function committeeState(
  overrides: Partial<Record<keyof typeof COMMITTEE_MODAL.blocks, ViewStateValue>> = {},
) {
  const { blocks: ids, actionId } = COMMITTEE_MODAL;
  const values: Record<keyof typeof ids, ViewStateValue> = {
    scope: radio('all'),
    units: plainInput(null),
    weekday: staticSelect('1'),
    hour: staticSelect('9'),
    timeZone: plainInput('Europe/London'),
    minGroupSize: staticSelect('3'),
    showIndividuals: checkboxes([]),
    ...overrides,
  };
  const state: State = {};
  for (const [key, value] of Object.entries(values))
    state[ids[key as keyof typeof ids]] = { [actionId]: value };
  return state;
}

function responseState(score = '6'): State {
  const { blocks: ids, actionId } = RESPONSE_MODAL;
  const state: State = { [ids.customerScore]: { [actionId]: staticSelect(score) } };
  for (const question of INTERVIEW_QUESTIONS)
    state[ids[question.key]] = { [actionId]: plainInput('On time.') };
  return state;
}

const roundState = (): State => {
  const { blocks: ids, actionId } = ROUND_MODAL;
  return {
    [ids.customerUser]: { [actionId]: usersSelect(CUSTOMER) },
    [ids.newService]: { [actionId]: plainInput('Interlibrary loans') },
    [ids.segment]: { [actionId]: staticSelect('core') },
    [ids.unit]: { [actionId]: plainInput('Reference') },
    [ids.selfScore]: { [actionId]: staticSelect('7') },
    [ids.interviewOn]: { [actionId]: datePicker('2026-12-01') },
  };
};
const noteState = (text: string): State => ({
  [NOTE_MODAL.block]: { [NOTE_MODAL.actionId]: plainInput(text) },
});
const closeState = (): State => ({
  [CLOSE_MODAL.blocks.outcome]: { [CLOSE_MODAL.actionId]: radio('improved') },
});

describeEachDatabase('authority is checked when it is used', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(NOW);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    clock.set(NOW);
    for (const person of PEOPLE) standIn.addUser(person);
    app = await startTestApp({ database: getDb(), standIn, clock });
  });
  afterEach(() => app.stop());

  /** Every row of every table but the users.info cache, to show that a request changed nothing. */
  async function everything(): Promise<Record<string, unknown[]>> {
    const tables = rowsOf<{ tablename: string }>(
      await db().execute(
        sql`select tablename from pg_tables where schemaname = 'public' and tablename <> 'slack_users' order by 1`,
      ),
    ).map((row) => row.tablename);
    const all: Record<string, unknown[]> = {};
    for (const table of tables)
      all[table] = rowsOf(await db().execute(sql.raw(`select * from "${table}" order by 1`)));
    return all;
  }

  const command = (userId: string, name: string, text: string, channelId: string) =>
    app.send({
      kind: 'command',
      fields: slashCommand({ command: name, text, userId, channelId, responseUrl: app.responseUrl }),
    });
  const click = (
    userId: string,
    actionId: string,
    value: string,
    where: { channelId?: string; messageTs?: string; messageText?: string } = {},
  ) =>
    app.send({
      kind: 'interactive',
      payload: blockAction({ userId, actionId, value, responseUrl: app.responseUrl, ...where }),
    });
  const submit = (userId: string, view: View, state: State) =>
    app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId,
        view: {
          id: view.id,
          callback_id: view.callback_id,
          private_metadata: view.private_metadata,
          state_values: state,
        },
      }),
    });
  /** The modal the app opened (views.open or views.update) for this form since `since` calls. */
  async function opened(callbackId: string, since: number): Promise<View> {
    const call = await standIn.waitForCall(
      'views.open',
      (c) => standIn.calls.indexOf(c) >= since && c.args.view?.callback_id === callbackId,
    );
    expect(call.violations ?? []).toEqual([]);
    await expect.poll(() => call.reply?.body.ok).toBe(true);
    const view = call.args.view as View;
    return { ...view, id: (call.reply?.body.view as { id?: string } | undefined)?.id ?? '' };
  }
  const errorsOf = (response: { json?: { response_action?: string; errors?: Record<string, string> } }) => {
    expect(response.json?.response_action).toBe('errors');
    return Object.values(response.json?.errors ?? {}).join(' ');
  };
  const postsTo = (channel: string) =>
    standIn.callsTo('chat.postMessage').filter((call) => call.args.channel === channel);
  /** A reply to a click or command, through its response_url, that arrived after `since` calls. */
  const replyAfter = (since: number, text: string) =>
    standIn.waitForCall(
      'respond',
      (call) => standIn.calls.indexOf(call) >= since && String(call.args.text).includes(text),
    );

  async function committeeForm(userId: string, action: 'subscribe' | 'settings'): Promise<View> {
    const mark = standIn.calls.length;
    expect((await command(userId, '/service-digest', action, CHANNEL)).status).toBe(200);
    return opened(COMMITTEE_MODAL.callbackId, mark);
  }
  const committeeRows = () => db().select().from(committees).orderBy(asc(committees.id));

  it('refuses the settings of an admin demoted while the form was open, and changes nothing', async () => {
    // A new subscription.
    const form = await committeeForm(ADMIN, 'subscribe');
    standIn.addUser({ id: ADMIN, name: 'ada', tz: 'Europe/London' });
    const refused = await submit(ADMIN, form, committeeState());
    expect(errorsOf(refused)).toContain('Only workspace admins and owners');
    expect(await committeeRows()).toEqual([]);
    expect(postsTo(CHANNEL)).toEqual([]);

    // Changing the settings of a committee.
    standIn.addUser({ id: ADMIN, name: 'ada', is_admin: true, tz: 'Europe/London' });
    expect((await submit(ADMIN, await committeeForm(ADMIN, 'subscribe'), committeeState())).body).toBe('');
    const settings = await committeeForm(ADMIN, 'settings');
    standIn.addUser({ id: ADMIN, name: 'ada', is_admin: false, tz: 'Europe/London' });
    const before = await everything();
    const changed = await submit(ADMIN, settings, committeeState({ hour: staticSelect('17') }));
    expect(errorsOf(changed)).toContain('Only workspace admins and owners');
    expect(await everything()).toEqual(before);
    expect((await committeeRows())[0]).toMatchObject({ hour: 9, active: true });
    report('demoted admin submits committee settings', {
      sent: 2,
      answered: 'errors: not an admin',
      written: 0,
      lost: 0,
    });
  });

  it('refuses a settings form whose metadata names another channel or admin, or was sealed with another key', async () => {
    const form = await committeeForm(ADMIN, 'subscribe');
    const forgeries: Array<[string, string, string]> = [
      // What the form carried before it was sealed, naming another channel or another admin.
      [
        'unsealed, another channel',
        ADMIN,
        JSON.stringify({ v: 1, channelId: ELSEWHERE, adminUserId: ADMIN }),
      ],
      [
        'unsealed, the submitter as admin',
        MEMBER,
        JSON.stringify({ v: 1, channelId: CHANNEL, adminUserId: MEMBER }),
      ],
      [
        'sealed form, channel changed',
        ADMIN,
        tampered(form.private_metadata, (m) => {
          m.channelId = ELSEWHERE;
        }),
      ],
      [
        'sealed form, admin changed',
        MEMBER,
        JSON.stringify({
          ...JSON.parse(
            tampered(form.private_metadata, (m) => {
              m.adminUserId = MEMBER;
            }),
          ),
          for: MEMBER,
        }),
      ],
      [
        're-sealed with a wrong key',
        ADMIN,
        sealedMetadata(
          COMMITTEE_MODAL.callbackId,
          ADMIN,
          { v: 2, channelId: ELSEWHERE, adminUserId: ADMIN, committeeId: null },
          'not-the-signing-secret',
        ),
      ],
      ['the admin’s own form, submitted by someone else', MEMBER, form.private_metadata],
    ];
    for (const [name, userId, metadata] of forgeries) {
      const response = await submit(userId, { ...form, private_metadata: metadata }, committeeState());
      expect(response.status, name).toBe(200);
      expect(errorsOf(response), name).toContain('out of date');
    }
    expect(await committeeRows()).toEqual([]);
    expect([...postsTo(CHANNEL), ...postsTo(ELSEWHERE)]).toEqual([]);
    // The genuine form still works, and only for its own channel.
    expect((await submit(ADMIN, form, committeeState())).body).toBe('');
    expect((await committeeRows()).map((row) => row.channelId)).toEqual([CHANNEL]);
    report('forged committee form metadata', {
      sent: forgeries.length,
      answered: 'errors: out of date',
      written: 0,
      lost: 0,
    });
  });

  it('asks to press Submit again when Slack is slow to confirm admin status, keeping the form', async () => {
    const form = await committeeForm(ADMIN, 'subscribe');
    let slow = true;
    standIn.on('users.info', async () => {
      if (slow) await new Promise((resolve) => setTimeout(resolve, 2_500));
      return undefined;
    });
    const response = await submit(ADMIN, form, committeeState({ hour: staticSelect('11') }));
    expect(response.ms).toBeLessThan(2_500);
    expect(errorsOf(response)).toContain('press Submit again');
    expect(await committeeRows()).toEqual([]);
    slow = false;
    expect((await submit(ADMIN, form, committeeState({ hour: staticSelect('11') }))).body).toBe('');
    expect(await committeeRows()).toMatchObject([{ channelId: CHANNEL, hour: 11 }]);
    report('admin check slower than the submission deadline', {
      sent: 2,
      answered: `errors in ${Math.round(response.ms)} ms, then saved`,
      lost: 0,
    });
  });

  it('says why a settings form went stale: unsubscribed, or subscribed by someone else, while it was open', async () => {
    expect((await submit(ADMIN, await committeeForm(ADMIN, 'subscribe'), committeeState())).body).toBe('');
    const settings = await committeeForm(ADMIN, 'settings');
    const mark = standIn.calls.length;
    await command(ADMIN2, '/service-digest', 'unsubscribe', CHANNEL);
    await replyAfter(mark, 'no more service digests');
    const late = await submit(ADMIN, settings, committeeState({ hour: staticSelect('15') }));
    expect(errorsOf(late)).toContain('unsubscribed while the form was open');
    expect(await committeeRows()).toMatchObject([{ active: false, hour: 9 }]);

    const mine = await committeeForm(ADMIN, 'subscribe');
    const theirs = await committeeForm(ADMIN2, 'subscribe');
    expect((await submit(ADMIN2, theirs, committeeState({ hour: staticSelect('7') }))).body).toBe('');
    const second = await submit(ADMIN, mine, committeeState({ hour: staticSelect('16') }));
    expect(errorsOf(second)).toContain('Someone subscribed this channel while the form was open');
    expect((await committeeRows()).filter((row) => row.active)).toMatchObject([
      { hour: 7, createdByUserId: ADMIN2 },
    ]);
    report('stale committee forms', { sent: 2, answered: 'errors: changed while open', overwritten: 0 });
  });

  it('refuses a response form naming a round it was not opened for, or someone else’s, and says when it is answered', async () => {
    const mine = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: CUSTOMER,
      createdAt: new Date(NOW),
    });
    const another = await seedRound(db(), {
      staffUserId: STAFF2,
      customerUserId: CUSTOMER,
      createdAt: new Date(NOW),
    });
    const mark = standIn.calls.length;
    await click(CUSTOMER, ROUND_ACTIONS.answer, String(mine.id), { channelId: `D${CUSTOMER.slice(1)}` });
    const form = await opened(RESPONSE_MODAL.callbackId, mark);

    const forgeries: Array<[string, string, string]> = [
      ['unsealed, another round', CUSTOMER, JSON.stringify({ roundId: another.id })],
      [
        'sealed form, round changed',
        CUSTOMER,
        tampered(form.private_metadata, (m) => {
          m.roundId = another.id;
        }),
      ],
      [
        'sealed for someone else',
        CUSTOMER,
        sealedMetadata(RESPONSE_MODAL.callbackId, OTHER, { roundId: another.id }),
      ],
      [
        'sealed for another form',
        CUSTOMER,
        sealedMetadata(NOTE_MODAL.callbackId, CUSTOMER, { roundId: another.id }),
      ],
    ];
    for (const [name, userId, metadata] of forgeries) {
      const response = await submit(userId, { ...form, private_metadata: metadata }, responseState());
      expect(errorsOf(response), name).toContain('out of date');
    }
    // A genuine seal does not make someone else's round theirs.
    const stranger = await submit(
      OTHER,
      { ...form, private_metadata: sealedMetadata(RESPONSE_MODAL.callbackId, OTHER, { roundId: mine.id }) },
      responseState(),
    );
    expect(errorsOf(stranger)).toContain('meant for someone else');
    // Nor does a button value naming another round, or none.
    let since = standIn.calls.length;
    await click(OTHER, ROUND_ACTIONS.answer, String(mine.id));
    await standIn.waitForCall(
      'views.open',
      (c) =>
        standIn.calls.indexOf(c) >= since && JSON.stringify(c.args.view).includes('meant for someone else'),
    );
    since = standIn.calls.length;
    await click(CUSTOMER, ROUND_ACTIONS.answer, '999999');
    await standIn.waitForCall(
      'views.open',
      (c) => standIn.calls.indexOf(c) >= since && JSON.stringify(c.args.view).includes('no longer exists'),
    );
    expect(await db().select().from(roundResponses)).toEqual([]);

    // The genuine form is stored; the same round answered from another form says it is answered.
    expect((await submit(CUSTOMER, form, responseState())).body).toBe('');
    const stale = await submit(
      CUSTOMER,
      {
        ...form,
        id: 'V0SECONDFORM',
        private_metadata: sealedMetadata(RESPONSE_MODAL.callbackId, CUSTOMER, { roundId: mine.id }),
      },
      responseState('2'),
    );
    expect(errorsOf(stale)).toContain('already been answered');
    const stored = await db().select().from(roundResponses);
    expect(stored).toMatchObject([{ roundId: mine.id, customerScore: 6 }]);
    const [untouched] = await db().select().from(rounds).where(eq(rounds.id, another.id));
    expect(untouched?.status).toBe('awaiting_customer');
    report('forged and stale response forms', {
      sent: forgeries.length + 2,
      answered: 'errors: out of date, someone else, already answered',
      written: 1,
      lost: 0,
    });
  });

  /** A written plan (active) with two steps, as the staff member's submitted form leaves it. */
  async function activePlan(staffUserId: string, managerUserId: string, threadTs: string) {
    const plans = app.radar.slack.deps.planDeps.plans;
    const plan = await plans.create({
      staffUserId,
      managerUserId,
      roundId: null,
      channelId: PLANS,
      threadTs,
      createdAt: new Date(NOW),
    });
    const written = await plans.write(
      plan.id,
      {
        strengths: 'Quick replies',
        improvements: 'Follow-ups',
        successMeasure: 'Fewer chasers',
        checkinEveryDays: 14,
        remeasureOn: '2027-01-20',
        sharedCustomerAnswers: false,
      },
      ['Call back', 'Write it down'],
      `VSEED${plan.id}`,
      new Date(NOW),
    );
    if (written === 'not_awaiting') throw new Error('plan not written');
    return { plan: written.plan, steps: written.steps };
  }

  it('refuses plan forms naming a plan they were not opened for, replayed as another form, or someone else’s', async () => {
    const { plan, steps } = await activePlan(STAFF, MANAGER, '1700000000.000100');
    const theirs = await activePlan(OTHER, OTHER, '1700000000.000200');
    const mark = standIn.calls.length;
    await click(STAFF, PLAN_ACTIONS.addNote, String(plan.id), { channelId: PLANS });
    const note = await opened(NOTE_MODAL.callbackId, mark);
    const before = await everything();

    const close = (metadata: string) => ({
      ...note,
      callback_id: CLOSE_MODAL.callbackId,
      private_metadata: metadata,
    });
    const cases: Array<[string, string, View, State, string]> = [
      // The note form's metadata has the close form's shape: only the seal tells them apart.
      [
        'note form replayed as the close form',
        STAFF,
        close(note.private_metadata),
        closeState(),
        'out of date',
      ],
      ['unsealed close form', STAFF, close(JSON.stringify({ planId: plan.id })), closeState(), 'out of date'],
      [
        'sealed note form, plan changed',
        STAFF,
        {
          ...note,
          private_metadata: tampered(note.private_metadata, (m) => {
            m.planId = theirs.plan.id;
          }),
        },
        noteState('Forged note'),
        'out of date',
      ],
      [
        'someone else’s plan, genuinely sealed',
        OTHER,
        { ...note, private_metadata: sealedMetadata(NOTE_MODAL.callbackId, OTHER, { planId: plan.id }) },
        noteState('Not my plan'),
        'Only the staff member and the manager',
      ],
      [
        'writing someone else’s plan',
        STAFF,
        {
          ...note,
          callback_id: PLAN_MODAL.callbackId,
          private_metadata: sealedMetadata(PLAN_MODAL.callbackId, STAFF, { planId: theirs.plan.id }),
        },
        {},
        'their plan',
      ],
    ];
    for (const [name, userId, view, state, said] of cases) {
      const response = await submit(userId, view, state);
      expect(errorsOf(response), name).toContain(said);
    }
    // A button naming someone else's plan's step.
    const since = standIn.calls.length;
    await click(STAFF, PLAN_ACTIONS.markStep, String(theirs.steps[0]?.id), { channelId: PLANS });
    await replyAfter(since, 'Only the staff member and the manager');
    expect(await everything()).toEqual(before);
    expect(standIn.callsTo('chat.postMessage').filter((c) => c.args.channel === PLANS)).toEqual([]);

    // The genuine form still works.
    expect((await submit(STAFF, note, noteState('A real note'))).body).toBe('');
    expect(await db().select().from(planNotes)).toMatchObject([{ planId: plan.id, userId: STAFF }]);
    expect(steps).toHaveLength(2);
    report('forged plan forms and buttons', {
      sent: cases.length + 1,
      answered: 'errors: out of date, someone else',
      written: 0,
      lost: 0,
    });
  });

  it('refuses a manager who lost the role while the plan’s forms were open, on forms and buttons', async () => {
    const { plan, steps } = await activePlan(STAFF, MANAGER, '1700000000.000300');
    let mark = standIn.calls.length;
    await click(MANAGER, PLAN_ACTIONS.addNote, String(plan.id), { channelId: PLANS });
    const note = await opened(NOTE_MODAL.callbackId, mark);
    mark = standIn.calls.length;
    await click(MANAGER, PLAN_ACTIONS.close, String(plan.id), { channelId: PLANS });
    const close = await opened(CLOSE_MODAL.callbackId, mark);

    standIn.addUser({ id: MANAGER, name: 'morgan', tz: 'Europe/London' });
    const before = await everything();
    expect(errorsOf(await submit(MANAGER, note, noteState('Manager note')))).toContain('no longer lists you');
    expect(errorsOf(await submit(MANAGER, close, closeState()))).toContain('no longer lists you');
    mark = standIn.calls.length;
    await click(MANAGER, PLAN_ACTIONS.markStep, String(steps[0]?.id), { channelId: PLANS });
    await replyAfter(mark, 'no longer lists you');
    expect(await everything()).toEqual(before);

    // The staff member's own right is unchanged.
    mark = standIn.calls.length;
    await click(STAFF, PLAN_ACTIONS.markStep, String(steps[0]?.id), { channelId: PLANS });
    await replyAfter(mark, 'marked done');
    const [step] = await db()
      .select()
      .from(planSteps)
      .where(eq(planSteps.id, steps[0]?.id ?? 0));
    expect(step?.doneByUserId).toBe(STAFF);
    report('demoted manager acts on a plan', {
      sent: 3,
      answered: 'errors: no longer a manager',
      written: 0,
    });
  });

  it('says why a re-measure form or a note form went stale: the plan was closed while it was open', async () => {
    const { plan } = await activePlan(STAFF, MANAGER, '1700000000.000400');
    let mark = standIn.calls.length;
    await click(STAFF, PLAN_ACTIONS.startRemeasure, String(plan.id), { channelId: PLANS });
    const remeasure = await opened(ROUND_MODAL.callbackId, mark);
    mark = standIn.calls.length;
    await click(STAFF, PLAN_ACTIONS.addNote, String(plan.id), { channelId: PLANS });
    const note = await opened(NOTE_MODAL.callbackId, mark);
    mark = standIn.calls.length;
    await click(MANAGER, PLAN_ACTIONS.close, String(plan.id), { channelId: PLANS });
    expect((await submit(MANAGER, await opened(CLOSE_MODAL.callbackId, mark), closeState())).body).toBe('');

    const before = await everything();
    expect(errorsOf(await submit(STAFF, remeasure, roundState()))).toContain(
      'closed while the form was open',
    );
    expect(errorsOf(await submit(STAFF, note, noteState('Too late')))).toContain('That plan is closed');
    expect(await everything()).toEqual(before);
    expect(await db().select().from(rounds)).toEqual([]);
    const [closed] = await db().select().from(actionPlans).where(eq(actionPlans.id, plan.id));
    expect(closed).toMatchObject({ state: 'closed', remeasureRoundId: null });
    report('stale plan forms', { sent: 2, answered: 'errors: plan closed', written: 0 });
  });

  it('edits a reminder only in the clicker’s own DM, whatever channel the click names', async () => {
    const round = await seedRound(db(), {
      staffUserId: STAFF,
      customerUserId: null,
      customerName: 'Pat Patron',
      createdAt: new Date('2026-11-20T10:00:00Z'),
      interviewOn: '2026-11-24',
    });
    clock.set('2026-11-20T10:01:00Z');
    await app.radar.scheduler.tick(new Date('2026-11-20T10:01:00Z'));
    clock.set(NOW);
    await app.radar.scheduler.tick(new Date(NOW));
    const [reminder] = await db().select().from(reminders).where(eq(reminders.roundId, round.id));
    if (!reminder?.messageTs || !reminder.messageChannelId) throw new Error('reminder not sent');

    // The click names a committee channel's message and brings its own blocks.
    const mark = standIn.calls.length;
    await click(STAFF, REMINDER_ACTIONS.snooze, String(reminder.id), {
      channelId: CHANNEL,
      messageTs: '1700000000.000900',
    });
    await replyAfter(mark, 'Snoozed');
    expect(standIn.callsTo('chat.update').filter((call) => call.args.channel === CHANNEL)).toEqual([]);

    // From the DM it came from, the message itself says what happened.
    await click(STAFF, REMINDER_ACTIONS.cancelRound, String(round.id), {
      channelId: reminder.messageChannelId,
      messageTs: reminder.messageTs,
    });
    await standIn.waitForCall(
      'chat.update',
      (call) => call.args.channel === reminder.messageChannelId && call.args.ts === reminder.messageTs,
    );
    expect(standIn.callsTo('chat.update').map((call) => call.args.channel)).toEqual([
      reminder.messageChannelId,
    ]);
    report('reminder click naming another channel', {
      sent: 1,
      answered: 'ephemeral outcome',
      editedElsewhere: 0,
    });
  });
});
