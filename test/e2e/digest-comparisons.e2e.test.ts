import type { ViewStateValue } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { fixedClock } from '../../src/lib/clock.js';
import { COMMITTEE_MODAL } from '../../src/modules/committees/committees.views.js';
import type { DigestData } from '../../src/modules/digests/digests.build.js';
import { DIGEST_EVENT_TYPE } from '../../src/modules/digests/digests.usecases.js';
import { startTestApp, type TestApp } from '../helpers/app-harness.js';
import { expectWithinBlockKitLimits } from '../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../helpers/database.js';
import { seedCommittee, seedRound } from '../helpers/digests.js';
import {
  checkboxes,
  plainInput,
  radio,
  slashCommand,
  staticSelect,
  viewSubmission,
} from '../helpers/slack-requests.js';
import { type RecordedCall, type SlackStandIn, startSlackStandIn } from '../helpers/slack-stand-in.js';
import { visibleText } from '../helpers/slack-text.js';

/**
 * The four comparisons a curious committee member tried against the digest's minimum group size,
 * each through the real app (signed `/service-digest preview`, the scheduled post, the settings
 * modal) and the operator's `digest show --json`, on both engines. Each once gave a small unit's or
 * a single round's figures away; now each comparison yields nothing that is not already shown.
 *
 * The library's weeks are cut in Europe/London (LIBRARY_TIME_ZONE). 2026-W47 runs from Monday 16 to
 * Sunday 22 November 2026 there (UTC+0 in November).
 */

const LIBRARY_TIME_ZONE = 'Europe/London';
const ADMIN = 'UADMIN';
const MEMBER = 'UMEMBER';
const W47 = '2026-W47';
const W48 = '2026-W48';
const midweek = (day: number) => new Date(Date.UTC(2026, 10, 16 + day, 12));

let standIn: SlackStandIn;
beforeAll(async () => {
  standIn = await startSlackStandIn();
});
afterAll(() => standIn.close());

describeEachDatabase('comparing digests isolates nobody', (getDb) => {
  let app: TestApp;
  // Wednesday of 2026-W48: the last finished week is W47 everywhere.
  const clock = fixedClock('2026-11-25T12:00:00Z');
  const db = () => getDb().handle.db;

  beforeEach(async () => {
    standIn.reset();
    clock.set('2026-11-25T12:00:00Z');
    standIn.addUser({ id: ADMIN, name: 'ada', is_admin: true, tz: 'Europe/London' });
    standIn.addUser({ id: MEMBER, name: 'mo', tz: 'Europe/London' });
    app = await startTestApp({ database: getDb(), standIn, clock, env: { LIBRARY_TIME_ZONE } });
  });
  afterEach(() => app.stop());

  const command = (userId: string, text: string, channelId: string) =>
    app.send({
      kind: 'command',
      fields: slashCommand({
        command: '/service-digest',
        text,
        userId,
        channelId,
        responseUrl: app.responseUrl,
      }),
    });

  /** `/service-digest preview` in the channel, as a member: the ephemeral reply, and its words. */
  async function preview(channel: string) {
    const since = standIn.calls.length;
    expect((await command(MEMBER, 'preview', channel)).status).toBe(200);
    const reply = await standIn.waitForCall('respond', (call) => standIn.calls.indexOf(call) >= since);
    expectWithinBlockKitLimits('message', reply.args);
    expect(reply.violations ?? []).toEqual([]);
    return { text: reply.args.text as string, shown: visibleText(reply.args.blocks) };
  }

  /** `npm run cli -- digest show --channel C --week W --json`, on the app's own database. */
  async function show(channel: string, week: string): Promise<DigestData> {
    let out = '';
    let err = '';
    const code = await runCli(
      ['digest', 'show', '--channel', channel, '--week', week, '--json'],
      { out: (text) => (out += text), err: (text) => (err += text) },
      { database: getDb().handle, env: { LIBRARY_TIME_ZONE } },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    return JSON.parse(out) as DigestData;
  }

  const posted = (channel: string): RecordedCall[] =>
    standIn
      .callsTo('chat.postMessage')
      .filter(
        (call) => call.args.channel === channel && call.args.metadata?.event_type === DIGEST_EVENT_TYPE,
      );

  /** Reference: 3 rounds, from 3 staff members and 3 customers. Self 8+7+9 (8.0), customer 5+6+4 (5.0). */
  async function seedReference(days: number[] = [1, 2, 3]) {
    for (const [index, [self, customer]] of [
      [8, 5],
      [7, 6],
      [9, 4],
    ].entries())
      await seedRound(db(), {
        staff: `UREF${index + 1}`,
        unit: 'Reference',
        self: self as number,
        customer: customer as number,
        completedAt: midweek(days[index] as number),
      });
  }
  /** Maps: one round, self 9 and customer 2, by the unit's only staff member. */
  const seedMaps = () =>
    seedRound(db(), { staff: 'UMAPS', unit: 'Maps', self: 9, customer: 2, completedAt: midweek(4) });

  const headlineOf = (data: DigestData) => ({ rounds: data.headline.rounds, figures: data.headline.figures });
  const referenceOnly = { rounds: 3, figures: { rounds: 3, self: 8, customer: 5, gap: -3, light: 'red' } };

  it('two committees whose scopes differ by one small unit publish the same figures (4 x both - 3 x one)', async () => {
    await seedReference();
    await seedMaps();
    await seedCommittee(db(), 'CBOTH', { units: ['Reference', 'Maps'] });
    await seedCommittee(db(), 'CREF', { units: ['Reference'] });

    const both = await show('CBOTH', W47);
    const one = await show('CREF', W47);
    // Before: both = 4 rounds (self 8.3, customer 4.3), one = 3 rounds (8.0, 5.0), and
    // 4 x 8.25 - 3 x 8 = 9, 4 x 4.25 - 3 x 5 = 2: the Maps round. Now the two headlines are equal.
    expect(headlineOf(both)).toEqual(headlineOf(one));
    expect(headlineOf(both)).toEqual(referenceOnly);
    expect(both.headline.roundsLeftOut).toBe(1);
    expect(one.headline.roundsLeftOut).toBe(0);
    expect(JSON.stringify(both)).not.toMatch(/"unit":"Maps"/);

    const [previewBoth, previewOne] = [await preview('CBOTH'), await preview('CREF')];
    expect(previewBoth.text).toBe(previewOne.text);
    expect(previewBoth.shown).toContain('1 round in units or weeks too small to show is left out');
    expect(previewBoth.shown).not.toContain('9.0');

    // The scheduled posts (Mondays 09:00 UTC) say the same.
    await app.radar.scheduler.tick(new Date('2026-11-23T09:00:00Z'));
    const [postBoth] = posted('CBOTH');
    const [postOne] = posted('CREF');
    expect(postBoth?.args.text).toBe(
      'Service digest for 16–22 Nov 2026: 3 completed rounds, average gap -3.0.',
    );
    expect(postOne?.args.text).toBe(postBoth?.args.text);
    // Maps is named only where the committee's scope is (its own setting), never as a row.
    expect(visibleText(postBoth?.args.blocks)).toContain('Units: Reference, Maps');
    expect(visibleText(postBoth?.args.blocks)).not.toContain('*Maps*');
  });

  it('one committee before and after its scope is narrowed publishes the same figures', async () => {
    await seedReference();
    await seedMaps();
    await seedCommittee(db(), 'CSCOPE', { units: [] });
    const before = await show('CSCOPE', W47);
    const previewBefore = await preview('CSCOPE');

    // The admin narrows the scope to Reference in the settings modal.
    const since = standIn.calls.length;
    await command(ADMIN, 'settings', 'CSCOPE');
    const opened = await standIn.waitForCall(
      'views.open',
      (call) =>
        standIn.calls.indexOf(call) >= since && call.args.view?.callback_id === COMMITTEE_MODAL.callbackId,
    );
    await expect.poll(() => opened.reply).toBeDefined();
    const { blocks: ids, actionId } = COMMITTEE_MODAL;
    const values: Record<string, ViewStateValue> = {
      [ids.scope]: radio('units'),
      [ids.units]: plainInput('Reference'),
      [ids.weekday]: staticSelect('1'),
      [ids.hour]: staticSelect('9'),
      [ids.timeZone]: plainInput('UTC'),
      [ids.minGroupSize]: staticSelect('3'),
      [ids.showIndividuals]: checkboxes([]),
    };
    const saved = await app.send({
      kind: 'interactive',
      payload: viewSubmission({
        userId: ADMIN,
        view: {
          id: (opened.reply?.body.view as { id?: string } | undefined)?.id ?? '',
          callback_id: COMMITTEE_MODAL.callbackId,
          private_metadata: opened.args.view.private_metadata,
          state_values: Object.fromEntries(
            Object.entries(values).map(([block, value]) => [block, { [actionId]: value }]),
          ),
        },
      }),
    });
    expect(saved.body).toBe('');

    const after = await show('CSCOPE', W47);
    const previewAfter = await preview('CSCOPE');
    // Before: 4 rounds then 3, whose difference is the Maps round. Now the same figures both times.
    expect(headlineOf(before)).toEqual(headlineOf(after));
    expect(headlineOf(after)).toEqual(referenceOnly);
    expect(after.committee.units).toEqual(['Reference']);
    expect(before.headline.roundsLeftOut).toBe(1);
    expect(previewBefore.text).toBe(previewAfter.text);
  });

  it('two committees in different time zones put a Sunday-night round in the same week', async () => {
    // Reference in W47: three rounds mid-week. A fourth, by another staff member, on Sunday 22
    // November at 23:30 in New York: Monday 04:30 in London, so the library's W48, with two more.
    await seedReference();
    await seedRound(db(), {
      staff: 'UREF4',
      unit: 'Reference',
      self: 10,
      customer: 1,
      completedAt: new Date('2026-11-23T04:30:00Z'),
    });
    for (const [staff, day] of [
      ['UREF5', 9],
      ['UREF6', 10],
    ] as const)
      await seedRound(db(), { staff, unit: 'Reference', self: 7, customer: 7, completedAt: midweek(day) });
    await seedCommittee(db(), 'CNY', { timeZone: 'America/New_York' });
    await seedCommittee(db(), 'CAKL', { timeZone: 'Pacific/Auckland' });

    // Before: New York's W47 had 4 rounds and Auckland's 3, whose difference was the Sunday round
    // (self 10, customer 1). Now both committees' weeks are the library's.
    for (const week of [W47, W48]) {
      const ny = await show('CNY', week);
      const akl = await show('CAKL', week);
      expect(headlineOf(ny)).toEqual(headlineOf(akl));
      expect(ny.week).toEqual(akl.week);
    }
    expect(headlineOf(await show('CNY', W47))).toEqual(referenceOnly);
    // W48: 10+7+7 = 24 (8.0), 1+7+7 = 15 (5.0).
    expect((await show('CAKL', W48)).headline.figures).toMatchObject({ rounds: 3, self: 8, customer: 5 });

    // Previews on Wednesday 2 December: last week, the library's W48, for both.
    clock.set('2026-12-02T12:00:00Z');
    const [ny, akl] = [await preview('CNY'), await preview('CAKL')];
    expect(ny.text).toBe('Service digest for 23–29 Nov 2026: 3 completed rounds, average gap -3.0.');
    expect(akl.text).toBe(ny.text);
  });

  it('three rounds by one staff member are no group: that unit is left out', async () => {
    await seedReference();
    // Maps: three rounds, all by its one staff member, with three different customers.
    for (const [customer, day] of [
      [2, 4],
      [3, 5],
      [4, 6],
    ] as const)
      await seedRound(db(), { staff: 'USOLO', unit: 'Maps', self: 9, customer, completedAt: midweek(day) });
    await seedCommittee(db(), 'CALL', { minGroupSize: 3 });
    await seedCommittee(db(), 'CPEOPLE', { minGroupSize: 3, showIndividuals: true });

    const all = await show('CALL', W47);
    // Before: Maps was a "unit" of 3 rounds with that one person's averages, self 9.0, customer 3.0.
    expect(all.units.map((unit) => unit.unit)).toEqual(['Reference']);
    expect(headlineOf(all)).toEqual(referenceOnly);
    expect(all.headline.roundsLeftOut).toBe(3);
    const people = await show('CPEOPLE', W47);
    // Nobody had three different customers in a unit that passes, so no row for anyone.
    expect(people.individuals).toEqual([]);

    for (const channel of ['CALL', 'CPEOPLE']) {
      const { shown } = await preview(channel);
      expect(shown).not.toContain('Maps');
      expect(shown).not.toContain('USOLO');
      expect(shown).not.toContain('customer 3.0');
      expect(shown).toContain('3 rounds in units or weeks too small to show are left out');
    }
  });

  it('counts an open action plan only under a unit that is shown', async () => {
    await seedReference();
    await seedMaps();
    // Maps' only staff member has an open action plan.
    await db().execute(sql`
      insert into action_plans (staff_user_id, manager_user_id, channel_id, thread_ts, state, created_at)
      values ('UMAPS', 'UMANAGER', 'GPLANS', '1.1', 'active', '2026-11-02T10:00:00Z')`);
    await seedCommittee(db(), 'CALL');
    await seedCommittee(db(), 'CREF', { units: ['Reference'] });

    const all = await show('CALL', W47);
    // Before: "1 open action plan" under no unit shown, and 0 for Reference alone: Maps' one person.
    expect(all.followUps.plans).toEqual({ open: 0, improved: 0, nextCheckin: null, byUnit: [] });
    expect(all.followUps.plans).toEqual((await show('CREF', W47)).followUps.plans);
    const { shown } = await preview('CALL');
    expect(shown).not.toMatch(/action plan/);
  });
});
