import { and, eq, gte, lt } from 'drizzle-orm';
import { expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { walkUpAnswers } from '../../../src/db/schema.js';
import { round1 } from '../../../src/lib/averages.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { buildDigest, type DigestData } from '../../../src/modules/digests/digests.build.js';
import { createDigestsRepository } from '../../../src/modules/digests/digests.repository.js';
import { runDigestTick } from '../../../src/modules/digests/digests.usecases.js';
import {
  buildDigestMessage,
  MAX_LISTED_POINTS,
  renderDigestText,
} from '../../../src/modules/digests/digests.views.js';
import { weekBounds } from '../../../src/modules/digests/digests.weeks.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { digestDepsFor, seedCommittee, seedRound } from '../../helpers/digests.js';
import { markErased, seedServicePoint, seedWalkUp } from '../../helpers/service-points.js';
import { startSlackStandIn } from '../../helpers/slack-stand-in.js';
import { sampleDigest } from './digest-data.js';

/**
 * "At the service points", on 2026-W47 (Monday 16 to Sunday 22 November 2026, LIBRARY_TIME_ZONE
 * UTC), for committees with the default minimum of 3. Expected figures are worked out in comments
 * and also recomputed from the stored rows.
 */
const W47 = '2026-W47';
const clock = fixedClock('2026-11-30T12:00:00Z');
const WORDS = 'WALKUP-SECRET-9c1e';
const day = (date: string, hour = 12) => new Date(`${date}T${String(hour).padStart(2, '0')}:00:00Z`);

async function seedWeek(db: Database) {
  const reference = await seedServicePoint(db, { name: 'Reference desk', unit: 'Reference' });
  const circulation = await seedServicePoint(db, { name: 'Circulation desk', unit: 'circulation' });
  const chat = await seedServicePoint(db, { name: 'Chat service', unit: 'Reference' });
  const children = await seedServicePoint(db, { name: 'Children’s desk', unit: 'Children' });
  await seedServicePoint(db, { name: 'Quiet desk', unit: 'Reference' });

  // Reference desk, W47: experience 6+7+5+8 = 26 (6.5), expected 8+8+9+7 = 32 (8.0), gap -1.5.
  const refAnswers = [
    [6, 8],
    [7, 8],
    [5, 9],
    [8, 7],
  ] as const;
  for (const [index, [experience, expectation]] of refAnswers.entries())
    await seedWalkUp(db, reference.id, {
      experience,
      expectation,
      at: day(`2026-11-${16 + index}`),
      doBetter: `${WORDS} do better ${index}`,
      noLongerNeed: `${WORDS} no longer ${index}`,
    });
  // One answer whose words retention erased: its scores still count (experience 6, expected 8).
  // With it: experience 32 / 5 = 6.4, expected 40 / 5 = 8.0, gap -1.6.
  const erased = await seedWalkUp(db, reference.id, {
    experience: 6,
    expectation: 8,
    at: day('2026-11-21'),
    doBetter: `${WORDS} erased`,
  });
  await markErased(db, erased, day('2026-11-29'));
  // Two that looked like spam: kept out of every figure, counted.
  for (const at of [day('2026-11-17', 3), day('2026-11-18', 4)])
    await seedWalkUp(db, reference.id, {
      experience: 10,
      expectation: 1,
      at,
      doBetter: `${WORDS} spam`,
      spam: true,
    });
  // The week before, W46: 3 answers, 7/7 each, gap 0.0; so the change is -1.6. W45: 2 answers, not shown.
  for (const date of ['2026-11-09', '2026-11-10', '2026-11-11'])
    await seedWalkUp(db, reference.id, { experience: 7, expectation: 7, at: day(date) });
  for (const date of ['2026-11-02', '2026-11-03'])
    await seedWalkUp(db, reference.id, { experience: 1, expectation: 10, at: day(date) });
  // Sunday 22 November 23:30 UTC is still W47; Monday 00:30 is W48 and does not count.
  await seedWalkUp(db, reference.id, {
    experience: 2,
    expectation: 10,
    at: new Date('2026-11-23T00:30:00Z'),
  });

  // Circulation desk: 9+8+8 = 25 (8.333, 8.3), expected 7+7+8 = 22 (7.333, 7.3), gap 8.3 - 7.3 = 1.0.
  for (const [index, [experience, expectation]] of (
    [
      [9, 7],
      [8, 7],
      [8, 8],
    ] as const
  ).entries())
    await seedWalkUp(db, circulation.id, { experience, expectation, at: day(`2026-11-${19 + index}`, 9) });
  // Chat service: 2 answers, under the minimum: left out, counted.
  for (const date of ['2026-11-16', '2026-11-22'])
    await seedWalkUp(db, chat.id, { experience: 2, expectation: 9, at: new Date(`${date}T23:30:00Z`) });
  // Children's desk: enough answers, but out of a Reference + Circulation committee's scope.
  for (const date of ['2026-11-16', '2026-11-17', '2026-11-18'])
    await seedWalkUp(db, children.id, { experience: 3, expectation: 9, at: day(date) });

  // Staff rounds. Reference: 3 staff, 3 customers: shown, self 8+9+7 = 24 (8.0).
  for (const [staff, self] of [
    ['UREF1', 8],
    ['UREF2', 9],
    ['UREF3', 7],
  ] as const)
    await seedRound(db, { staff, unit: 'Reference', self, customer: 6, completedAt: day('2026-11-18') });
  // Circulation: 3 rounds by only 2 staff members: not shown, so neither is its self-rating.
  for (const [staff, self] of [
    ['UCIR1', 4],
    ['UCIR2', 5],
    ['UCIR1', 6],
  ] as const)
    await seedRound(db, { staff, unit: 'Circulation', self, customer: 9, completedAt: day('2026-11-19') });
  return { reference, circulation, chat, children };
}

/** The figures of a point's week recomputed from the stored rows, the way the brief defines them. */
async function recomputed(db: Database, servicePointId: number, week: string) {
  const { start, end } = weekBounds(week, 'UTC');
  const rows = await db
    .select()
    .from(walkUpAnswers)
    .where(
      and(
        eq(walkUpAnswers.servicePointId, servicePointId),
        gte(walkUpAnswers.createdAt, start),
        lt(walkUpAnswers.createdAt, end),
        eq(walkUpAnswers.suspectedSpam, false),
      ),
    );
  const experience = round1(rows.reduce((sum, row) => sum + row.experience, 0) / rows.length);
  const expectation = round1(rows.reduce((sum, row) => sum + row.expectation, 0) / rows.length);
  return { answers: rows.length, experience, expectation, gap: round1(experience - expectation) };
}

describeEachDatabase('digest: at the service points', (getDb) => {
  const db = () => getDb().handle.db;
  const build = async (units: string[], minGroupSize = 3) =>
    buildDigest({
      digests: createDigestsRepository({ db: db() }),
      committee: await seedCommittee(db(), `C${units.join('') || 'ALL'}${minGroupSize}`, {
        units,
        minGroupSize,
      }),
      week: W47,
      clock,
      libraryTimeZone: 'UTC',
    });

  it('shows points with enough answers, worst gap first, with figures that add up and match the rows', async () => {
    const { reference, circulation } = await seedWeek(db());
    const data = await build(['Reference', 'Circulation']);
    const section = data.servicePoints;
    expect(section.points.map((point) => point.name)).toEqual(['Reference desk', 'Circulation desk']);
    const [ref, circ] = section.points;
    expect(ref).toMatchObject({ answers: 5, experience: 6.4, expectation: 8, gap: -1.6, unit: 'Reference' });
    expect(circ).toMatchObject({
      answers: 3,
      experience: 8.3,
      expectation: 7.3,
      gap: 1,
      unit: 'circulation',
    });
    expect(ref).toMatchObject(await recomputed(db(), reference.id, W47));
    expect(circ).toMatchObject(await recomputed(db(), circulation.id, W47));
    for (const point of section.points) expect(point.gap).toBe(round1(point.experience - point.expectation));

    // The trend: the last 8 weeks' gaps, a week under the minimum as null; the change from W46.
    expect(ref?.trend.map((week) => week.gap)).toEqual([null, null, null, null, null, null, 0, -1.6]);
    expect(ref?.trend.at(-3)).toEqual({ week: '2026-W45', answers: 0, gap: null });
    expect(ref?.gapChange).toBe(-1.6);
    expect(circ?.gapChange).toBeNull();
  });

  it('counts spam, small points and quiet points, and never shows a small point', async () => {
    await seedWeek(db());
    const { servicePoints } = await build(['Reference', 'Circulation']);
    expect(servicePoints.spamLeftOut).toBe(2);
    // Chat service (2 answers) is left out; Quiet desk had none.
    expect(servicePoints.pointsLeftOut).toBe(1);
    expect(servicePoints.pointsWithoutAnswers).toBe(1);
    expect(JSON.stringify(servicePoints)).not.toContain('Chat service');
    // With a minimum of 5, Circulation desk (3 answers) is left out too, and Reference desk's W46 (3) is not in its trend.
    const strict = await build(['Reference', 'Circulation'], 5);
    expect(strict.servicePoints.points.map((point) => point.name)).toEqual(['Reference desk']);
    expect(strict.servicePoints.pointsLeftOut).toBe(2);
    expect(strict.servicePoints.points[0]?.trend.at(-2)?.gap).toBeNull();
    expect(strict.servicePoints.points[0]?.gapChange).toBeNull();
  });

  it("shows the unit's self-rating only when the unit's rounds pass the digest's threshold", async () => {
    await seedWeek(db());
    const data = await build(['Reference', 'Circulation']);
    const [ref, circ] = data.servicePoints.points;
    expect(ref?.staffSelfRating).toEqual({ shown: true, unit: 'Reference', self: 8, rounds: 3 });
    expect(data.units.find((unit) => unit.unit === 'Reference')?.self).toBe(8);
    // Circulation's rounds came from 2 staff members: the unit is hidden, and so is its self-rating.
    expect(data.units.map((unit) => unit.unit)).not.toContain('Circulation');
    expect(circ?.staffSelfRating).toEqual({ shown: false, unit: 'circulation' });
    const message = JSON.stringify(buildDigestMessage(data));
    expect(message).toContain('cannot be shown this week');
    // Circulation's self scores 4, 5, 6 average 5.0: that figure appears nowhere.
    expect(message).not.toMatch(/rate themselves 5\.0/);
  });

  it('leaves out points of units outside the scope, and takes all of them for a committee of all staff', async () => {
    await seedWeek(db());
    const scoped = await build(['Reference']);
    expect(scoped.servicePoints.points.map((point) => point.name)).toEqual(['Reference desk']);
    expect(JSON.stringify(scoped)).not.toContain('Children');
    expect(JSON.stringify(scoped)).not.toContain('Circulation desk');
    const all = await build([]);
    expect(all.servicePoints.points.map((point) => point.name)).toEqual([
      'Children’s desk',
      'Reference desk',
      'Circulation desk',
    ]);
    // Children's desk: 3/9 three times, gap -6.0; no rounds in Children, so no self-rating.
    expect(all.servicePoints.points[0]).toMatchObject({ gap: -6, staffSelfRating: { shown: false } });
  });

  it('puts the section in the channel message and the text, in words, inside Block Kit limits', async () => {
    await seedWeek(db());
    const data = await build(['Reference', 'Circulation']);
    const message = buildDigestMessage(data);
    expectWithinBlockKitLimits('message', message);
    const json = JSON.stringify(message);
    expect(json).toContain('At the service points');
    expect(json).toContain('expectations not met, by 1.6');
    expect(json).toContain('expectations exceeded, by 1.0');
    expect(json).toContain('2 answers that looked like spam were left out');
    expect(json).toContain('1 service point had fewer than 3 answers this week and is not shown');
    const text = renderDigestText(data);
    expect(text).toContain('At the service points');
    expect(text).toMatch(/Reference desk\s+experience 6\.4\s+expected 8\.0\s+gap -1\.6/);
  });

  it('never carries a walk-up written answer: not in DigestData, the text, the preview, nor any posted message', async () => {
    await seedWeek(db());
    const data: DigestData = await build(['Reference', 'Circulation']);
    expect(JSON.stringify(data)).not.toContain(WORDS);
    expect(renderDigestText(data)).not.toContain(WORDS);
    expect(JSON.stringify(buildDigestMessage(data, { preview: true }))).not.toContain(WORDS);

    // The scheduled post, through the real use case and a Slack stand-in: every call it made.
    const standIn = await startSlackStandIn();
    try {
      const deps = digestDepsFor(db(), standIn, fixedClock('2026-11-23T09:30:00Z'), {
        renderChart: async () => Buffer.from('PNG'),
      });
      const report = await runDigestTick(deps, new Date('2026-11-23T09:30:00Z'));
      expect(report.posted).toBeGreaterThan(0);
      const posted = standIn.callsTo('chat.postMessage');
      expect(JSON.stringify(posted.map((call) => call.args))).toContain('At the service points');
      expect(JSON.stringify(standIn.calls.map((call) => call.args))).not.toContain(WORDS);
    } finally {
      await standIn.close();
    }
  });

  it('posts the section even in a week without completed rounds', async () => {
    const point = await seedServicePoint(db(), { name: 'Reference desk' });
    for (const date of ['2026-11-16', '2026-11-17', '2026-11-18'])
      await seedWalkUp(db(), point.id, { experience: 8, expectation: 6, at: day(date) });
    const data = await build([]);
    expect(data.headline.rounds).toBe(0);
    const message = buildDigestMessage(data);
    expectWithinBlockKitLimits('message', message);
    expect(JSON.stringify(message)).toContain('no rounds were completed this week');
    expect(JSON.stringify(message)).toContain('expectations exceeded, by 2.0');
  });
});

it('lists a few points in full and counts the rest, inside Block Kit limits with long names everywhere', () => {
  const data = sampleDigest({ units: 40, individuals: 40, longNames: true, servicePoints: 30 });
  const message = buildDigestMessage(data);
  expectWithinBlockKitLimits('message', message);
  const json = JSON.stringify(message);
  expect(json).toContain(`…and ${30 - MAX_LISTED_POINTS} more service points not listed`);
  expect(renderDigestText(data)).toContain('Desk 29');
});
