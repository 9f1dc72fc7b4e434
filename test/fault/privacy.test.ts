import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { actionPlans, reminders } from '../../src/db/schema.js';
import { fixedClock } from '../../src/lib/clock.js';
import { DIGEST_EVENT_TYPE } from '../../src/modules/digests/digests.usecases.js';
import { PLAN_MODAL, PLAN_OPEN_MODAL } from '../../src/modules/plans/plans.views.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound } from '../helpers/digests.js';
import { seedServicePoint, seedWalkUp } from '../helpers/service-points.js';
import {
  checkboxes,
  conversationsSelect,
  datePicker,
  plainInput,
  sealedMetadata,
  slashCommand,
  staticSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';

/**
 * What reaches a channel. A committee with a minimum group size of 5 must not show a unit whose
 * week's rounds come from 4 staff members and 4 customers, by name or by figures, nor let it be
 * worked out by subtracting the units shown from the total. No channel payload (digest, chart
 * upload) may carry a customer's Slack id, name or words; no action plan reaches a channel at all
 * (it lives in a group DM), and a customer's words leave the staff member only with the customer's
 * agreement, for the manager alone.
 */

const COMMITTEE = 'C0PRIVACY';
const PLANS = 'C0PLANS';
const MANAGER = 'UMANAGER';
const SECRET_WORDS = 'PRIVATE-WORDS';
// 2026-W47 (16-22 November) is due on Monday 23 November at 09:00 UTC.
const DUE = new Date('2026-11-23T09:00:00Z');
const IN_WEEK = (day: number) => new Date(Date.UTC(2026, 10, 16 + day, 12));

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

/** Everything the app sent into a channel, in any form: messages, edits, file uploads. */
function channelPayloads(channel: string): RecordedCall[] {
  return standIn.calls.filter(
    (call) =>
      call.args.channel === channel ||
      call.args.channel_id === channel ||
      (call.method === 'upload' &&
        standIn.calls.some(
          (c) => c.method === 'files.completeUploadExternal' && c.args.channel_id === channel,
        )),
  );
}
const textOf = (calls: RecordedCall[]) =>
  JSON.stringify(calls.map((call) => ({ method: call.method, args: { ...call.args, bytes: undefined } })));

describeEachDatabase('privacy of what reaches channels', (getDb) => {
  let app: TestApp;
  const clock = fixedClock(DUE);
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    clock.set(DUE);
    for (const id of [MANAGER, 'USTAFF', 'USTAFF2', 'UPOINTOWNER'])
      standIn.addUser({ id, name: id.toLowerCase(), tz: 'Europe/London', is_admin: id === MANAGER });
    app = await startTestApp({ database: getDb(), standIn, clock });
  });
  afterEach(() => app.stop());

  async function seedUnits() {
    let n = 0;
    const unit = async (name: string, count: number, self: number, customer: number) => {
      for (let i = 0; i < count; i++)
        await seedRound(db(), {
          staff: `U${name.toUpperCase()}${i}`,
          unit: name,
          self,
          customer,
          completedAt: IN_WEEK(i % 7),
          customerUserId: `UCUSTSECRET${++n}`,
          answers: `${SECRET_WORDS} ${n}`,
          noLongerNeed: `${SECRET_WORDS} no longer ${n}`,
        });
    };
    // Tiny has 4 rounds, below the minimum of 5, with figures no other group has (gap -9.0).
    await unit('Tiny', 4, 10, 1);
    await unit('Middle', 5, 7, 8);
    await unit('Large', 6, 6, 6);
  }

  it.each([
    ['unit aggregates only', false],
    ['rows for individuals', true],
  ])(
    'keeps a unit of 4 people out of a min-5 digest (%s) and every customer out of it',
    async (_name, showIndividuals) => {
      await seedUnits();
      await seedCommittee(db(), COMMITTEE, { minGroupSize: 5, timeZone: 'UTC', showIndividuals });
      await app.radar.scheduler.tick(DUE);
      const digest = standIn
        .callsTo('chat.postMessage')
        .find(
          (call) => call.args.channel === COMMITTEE && call.args.metadata?.event_type === DIGEST_EVENT_TYPE,
        );
      expect(digest?.reply?.body.ok).toBe(true);
      await standIn.waitForCall('files.completeUploadExternal');
      const shown = textOf(channelPayloads(COMMITTEE));

      // Middle (5 staff members, 5 customers) and Large pass the minimum of 5: 11 rounds. Tiny's 4
      // are left out of every figure, and only their number is said.
      expect(digest?.args.text).toContain('11 completed rounds');
      expect(shown).toContain('Large');
      expect(shown).toContain('Middle');
      expect(shown).toContain('4 rounds in units or weeks too small to show are left out');
      // The small unit is nowhere, and nothing subtracts to it: no pool, and (with individual rows
      // on) no row for anyone without 5 different customers, which here is everyone.
      expect(shown).not.toContain('Tiny');
      expect(shown).not.toMatch(/pooled\)/);
      expect(shown).not.toMatch(/\b4 rounds\b(?! in units)/);
      // As figures, not inside a message timestamp such as "1764702310.012345".
      expect(shown).not.toMatch(/(?<![\d.])-9\.0(?!\d)/);
      expect(shown).not.toMatch(/(?<![\d.])10\.0(?!\d)/);
      expect(shown).not.toContain('UTINY');
      // Nobody's customer, nor their words.
      expect(shown).not.toContain('UCUSTSECRET');
      expect(shown).not.toContain(SECRET_WORDS);
      expect(shown).not.toMatch(/Customer \d/);
    },
  );

  it('keeps walk-up patrons’ words out of the channel, and a point with too few answers out of its figures', async () => {
    await seedUnits();
    await seedCommittee(db(), COMMITTEE, { minGroupSize: 5, timeZone: 'UTC' });
    const WALKUP_WORDS = 'WALKUP-PRIVATE-WORDS';
    const busy = await seedServicePoint(db(), { name: 'Large desk', unit: 'Large', owner: 'UPOINTOWNER' });
    const small = await seedServicePoint(db(), { name: 'Tiny desk', unit: 'Tiny', owner: 'UPOINTOWNER' });
    // Large desk: 5 answers, 8 against 6 (gap +2.0). Tiny desk: 4 answers, 1 against 10 (gap -9.0).
    for (let i = 0; i < 5; i++)
      await seedWalkUp(db(), busy.id, {
        experience: 8,
        expectation: 6,
        at: IN_WEEK(i),
        doBetter: `${WALKUP_WORDS} busy ${i}`,
        noLongerNeed: `${WALKUP_WORDS} need ${i}`,
      });
    for (let i = 0; i < 4; i++)
      await seedWalkUp(db(), small.id, {
        experience: 1,
        expectation: 10,
        at: IN_WEEK(i),
        doBetter: `${WALKUP_WORDS} small ${i}`,
      });
    await seedWalkUp(db(), busy.id, {
      experience: 10,
      expectation: 1,
      at: IN_WEEK(5),
      doBetter: `${WALKUP_WORDS} spam`,
      spam: true,
    });
    await app.radar.scheduler.tick(DUE);
    await standIn.waitForCall('files.completeUploadExternal');
    const shown = textOf(channelPayloads(COMMITTEE));
    expect(shown).toContain('At the service points');
    expect(shown).toContain('Large desk');
    expect(shown).toContain('expectations exceeded, by 2.0');
    expect(shown).toContain('1 service point had fewer than 5 answers');
    expect(shown).not.toContain('Tiny desk');
    expect(shown).not.toMatch(/(?<![\d.])-9\.0(?!\d)/);
    expect(shown).not.toContain(WALKUP_WORDS);
    // The words went to the points' owner alone, by DM, spam left out; no other call carries them.
    const toOwner = await standIn.waitForCall(
      'chat.postMessage',
      (call) => call.args.channel === 'UPOINTOWNER' && JSON.stringify(call.args).includes('Large desk'),
    );
    expect(JSON.stringify(toOwner.args)).toContain(`${WALKUP_WORDS} busy 0`);
    const elsewhere = standIn.calls.filter((call) => call.args.channel !== 'UPOINTOWNER');
    expect(textOf(elsewhere)).not.toContain(WALKUP_WORDS);
    expect(textOf(standIn.calls)).not.toContain(`${WALKUP_WORDS} spam`);
  });

  /**
   * A whole plan for `staff`: `/action-plan` typed in a public channel, the manager's form left on
   * the group DM, the plan written (sharing or not), then every check-in and the re-measure.
   */
  async function planLoop(staff: string, share: boolean) {
    const mark = standIn.calls.length;
    const typed = await app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/action-plan',
        text: `<@${staff}>`,
        userId: MANAGER,
        channelId: PLANS,
        responseUrl: app.responseUrl,
      }),
    });
    expect(typed.status).toBe(200);
    const form = await standIn.waitForCall(
      'views.open',
      (c) => standIn.calls.indexOf(c) >= mark && c.args.view?.callback_id === PLAN_OPEN_MODAL.callbackId,
    );
    await expect.poll(() => form.reply?.body.ok).toBe(true);
    const opened = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: MANAGER,
        view: {
          id: (form.reply?.body.view as { id: string } | undefined)?.id ?? '',
          callback_id: PLAN_OPEN_MODAL.callbackId,
          private_metadata: form.args.view.private_metadata,
          state_values: {
            [PLAN_OPEN_MODAL.blocks.channel]: { [PLAN_OPEN_MODAL.actionId]: conversationsSelect(null) },
          },
        },
      }),
    });
    expect(opened.json.response_action).toBe('update');
    await expect
      .poll(
        async () => (await db().select().from(actionPlans).where(eq(actionPlans.staffUserId, staff))).length,
      )
      .toBe(1);
    const [plan] = await db().select().from(actionPlans).where(eq(actionPlans.staffUserId, staff));
    if (!plan) throw new Error('no plan');
    const { blocks: ids, actionId } = PLAN_MODAL;
    const written = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: staff,
        view: {
          id: `VPLAN${staff}`,
          callback_id: PLAN_MODAL.callbackId,
          private_metadata: sealedMetadata(PLAN_MODAL.callbackId, staff, { planId: plan.id }),
          state_values: {
            [ids.strengths]: { [actionId]: plainInput('Catalogue.') },
            [ids.improvements]: { [actionId]: plainInput('Updates.') },
            [ids.steps]: { [actionId]: plainInput('- Reply within a day') },
            [ids.successMeasure]: { [actionId]: plainInput('Fewer emails.') },
            [ids.checkinEvery]: { [actionId]: staticSelect('28') },
            [ids.remeasureOn]: { [actionId]: datePicker('2027-01-20') },
            [ids.share]: { [actionId]: checkboxes(share ? [PLAN_MODAL.shareValue] : []) },
          },
        },
      }),
    });
    expect(written.body).toBe('');
    // Every check-in and the re-measure come into the thread.
    const due = await db().select().from(reminders).where(eq(reminders.planId, plan.id));
    for (const row of due.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())) {
      clock.set(row.dueAt);
      await app.radar.scheduler.tick(row.dueAt);
    }
    await expect
      .poll(async () =>
        (await db().select().from(reminders).where(eq(reminders.planId, plan.id))).every(
          (r) => r.state === 'sent',
        ),
      )
      .toBe(true);
  }

  it('keeps every action plan out of channels, and the customer out of the plan unless they agreed to share', async () => {
    // One customer in Slack, one outside it: neither may be named in the channel.
    clock.set('2026-11-24T10:00:00Z');
    await seedRound(db(), {
      staff: 'USTAFF',
      unit: 'Loans',
      self: 8,
      customer: 4,
      completedAt: new Date('2026-11-20T10:00:00Z'),
      customerUserId: 'UCUSTSECRETA',
      answers: `${SECRET_WORDS} A`,
    });
    await seedRound(db(), {
      staff: 'USTAFF2',
      unit: 'Loans',
      self: 8,
      customer: 4,
      completedAt: new Date('2026-11-20T10:00:00Z'),
      customerUserId: 'UCUSTSECRETB',
      answers: `${SECRET_WORDS} B`,
      shareWithManager: true,
    });
    await planLoop('USTAFF', false);
    const [first] = await db().select().from(actionPlans).where(eq(actionPlans.staffUserId, 'USTAFF'));
    const unshared = textOf(channelPayloads(first?.channelId ?? ''));
    expect(unshared).toContain('re-measure');
    expect(unshared).not.toContain('UCUSTSECRET');
    expect(unshared).not.toContain(SECRET_WORDS);
    expect(unshared).not.toMatch(/Customer \d/);

    // Shared on purpose, as the customer allowed: the two chosen answers go to the manager alone,
    // without the customer's name; nothing else of the customer's goes anywhere.
    clock.set('2026-11-24T10:00:00Z');
    await planLoop('USTAFF2', true);
    const [second] = await db().select().from(actionPlans).where(eq(actionPlans.staffUserId, 'USTAFF2'));
    expect(second?.sharedCustomerAnswers).toBe(true);
    const thread = textOf(channelPayloads(second?.channelId ?? ''));
    expect(thread).toContain('re-measure');
    expect(thread).not.toContain(SECRET_WORDS);
    const toManager = textOf(channelPayloads(MANAGER));
    expect(toManager).toContain(`${SECRET_WORDS} B`);
    expect(toManager).not.toContain(`${SECRET_WORDS} A`);
    expect(toManager).not.toContain('UCUSTSECRET');
    expect(toManager).not.toMatch(/Customer \d/);

    // The channel the command was typed in got nothing at all.
    expect(channelPayloads(PLANS)).toEqual([]);
    expect(standIn.callsTo('respond')).toEqual([]);
  });
});
