import fc from 'fast-check';
import { DateTime } from 'luxon';
import { expect, it } from 'vitest';
import type { Database } from '../../../src/db/client.js';
import { actionPlans, roundResponses, rounds, staffProfiles } from '../../../src/db/schema.js';
import { fixedClock } from '../../../src/lib/clock.js';
import { createDigestsRepository } from '../../../src/modules/digests/digests.repository.js';
import { buildCommitteeDigest } from '../../../src/modules/digests/digests.usecases.js';
import { buildDigestMessage, renderDigestText } from '../../../src/modules/digests/digests.views.js';
import { createPracticesRepository } from '../../../src/modules/practices/practices.repository.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';
import { describeEachDatabase } from '../../helpers/database.js';
import { seedCommittee } from '../../helpers/digests.js';

/**
 * The digest's privacy promise, as a property: whatever committees exist (scopes, time zones,
 * minimums, individual rows on or off) over whatever rounds, every figure any of them publishes is
 * a sum of whole atoms that pass the threshold. An atom is one unit's completed rounds in one ISO
 * week of the library's calendar (LIBRARY_TIME_ZONE); it passes a committee's minimum N when its
 * rounds come from at least N different staff members and N different customers. Then no
 * combination of published figures, across committees, weeks or settings, can isolate a person, a
 * round or a small unit: everything anyone can compute is a function of passing atoms' totals.
 *
 * Individual rows (a committee's choice) go one level finer: a staff member's rounds in one atom.
 * Such a row may be published only when its unit's atom passes and every staff member in that atom
 * had at least N different customers there, so the rows add up to the unit and leave nothing small
 * to subtract; each row's customer scores still come from N or more customers.
 *
 * The atoms are computed here from the raw rounds, independently of the app's SQL. The digests are
 * built by buildCommitteeDigest: the function the scheduled post, the preview and `digest show` use.
 */

const UNITS = ['Reference', 'reference', 'Circulation', 'Maps', 'Archives', "Children's"];
const ZONES = [
  'UTC',
  'Europe/London',
  'America/New_York',
  'America/Los_Angeles',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Asia/Kolkata',
];
/** The rounds fall in November 2026 (2026-W45 to 2026-W48 in most zones); digests cover W45-W49. */
const FIRST = Date.parse('2026-11-01T00:00:00Z');
const LAST = Date.parse('2026-11-30T00:00:00Z');
const WEEKS = ['2026-W45', '2026-W46', '2026-W47', '2026-W48', '2026-W49'];
const NOTHING = 'Nothing.';

interface RawRound {
  staff: string;
  customer: string;
  unit: string;
  self: number;
  score: number;
  at: number;
  noLongerNeed: string;
}
interface RawPlan {
  staff: string;
  createdAt: number;
  closedAt: number | null;
  improved: boolean;
}
interface RawCommittee {
  units: string[];
  timeZone: string;
  minGroupSize: number;
  showIndividuals: boolean;
}
interface Scenario {
  libraryTimeZone: string;
  rounds: RawRound[];
  plans: RawPlan[];
  committees: RawCommittee[];
}

/** An instant near some zone's Monday midnight (where weeks split differently by zone), or anywhere in the month. */
const instant = fc.oneof(
  fc.integer({ min: FIRST, max: LAST }),
  fc
    .record({
      zone: fc.constantFrom(...ZONES),
      week: fc.integer({ min: 0, max: 4 }),
      minutes: fc.integer({ min: -180, max: 180 }),
    })
    .map(({ zone, week, minutes }) =>
      Math.min(
        LAST,
        Math.max(
          FIRST,
          DateTime.fromObject({ weekYear: 2026, weekNumber: 45 + week, weekday: 1 }, { zone })
            .startOf('day')
            .plus({ minutes })
            .toMillis(),
        ),
      ),
    ),
);

const clamp = (at: number) => Math.min(LAST - 1, Math.max(FIRST, at));
const score = fc.integer({ min: 1, max: 10 });
const answer = fc.constantFrom(NOTHING, NOTHING, 'The printed rota');

/**
 * Rounds come in bursts around an instant (often near some zone's midnight), so that units and weeks
 * of every size occur: one round, a few by one person, many by many; and in teams, where a few staff
 * members each ask several different customers (what individual rows need).
 */
const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    libraryTimeZone: fc.constantFrom(...ZONES),
    units: fc.uniqueArray(fc.constantFrom(...UNITS), { minLength: 1, maxLength: 3 }),
    staffCount: fc.integer({ min: 1, max: 7 }),
    customerCount: fc.integer({ min: 1, max: 20 }),
  })
  .chain(({ libraryTimeZone, units, staffCount, customerCount }) => {
    const staff = fc.integer({ min: 1, max: staffCount }).map((n) => `USTAFF${n}`);
    const burst = fc
      .record({
        unit: fc.constantFrom(...units),
        at: instant,
        rounds: fc.array(
          fc.record({
            staff,
            customer: fc.integer({ min: 1, max: customerCount }).map((n) => `slack:UCUST${n}`),
            minutes: fc.integer({ min: -2880, max: 2880 }),
            self: score,
            score,
            noLongerNeed: answer,
          }),
          { minLength: 1, maxLength: 12 },
        ),
      })
      .map(({ unit, at, rounds }): RawRound[] =>
        rounds.map(({ minutes, ...round }) => ({ ...round, unit, at: clamp(at + minutes * 60_000) })),
      );
    const team = fc
      .record({
        unit: fc.constantFrom(...units),
        at: instant,
        people: fc.integer({ min: 3, max: 5 }),
        each: fc.integer({ min: 3, max: 6 }),
        scores: fc.array(fc.tuple(score, score, answer), { minLength: 30, maxLength: 30 }),
        team: fc.integer({ min: 1, max: 1_000_000 }),
      })
      .map(({ unit, at, people, each, scores, team }): RawRound[] =>
        Array.from({ length: people * each }, (_, index) => {
          const [self, customer, noLongerNeed] = scores[index] ?? [5, 5, NOTHING];
          return {
            staff: `USTAFF${1 + (index % people)}`,
            customer: `slack:UTEAM${team}X${index}`,
            unit,
            self,
            score: customer,
            noLongerNeed,
            at: clamp(at + index * 20 * 60_000),
          };
        }),
      );
    const plan = fc
      .record({
        staff,
        createdAt: fc.integer({ min: FIRST - 30 * 86_400_000, max: LAST }),
        closedAfterDays: fc.option(fc.integer({ min: 0, max: 40 })),
        improved: fc.boolean(),
      })
      .map(({ staff, createdAt, closedAfterDays, improved }) => ({
        staff,
        createdAt,
        closedAt: closedAfterDays === null ? null : createdAt + closedAfterDays * 86_400_000,
        improved,
      }));
    const committee = fc.record({
      units: fc.oneof(
        fc.constant([] as string[]),
        fc.uniqueArray(fc.constantFrom(...UNITS), { minLength: 1, maxLength: 3 }),
      ),
      timeZone: fc.constantFrom(...ZONES),
      minGroupSize: fc.integer({ min: 3, max: 6 }),
      showIndividuals: fc.boolean(),
    });
    return fc.record({
      libraryTimeZone: fc.constant(libraryTimeZone),
      rounds: fc
        .tuple(fc.array(burst, { maxLength: 5 }), fc.array(team, { maxLength: 3 }))
        .map(([bursts, teams]) => [...bursts.flat(), ...teams.flat()]),
      plans: fc.array(plan, { maxLength: 6 }),
      committees: fc.array(committee, { minLength: 1, maxLength: 4 }),
    });
  });

// ---------------------------------------------------------------------------------------------
// The atoms, from the raw rounds

interface Atom {
  unit: string;
  week: string;
  rounds: number;
  self: number;
  customer: number;
  noLongerNeed: number;
  staff: Set<string>;
  customers: Set<string>;
}
const weekIn = (at: number, zone: string) => DateTime.fromMillis(at, { zone }).toFormat("kkkk-'W'WW");

function group(rows: RawRound[], key: (row: RawRound) => string): Map<string, Atom> {
  const atoms = new Map<string, Atom>();
  for (const row of rows) {
    const k = key(row);
    const atom = atoms.get(k) ?? {
      unit: row.unit.toLowerCase(),
      week: '',
      rounds: 0,
      self: 0,
      customer: 0,
      noLongerNeed: 0,
      staff: new Set<string>(),
      customers: new Set<string>(),
    };
    atom.rounds++;
    atom.self += row.self;
    atom.customer += row.score;
    if (row.noLongerNeed !== NOTHING) atom.noLongerNeed++;
    atom.staff.add(row.staff);
    atom.customers.add(row.customer);
    atoms.set(k, atom);
  }
  return atoms;
}

const round1 = (value: number) => Math.round(value * 10 + 1e-9) / 10;

/** Whether some set of the given atoms adds up to the published group (count, and averages if shown). */
function isSumOfWholeAtoms(
  published: { rounds: number; self?: number; customer?: number },
  atoms: Atom[],
): boolean {
  if (atoms.length > 16) throw new Error('too many atoms to search');
  for (let mask = 0; mask < 1 << atoms.length; mask++) {
    const chosen = atoms.filter((_, index) => mask & (1 << index));
    const rounds = chosen.reduce((sum, atom) => sum + atom.rounds, 0);
    if (rounds !== published.rounds) continue;
    if (published.self === undefined || published.customer === undefined) return true;
    if (rounds === 0) continue;
    const self = round1(chosen.reduce((sum, atom) => sum + atom.self, 0) / rounds);
    const customer = round1(chosen.reduce((sum, atom) => sum + atom.customer, 0) / rounds);
    if (self === published.self && customer === published.customer) return true;
  }
  return false;
}

/** A group of rounds as the digest's data carries it: a count, and averages where it shows them. */
interface PublishedGroup {
  rounds: number;
  self?: number;
  customer?: number;
  unit?: string;
  staffUserId?: string;
}

/** Every object in the digest's data (what `digest show --json` prints) that counts rounds, with its path. */
function groupsIn(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; group: PublishedGroup }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => groupsIn(item, [...path, index]));
  if (value === null || typeof value !== 'object') return [];
  const found = Object.entries(value).flatMap(([key, item]) => groupsIn(item, [...path, key]));
  return typeof (value as { rounds?: unknown }).rounds === 'number'
    ? [{ path, group: value as PublishedGroup }, ...found]
    : found;
}

// ---------------------------------------------------------------------------------------------

async function seed(db: Database, s: Scenario) {
  const staff = [...new Set([...s.rounds.map((r) => r.staff), ...s.plans.map((p) => p.staff)])];
  // A staff member's unit (for plans) is the unit of their first round, as /rate-service remembers it.
  const profileUnit = (id: string) => s.rounds.find((r) => r.staff === id)?.unit ?? 'Maps';
  if (staff.length > 0)
    await db.insert(staffProfiles).values(staff.map((userId) => ({ userId, unit: profileUnit(userId) })));
  if (s.rounds.length > 0) {
    const ids = await db
      .insert(rounds)
      .values(
        s.rounds.map((r, index) => ({
          staffUserId: r.staff,
          customerUserId: r.customer.slice('slack:'.length),
          customerName: `Customer ${index}`,
          customerKey: r.customer,
          service: `Service ${index}`,
          serviceKey: `service ${index}`,
          segment: 'core' as const,
          unit: r.unit,
          selfScore: r.self,
          interviewOn: '2026-10-30',
          status: 'completed' as const,
          sourceViewId: `VPROP${index}`,
          createdAt: new Date(r.at - 86_400_000),
          completedAt: new Date(r.at),
        })),
      )
      .returning({ id: rounds.id });
    await db.insert(roundResponses).values(
      s.rounds.map((r, index) => ({
        roundId: ids[index]?.id as number,
        customerScore: r.score,
        needFromMe: 'words',
        whyDependOnMe: 'words',
        notAdequatelyProviding: 'words',
        concentrateOn: 'words',
        noLongerNeed: r.noLongerNeed,
        additionalComments: 'words',
        answeredByUserId: r.customer.slice('slack:'.length),
        recordedOnBehalf: false,
        sourceViewId: `VPROPR${index}`,
        createdAt: new Date(r.at),
      })),
    );
  }
  if (s.plans.length > 0)
    await db.insert(actionPlans).values(
      s.plans.map((p, index) => ({
        staffUserId: p.staff,
        managerUserId: 'UMANAGER',
        channelId: 'CPLANS',
        threadTs: `1.${index}`,
        state: p.closedAt === null ? ('active' as const) : ('closed' as const),
        outcome: p.closedAt === null ? null : p.improved ? ('improved' as const) : ('no_change' as const),
        createdAt: new Date(p.createdAt),
        closedAt: p.closedAt === null ? null : new Date(p.closedAt),
      })),
    );
  return { profileUnit };
}

describeEachDatabase('what digests publish', (getDb) => {
  it('is, for any committees over any rounds, only sums of whole atoms that pass (property)', async () => {
    const db = () => getDb().handle.db;
    const digests = createDigestsRepository({ db: db() });
    const practices = createPracticesRepository({ db: db() });
    const clock = fixedClock('2026-12-15T12:00:00Z');
    // What the runs covered, so the property cannot pass by publishing nothing.
    const seen = { groups: 0, weeksWithFigures: 0, weeksWithSomeLeftOut: 0, individualRows: 0, planRows: 0 };

    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await getDb().reset();
        const { profileUnit } = await seed(db(), s);
        const zone = s.libraryTimeZone;
        const atoms = group(s.rounds, (r) => `${r.unit.toLowerCase()}|${weekIn(r.at, zone)}`);
        for (const [key, atom] of atoms) atom.week = key.split('|')[1] as string;
        const personAtoms = group(
          s.rounds,
          (r) => `${r.staff}|${r.unit.toLowerCase()}|${weekIn(r.at, zone)}`,
        );

        for (const [index, raw] of s.committees.entries()) {
          const committee = await seedCommittee(db(), `CPROP${index}`, {
            units: raw.units,
            timeZone: raw.timeZone,
            minGroupSize: raw.minGroupSize,
            showIndividuals: raw.showIndividuals,
          });
          const min = raw.minGroupSize;
          const scope = new Set(raw.units.map((unit) => unit.toLowerCase()));
          const inScope = (unit: string) => scope.size === 0 || scope.has(unit);
          const passes = (atom: Atom) => atom.staff.size >= min && atom.customers.size >= min;
          const passing = (week: string) =>
            [...atoms.values()].filter((a) => a.week === week && inScope(a.unit) && passes(a));
          /** A staff member's rounds in one atom, publishable as an individual row (see the top). */
          const passingPeople = (staff: string, week: string) =>
            [...personAtoms.entries()]
              .filter(([key]) => key.startsWith(`${staff}|`) && key.endsWith(`|${week}`))
              .map(([key, person]) => ({ unit: key.split('|')[1] as string, person }))
              .filter(({ unit, person }) => {
                const atom = atoms.get(`${unit}|${week}`) as Atom;
                if (!inScope(unit) || !passes(atom) || person.customers.size < min) return false;
                return [...personAtoms.entries()].every(
                  ([key, sibling]) => !key.endsWith(`|${unit}|${week}`) || sibling.customers.size >= min,
                );
              })
              .map(({ person }) => person);

          for (const week of WEEKS) {
            const data = await buildCommitteeDigest(
              { digests, practices, clock, libraryTimeZone: zone } as Parameters<
                typeof buildCommitteeDigest
              >[0],
              committee,
              week,
            );
            const trendWeek = (path: (string | number)[]) =>
              path[0] === 'trend'
                ? (data.trend[path[1] as number]?.week as string)
                : path[0] === 'headline' && path[1] === 'previous'
                  ? data.headline.previous.week
                  : week;
            const where = (path: (string | number)[]) =>
              `${JSON.stringify(raw)} in ${zone}, week ${week}, at ${path.join('.')}`;

            // 1. Privacy: every group of rounds the digest carries is whole passing atoms.
            for (const { path, group: published } of groupsIn(data)) {
              const w = trendWeek(path);
              let domain: Atom[];
              if (typeof published.staffUserId === 'string') domain = passingPeople(published.staffUserId, w);
              else if (typeof published.unit === 'string') {
                const unit = published.unit.toLowerCase();
                domain = passing(w).filter((a) => a.unit === unit);
              } else domain = passing(w);
              seen.groups++;
              expect(isSumOfWholeAtoms(published, domain), where(path)).toBe(true);
            }

            if (data.headline.figures) seen.weeksWithFigures++;
            if (data.headline.figures && data.headline.roundsLeftOut > 0) seen.weeksWithSomeLeftOut++;
            seen.individualRows += data.individuals?.length ?? 0;
            seen.planRows += data.followUps.plans.byUnit.length;

            // 2. And the right ones: the headline is every passing atom in scope; the rest is left out.
            const shown = passing(week);
            const total = [...atoms.values()]
              .filter((a) => a.week === week && inScope(a.unit))
              .reduce((sum, a) => sum + a.rounds, 0);
            const shownRounds = shown.reduce((sum, a) => sum + a.rounds, 0);
            expect(data.headline.rounds, where(['headline', 'rounds'])).toBe(shownRounds);
            expect(data.headline.roundsLeftOut, where(['headline', 'roundsLeftOut'])).toBe(
              total - shownRounds,
            );
            expect(data.units.map((u) => u.unit.toLowerCase()).sort(), where(['units'])).toEqual(
              shown.map((a) => a.unit).sort(),
            );
            if (data.followUps.noLongerNeed !== null)
              expect(data.followUps.noLongerNeed, where(['followUps', 'noLongerNeed'])).toBe(
                shown.reduce((sum, a) => sum + a.noLongerNeed, 0),
              );

            // 3. Plan counts: only under units shown this week, and the totals are their sum.
            const end = DateTime.fromObject(
              { weekYear: Number(week.slice(0, 4)), weekNumber: Number(week.slice(6)), weekday: 1 },
              { zone },
            )
              .startOf('day')
              .plus({ weeks: 1 })
              .toMillis();
            const { plans } = data.followUps;
            const shownUnits = new Set(shown.map((a) => a.unit));
            for (const row of plans.byUnit) {
              const unit = row.unit.toLowerCase();
              expect(shownUnits.has(unit), where(['followUps', 'plans', row.unit])).toBe(true);
              const mine = s.plans.filter((p) => profileUnit(p.staff).toLowerCase() === unit);
              expect(row.open).toBe(
                mine.filter((p) => p.createdAt < end && (p.closedAt === null || p.closedAt >= end)).length,
              );
              expect(row.improved).toBe(
                mine.filter((p) => p.improved && p.closedAt !== null && p.closedAt < end).length,
              );
            }
            expect(plans.open, where(['followUps', 'plans', 'open'])).toBe(
              plans.byUnit.reduce((sum, row) => sum + row.open, 0),
            );
            expect(plans.improved, where(['followUps', 'plans', 'improved'])).toBe(
              plans.byUnit.reduce((sum, row) => sum + row.improved, 0),
            );

            // The renderers work from this data alone, inside Slack's limits.
            expectWithinBlockKitLimits('message', buildDigestMessage(data));
            expect(renderDigestText(data)).not.toContain('UCUST');
          }
        }
      }),
      { numRuns: Number(process.env.DIGEST_PROPERTY_RUNS ?? 60) },
    );
    expect(seen.groups).toBeGreaterThan(1000);
    expect(seen.weeksWithFigures).toBeGreaterThan(10);
    expect(seen.weeksWithSomeLeftOut).toBeGreaterThan(0);
    expect(seen.individualRows).toBeGreaterThan(0);
    expect(seen.planRows).toBeGreaterThan(0);
  }, 300_000);
});
