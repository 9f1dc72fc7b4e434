import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { type Database, rowsOf } from '../../../src/db/client.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { buildDigest, type DigestData } from '../../../src/modules/digests/digests.build.js';
import { createDigestsRepository } from '../../../src/modules/digests/digests.repository.js';
import { buildDigestMessage, renderDigestText } from '../../../src/modules/digests/digests.views.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { seedCommittee, seedRound } from '../../helpers/digests.js';

/**
 * The week under test is 2026-W47: Monday 16 to Sunday 22 November 2026. Every expected figure below
 * is worked out by hand in the comments, from the rounds seeded here.
 */
const W47 = '2026-W47';
const at = (iso: string) => new Date(iso);
const clock = fixedClock('2026-11-30T12:00:00Z');
const SECRET = 'SECRET-ANSWER-7f3a';

async function seedWeek(db: Database) {
  const inW47 = (day: number, hour = 12) => at(`2026-11-${String(16 + day).padStart(2, '0')}T${hour}:00:00Z`);
  // Reference, 4 rounds: self 8+9+7+8 = 32 (avg 8.0); customer 4+5+5+6 = 20 (avg 5.0); gap -3.0, red.
  await seedRound(db, {
    staff: 'UREF1',
    unit: 'Reference',
    self: 8,
    customer: 4,
    completedAt: inW47(0),
    noLongerNeed: 'The weekly printed list',
  });
  await seedRound(db, {
    staff: 'UREF2',
    unit: 'Reference',
    self: 9,
    customer: 5,
    completedAt: inW47(1),
    noLongerNeed: 'n/a',
  });
  await seedRound(db, {
    staff: 'UREF3',
    unit: 'reference',
    self: 7,
    customer: 5,
    completedAt: inW47(2),
    noLongerNeed: 'Fax confirmations',
  });
  await seedRound(db, { staff: 'UREF4', unit: 'Reference', self: 8, customer: 6, completedAt: inW47(3) });
  // Circulation, 3 rounds: self 6+7+5 = 18 (6.0); customer 7+7+8 = 22 (7.333, shown 7.3); gap 7.3 - 6.0 = 1.3, green.
  await seedRound(db, {
    staff: 'UCIR1',
    unit: 'Circulation',
    self: 6,
    customer: 7,
    completedAt: inW47(0),
    noLongerNeed: 'No.',
  });
  await seedRound(db, {
    staff: 'UCIR2',
    unit: 'Circulation',
    self: 7,
    customer: 7,
    completedAt: inW47(4),
    noLongerNeed: '-',
  });
  await seedRound(db, {
    staff: 'UCIR3',
    unit: 'Circulation',
    self: 5,
    customer: 8,
    completedAt: inW47(5),
    noLongerNeed: 'nothing at the moment',
  });
  // Children's, 3 rounds: self 7+8+7 = 22 (7.333 -> 7.3); customer 6+6+5 = 17 (5.667 -> 5.7); gap -1.6, yellow.
  await seedRound(db, {
    staff: 'UCHI1',
    unit: "Children's",
    self: 7,
    customer: 6,
    completedAt: inW47(1),
    answers: SECRET,
  });
  await seedRound(db, { staff: 'UCHI2', unit: "Children's", self: 8, customer: 6, completedAt: inW47(2) });
  await seedRound(db, {
    staff: 'UCHI3',
    unit: "Children's",
    self: 7,
    customer: 5,
    completedAt: inW47(6, 23),
    noLongerNeed: `${SECRET} the newsletter`,
  });
  // Two units with one round each, below the minimum of 3.
  await seedRound(db, {
    staff: 'UARC1',
    unit: 'Archives',
    self: 9,
    customer: 3,
    completedAt: inW47(3),
    answers: SECRET,
  });
  await seedRound(db, { staff: 'UMAP1', unit: 'Maps', self: 6, customer: 6, completedAt: inW47(4) });

  // W46: Reference, 3 rounds by 3 staff members: self 8 (8.0); customer 6+6+7 = 19 (6.333 -> 6.3); gap -1.7.
  for (const [staff, customer, day] of [
    ['UREF1', 6, 9],
    ['UREF2', 6, 10],
    ['UREF3', 7, 11],
  ] as const)
    await seedRound(db, {
      staff,
      unit: 'Reference',
      self: 8,
      customer,
      completedAt: at(`2026-11-${String(day).padStart(2, '0')}T10:00:00Z`),
    });
  // W45: only 2 rounds, below the minimum: no figures for that week.
  await seedRound(db, {
    staff: 'UREF1',
    unit: 'Reference',
    self: 8,
    customer: 8,
    completedAt: at('2026-11-03T10:00:00Z'),
  });
  await seedRound(db, {
    staff: 'UREF2',
    unit: 'Reference',
    self: 8,
    customer: 8,
    completedAt: at('2026-11-04T10:00:00Z'),
  });

  // Follow-ups for W47. Awaiting at the end of the week (Mon 23 Nov 00:00 UTC):
  // 1. started in W47, still awaiting;
  await seedRound(db, { staff: 'UREF1', unit: 'Reference', self: 7, createdAt: inW47(2) });
  // 2. started in W46, answered only in W48;
  await seedRound(db, {
    staff: 'UREF2',
    unit: 'Reference',
    self: 7,
    customer: 7,
    createdAt: at('2026-11-12T10:00:00Z'),
    completedAt: at('2026-11-24T10:00:00Z'),
  });
  // 3. started in W45, expired in W48.
  await seedRound(db, {
    staff: 'UREF3',
    unit: 'Reference',
    self: 7,
    status: 'expired',
    createdAt: at('2026-11-04T10:00:00Z'),
    closedAt: at('2026-11-25T10:00:00Z'),
  });
  // Not awaiting: started after the week, and one that expired during it (the week's one expiry).
  await seedRound(db, { staff: 'UREF4', unit: 'Reference', self: 7, createdAt: at('2026-11-24T10:00:00Z') });
  await seedRound(db, {
    staff: 'UCIR1',
    unit: 'Circulation',
    self: 7,
    status: 'expired',
    createdAt: at('2026-10-28T10:00:00Z'),
    closedAt: at('2026-11-18T10:00:00Z'),
  });
  // A cancelled round expired nothing.
  await seedRound(db, {
    staff: 'UCIR2',
    unit: 'Circulation',
    self: 7,
    status: 'cancelled',
    createdAt: at('2026-11-10T10:00:00Z'),
    closedAt: at('2026-11-17T10:00:00Z'),
  });
}

describeEachDatabase('digest aggregation', (getDb) => {
  const db = () => getDb().handle.db;
  const build = async (
    committee: Awaited<ReturnType<typeof seedCommittee>>,
    week = W47,
    libraryTimeZone = 'UTC',
  ) =>
    buildDigest({ digests: createDigestsRepository({ db: db() }), committee, week, clock, libraryTimeZone });

  it('counts action plans only in units shown: open, improved, and the next check-in', async () => {
    await seedWeek(db());
    // Plans of staff in Reference (shown) and Archives (one round: left out): two open in Reference
    // (one with a check-in due), one closed as improved there, one open in Archives, not counted.
    await db().execute(sql`
      insert into staff_profiles (user_id, unit) values ('UPLAN1', 'Reference'), ('UPLAN2', 'Archives')
      on conflict (user_id) do nothing`);
    const plan = (staff: string, ts: string, closed: boolean) => sql`
      insert into action_plans (staff_user_id, manager_user_id, channel_id, thread_ts, state, outcome, created_at, closed_at)
      values (${staff}, 'UMGR', 'CPLAN', ${ts}, ${closed ? 'closed' : 'active'}, ${closed ? 'improved' : null},
              '2026-11-02T10:00:00Z', ${closed ? '2026-11-18T10:00:00Z' : null})
      returning id`;
    const [first] = rowsOf<{ id: number }>(await db().execute(plan('UPLAN1', '1.1', false)));
    await db().execute(plan('UPLAN1', '1.2', false));
    await db().execute(plan('UPLAN1', '1.3', true));
    await db().execute(plan('UPLAN2', '1.4', false));
    await db().execute(sql`
      insert into reminders (kind, plan_id, recipient_user_id, due_at, dedupe_key)
      values ('plan_checkin', ${first?.id}, 'UPLAN1', '2026-11-24T09:00:00Z', 'plan_checkin:x:1')`);
    const digest = await build(await seedCommittee(db(), 'CALL'));
    expect(digest.followUps.plans).toEqual({
      open: 2,
      improved: 1,
      nextCheckin: '2026-11-24T09:00:00.000Z',
      byUnit: [{ unit: 'Reference', open: 2, improved: 1 }],
    });
    const text = JSON.stringify(buildDigestMessage(digest).blocks);
    expect(text).toContain(
      '2 open action plans in units shown, next check-in Tue 24 Nov: Reference 2 (1 improved)',
    );
    expect(text).not.toContain('Archives');
  });

  it('computes the headline, units, lights and follow-ups by hand-checked figures', async () => {
    await seedWeek(db());
    const digest = await build(await seedCommittee(db(), 'CALL'));

    expect(digest.week).toMatchObject({
      id: W47,
      label: '16–22 Nov 2026',
      start: '2026-11-16T00:00:00.000Z',
      timeZone: 'UTC',
    });
    // Reference (4 staff members, 4 customers), Circulation and Children's (3 and 3 each) pass the
    // minimum of 3; Archives and Maps (one round each) are left out of every figure.
    // 10 rounds: self 32+18+22 = 72 (7.2); customer 20+22+17 = 59 (5.9); gap -1.3.
    expect(digest.headline.rounds).toBe(10);
    expect(digest.headline.roundsLeftOut).toBe(2);
    expect(digest.headline.figures).toEqual({
      rounds: 10,
      self: 7.2,
      customer: 5.9,
      gap: -1.3,
      light: 'yellow',
    });
    expect(digest.headline.previous).toMatchObject({
      week: '2026-W46',
      rounds: 3,
      figures: { self: 8, customer: 6.3, gap: -1.7, light: 'yellow' },
    });
    // -1.3 - (-1.7) = +0.4: better.
    expect(digest.headline.gapChange).toBe(0.4);

    expect(digest.units).toEqual([
      { unit: 'Reference', rounds: 4, self: 8, customer: 5, gap: -3, light: 'red' },
      { unit: "Children's", rounds: 3, self: 7.3, customer: 5.7, gap: -1.6, light: 'yellow' },
      { unit: 'Circulation', rounds: 3, self: 6, customer: 7.3, gap: 1.3, light: 'green' },
    ]);
    expect(digest.individuals).toBeNull();

    // "The weekly printed list", "Fax confirmations" and the Children's answer name something;
    // "n/a", "No.", "-", "nothing at the moment" and the seeded "Nothing." do not.
    expect(digest.followUps).toEqual({
      awaitingCustomer: 3,
      expiredThisWeek: 1,
      noLongerNeed: 3,
      plans: { open: 0, improved: 0, nextCheckin: null, byUnit: [] },
    });

    // Trend: 12 weeks ending with W47; W45 has 2 rounds by 2 staff members, under the minimum.
    expect(digest.trend).toHaveLength(12);
    expect(digest.trend.map((point) => point.week).slice(-3)).toEqual(['2026-W45', '2026-W46', W47]);
    expect(digest.trend.at(-3)).toMatchObject({ rounds: 0, figures: null });
    expect(digest.trend.at(-1)).toMatchObject({ rounds: 10, figures: digest.headline.figures });
    expect(digest.trend.at(0)).toMatchObject({ week: '2026-W36', rounds: 0, figures: null });
  });

  it('leaves a small unit out of every figure, so nothing subtracts to it', async () => {
    await seedWeek(db());
    const digest = await build(await seedCommittee(db(), 'CALL'));
    const everything = `${JSON.stringify(digest)}${JSON.stringify(buildDigestMessage(digest))}${renderDigestText(digest)}`;
    for (const hidden of ['Archives', 'Maps']) expect(everything).not.toContain(hidden);
    // The headline is exactly the units shown: subtracting them leaves nothing.
    const shown = digest.units.reduce((sum, unit) => sum + unit.rounds, 0);
    expect(digest.headline.rounds).toBe(shown);
    expect(everything).toContain('2 rounds in units or weeks too small to show are left out');
  });

  it('counts different customers too: three staff members with one customer are no group', async () => {
    for (const staff of ['U1', 'U2', 'U3'])
      await seedRound(db(), {
        staff,
        unit: 'Reference',
        self: 8,
        customer: 2,
        completedAt: at('2026-11-18T12:00:00Z'),
        customerUserId: 'UONECUSTOMER',
      });
    const digest = await build(await seedCommittee(db(), 'CALL'));
    expect(digest.headline).toMatchObject({ rounds: 0, roundsLeftOut: 3, figures: null });
    expect(digest.units).toEqual([]);
    expect(digest.followUps.noLongerNeed).toBeNull();
  });

  it('never carries a customer, a free-text answer or a customer id', async () => {
    await seedWeek(db());
    const digest = await build(await seedCommittee(db(), 'CALL', { showIndividuals: true }));
    const everything = `${JSON.stringify(digest)}${JSON.stringify(buildDigestMessage(digest))}${renderDigestText(digest)}`;
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('printed list');
    expect(everything).not.toContain('Fax');
    expect(everything).not.toMatch(/UCUST|Customer \d|Service \d/);
  });

  it('shows individual rows only when the committee has them on, and only where customers are many enough', async () => {
    // Reference: three staff members with three different customers each. Circulation: three staff
    // members, one of whom had only two customers, so its rows would give hers away by subtraction.
    const seed = async (unit: string, staff: string, customers: number, self: number, score: number) => {
      for (let i = 0; i < customers; i++)
        await seedRound(db(), {
          staff,
          unit,
          self,
          customer: score,
          completedAt: at(`2026-11-${17 + i}T12:00:00Z`),
        });
    };
    await seed('Reference', 'UREF1', 3, 9, 3);
    await seed('Reference', 'UREF2', 3, 8, 6);
    await seed('Reference', 'UREF3', 4, 7, 7);
    await seed('Circulation', 'UCIR1', 3, 5, 9);
    await seed('Circulation', 'UCIR2', 3, 6, 6);
    await seed('Circulation', 'UCIR3', 2, 9, 1);

    const off = await build(await seedCommittee(db(), 'COFF'));
    expect(off.individuals).toBeNull();
    expect(JSON.stringify(buildDigestMessage(off))).not.toContain('UREF1');
    const on = await build(await seedCommittee(db(), 'CON', { showIndividuals: true }));
    expect(on.units.map((unit) => unit.unit)).toEqual(['Reference', 'Circulation']);
    // UREF1: 3 - 9 = -6.0; UREF2: 6 - 8 = -2.0; UREF3: 7 - 7 = 0.0. No row from Circulation.
    expect(on.individuals).toEqual([
      { staffUserId: 'UREF1', name: null, rounds: 3, self: 9, customer: 3, gap: -6, light: 'red' },
      { staffUserId: 'UREF2', name: null, rounds: 3, self: 8, customer: 6, gap: -2, light: 'yellow' },
      { staffUserId: 'UREF3', name: null, rounds: 4, self: 7, customer: 7, gap: 0, light: 'green' },
    ]);
    // The rows add up to their unit's row.
    const reference = on.units.find((unit) => unit.unit === 'Reference');
    expect(reference?.rounds).toBe(10);
    expectWithinBlockKitLimits('message', buildDigestMessage(on));
    // With a minimum of 4, UREF1 and UREF2 had too few customers: no row for anyone in Reference.
    const strict = await build(
      await seedCommittee(db(), 'CSTRICT', { showIndividuals: true, minGroupSize: 4 }),
    );
    expect(strict.individuals).toEqual([]);
  });

  it('covers only the listed units, compared without regard to case', async () => {
    await seedWeek(db());
    const digest = await build(await seedCommittee(db(), 'CUNITS', { units: ['reference', 'CIRCULATION'] }));
    // 7 rounds: self 32+18 = 50 (7.14 -> 7.1); customer 20+22 = 42 (6.0); gap -1.1.
    expect(digest.headline.figures).toEqual({
      rounds: 7,
      self: 7.1,
      customer: 6,
      gap: -1.1,
      light: 'yellow',
    });
    expect(digest.units.map((unit) => unit.unit)).toEqual(['Reference', 'Circulation']);
    expect(digest.headline.roundsLeftOut).toBe(0);
    // Awaiting: all three are Reference's; the week's expiry was Circulation's.
    expect(digest.followUps).toMatchObject({ awaitingCustomer: 3, expiredThisWeek: 1, noLongerNeed: 2 });
  });

  it('cuts weeks in the library’s zone, the same for committees in any zone', async () => {
    // Sunday 22 Nov 23:30 in New York is Monday 23 Nov 04:30 UTC (W48 in UTC).
    await seedRound(db(), {
      staff: 'U1',
      unit: 'Reference',
      self: 8,
      customer: 5,
      completedAt: at('2026-11-23T04:30:00Z'),
    });
    // Monday 16 Nov 00:30 in New York (05:30 UTC): W47 too.
    await seedRound(db(), {
      staff: 'U2',
      unit: 'Reference',
      self: 8,
      customer: 6,
      completedAt: at('2026-11-16T05:30:00Z'),
    });
    await seedRound(db(), {
      staff: 'U3',
      unit: 'Reference',
      self: 8,
      customer: 7,
      completedAt: at('2026-11-18T12:00:00Z'),
    });
    // Sunday 15 Nov 23:59 in New York (16 Nov 04:59 UTC): W46 there, although UTC says W47.
    await seedRound(db(), {
      staff: 'U4',
      unit: 'Reference',
      self: 2,
      customer: 2,
      completedAt: at('2026-11-16T04:59:00Z'),
    });
    const ny = await seedCommittee(db(), 'CNY', { timeZone: 'America/New_York' });
    const utc = await seedCommittee(db(), 'CUTC');

    // The library in New York: its W47 has the Sunday-night round, not the one before Monday there.
    const inNewYork = await build(ny, W47, 'America/New_York');
    expect(inNewYork.week).toMatchObject({ start: '2026-11-16T05:00:00.000Z', timeZone: 'America/New_York' });
    expect(inNewYork.headline.figures).toEqual({ rounds: 3, self: 8, customer: 6, gap: -2, light: 'yellow' });
    // W46 there holds one round: left out.
    expect(inNewYork.trend.at(-2)).toMatchObject({ rounds: 0, figures: null });
    // The committee in UTC gets the library's week, the same figures.
    const { generatedAt: _a, committee: _c, ...same } = await build(utc, W47, 'America/New_York');
    const { generatedAt: _b, committee: _d, ...expected } = inNewYork;
    expect(same).toEqual(expected);

    // The library in UTC: W47 has the 05:30, the 12:00 and the 04:59 rounds, and not the Sunday-night one.
    const inUtc = await build(ny, W47, 'UTC');
    expect(inUtc.headline.rounds).toBe(3);
    expect(inUtc.headline.figures?.self).toBe(6);
  });

  it('says so in one line when the week is empty, and hides figures when it is too small', async () => {
    const committee = await seedCommittee(db(), 'CEMPTY', { minGroupSize: 5 });
    const empty = await build(committee);
    expect(empty.headline).toMatchObject({ rounds: 0, figures: null });
    const message = buildDigestMessage(empty);
    expect(message.blocks).toHaveLength(1);
    expect(JSON.stringify(message.blocks)).toContain('no rounds were completed this week');

    for (const [staff, self, customer] of [
      ['U1', 8, 2],
      ['U2', 7, 6],
      ['U3', 9, 9],
      ['U4', 5, 5],
    ] as const)
      await seedRound(db(), {
        staff,
        unit: 'Reference',
        self,
        customer,
        completedAt: at('2026-11-18T12:00:00Z'),
        noLongerNeed: 'Something',
      });
    const small = await build(committee);
    expect(small.headline).toMatchObject({ rounds: 0, roundsLeftOut: 4, figures: null });
    expect(small.units).toEqual([]);
    expect(small.followUps.noLongerNeed).toBeNull();
    const text = JSON.stringify(buildDigestMessage(small));
    expect(text).toContain(
      '4 rounds completed this week, but no unit’s came from at least 5 different staff members and 5 different customers, so no figures are shown',
    );
    expect(text).not.toContain('Reference');
  });

  it('builds the same figures for the same week whenever it is built', async () => {
    await seedWeek(db());
    const committee = await seedCommittee(db(), 'CALL');
    const first = await build(committee);
    clock.set('2027-03-01T00:00:00Z');
    const later: DigestData = await build(committee);
    clock.set('2026-11-30T12:00:00Z');
    expect({ ...later, generatedAt: '' }).toEqual({ ...first, generatedAt: '' });
  });
});
