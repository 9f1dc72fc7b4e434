import type { Committee } from '../../db/schema.js';
import { round1 } from '../../lib/averages.js';
import type { Clock } from '../../lib/clock.js';
import type { PracticesRepository } from '../practices/practices.repository.js';
import { practicesForDigest } from '../practices/practices.usecases.js';
import { classifyGap } from '../rounds/rounds.gap.js';
import { passingAtoms, publishablePeople } from './digests.privacy.js';
import type { Atom, DigestsRepository, Scope } from './digests.repository.js';
import { type ServicePointsSection, servicePointsSection } from './digests.service-points.js';
import { weekBounds, weekLabel, weekShortLabel, weeksEndingWith } from './digests.weeks.js';

/** Weeks of history in the chart; the headline's trend uses the last HEADLINE_TREND_WEEKS of them. */
export const CHART_WEEKS = 12;
export const HEADLINE_TREND_WEEKS = 8;

/**
 * green: the customer's view is at least as good as the staff member's (gap >= 0);
 * yellow: a point or two below; red: three or more below, a blind spot (see rounds.gap.ts).
 */
export type Light = 'green' | 'yellow' | 'red';

/** Averages and gap of a group, rounded to one decimal. The gap is the difference of the rounded averages, so a row always adds up as printed. */
export interface Figures {
  rounds: number;
  self: number;
  customer: number;
  gap: number;
  light: Light;
}

export interface TrendPoint {
  week: string;
  label: string;
  /** Completed rounds in the week's passing atoms: the rounds its figures come from. */
  rounds: number;
  /** Null when no unit's rounds that week came from enough different staff members and customers. */
  figures: Figures | null;
}

/**
 * A committee's digest for one week, as plain data (JSON-safe): what every renderer works from, and
 * what `digest show --json` prints. Every figure in it is a sum of whole atoms that pass the
 * committee's threshold (digests.privacy.ts); it holds no customer and no customer's words. The
 * one free text in it is the best practices' (`practices`): their authors' own words, shared with
 * their name by their choice.
 */
export interface DigestData {
  committee: {
    id: number;
    channelId: string;
    units: string[];
    minGroupSize: number;
    showIndividuals: boolean;
    /** Where the committee's post goes out at its hour. */
    timeZone: string;
  };
  /** An ISO week of the library's calendar: `timeZone` is LIBRARY_TIME_ZONE. */
  week: { id: string; label: string; start: string; end: string; timeZone: string };
  generatedAt: string;
  headline: {
    /** Completed rounds the figures come from (in units shown). */
    rounds: number;
    /** Completed rounds in scope in units too small to show this week: counted, never shown. */
    roundsLeftOut: number;
    /** Null when no unit could be shown this week. */
    figures: Figures | null;
    previous: { week: string; rounds: number; figures: Figures | null };
    /** This week's gap minus last week's, when both weeks could be shown. */
    gapChange: number | null;
  };
  /** CHART_WEEKS weeks ending with this one, oldest first. */
  trend: TrendPoint[];
  /** Units shown, worst gap first: the units whose rounds this week passed the threshold. */
  units: (Figures & { unit: string })[];
  /**
   * Only for committees that show individuals, worst gap first: staff members in units shown, and
   * only in units where each of them had at least the minimum number of different customers.
   */
  individuals: (Figures & { staffUserId: string; name: string | null })[] | null;
  /**
   * "At the service points": walk-up patrons' experience against their expectation, per point with
   * enough answers this week (digests.service-points.ts). Scores only: never a patron's words.
   */
  servicePoints: ServicePointsSection;
  /**
   * Best practices shared during this week by staff in the committee's scope, oldest first, not
   * withdrawn: each is in the digest of the week it was shared in, once. `total` counts them all;
   * `listed` holds the first few.
   */
  practices: { total: number; listed: DigestPractice[] };
  followUps: {
    awaitingCustomer: number;
    expiredThisWeek: number;
    /** Rounds in units shown whose customer named something they no longer need; null when no unit is shown. */
    noLongerNeed: number | null;
    /** Action plans of staff in units shown: open at the week's end, closed as improved by then. */
    plans: {
      open: number;
      improved: number;
      nextCheckin: string | null;
      byUnit: { unit: string; open: number; improved: number }[];
    };
  };
}

/** A best practice as the digest lists it: its author's name is their mention. */
export interface DigestPractice {
  id: number;
  authorUserId: string;
  unit: string;
  service: string;
  whatYouDo: string;
  whyItWorks: string;
  sharedAt: string;
}

/** The light of an average gap: rounded to a whole point (half away from zero), then judged like one round's gap. */
export function lightOf(gap: number): Light {
  const whole = Math.sign(gap) * Math.round(Math.abs(gap) + 1e-9);
  if (whole >= 0) return 'green';
  return classifyGap(whole) === 'blind_spot' ? 'red' : 'yellow';
}

type Totals = Pick<Atom, 'rounds' | 'selfTotal' | 'customerTotal'>;

export function figuresOf(totals: Totals): Figures | null {
  if (totals.rounds === 0) return null;
  const self = round1(totals.selfTotal / totals.rounds);
  const customer = round1(totals.customerTotal / totals.rounds);
  const gap = round1(customer - self);
  return { rounds: totals.rounds, self, customer, gap, light: lightOf(gap) };
}

/** The sum of whole atoms. */
function sumOf(atoms: Totals[]): Totals {
  return atoms.reduce(
    (sum, atom) => ({
      rounds: sum.rounds + atom.rounds,
      selfTotal: sum.selfTotal + atom.selfTotal,
      customerTotal: sum.customerTotal + atom.customerTotal,
    }),
    { rounds: 0, selfTotal: 0, customerTotal: 0 },
  );
}

const byGapThenName =
  <T extends Figures>(name: (row: T) => string) =>
  (a: T, b: T) =>
    a.gap - b.gap || a.customer - b.customer || name(a).localeCompare(name(b));

export function scopeOf(committee: Pick<Committee, 'units'>): Scope {
  return { units: committee.units };
}

function planSummary(
  rows: { unitKey: string; unit: string; open: number; improved: number; nextCheckin: Date | null }[],
  shown: ReadonlySet<string>,
): DigestData['followUps']['plans'] {
  const counted = rows.filter((row) => shown.has(row.unitKey));
  const next = counted
    .map((row) => row.nextCheckin?.getTime())
    .filter((time): time is number => time !== undefined)
    .sort((a, b) => a - b)[0];
  return {
    open: counted.reduce((sum, row) => sum + row.open, 0),
    improved: counted.reduce((sum, row) => sum + row.improved, 0),
    nextCheckin: next === undefined ? null : new Date(next).toISOString(),
    byUnit: counted
      .filter((row) => row.open > 0 || row.improved > 0)
      .map(({ unit, open, improved }) => ({ unit, open, improved }))
      .sort((a, b) => b.open - a.open || a.unit.localeCompare(b.unit)),
  };
}

/**
 * Builds one committee's digest for one ISO week of the library's calendar from SQL aggregates,
 * publishing only sums of whole passing atoms (digests.privacy.ts). The clock only stamps the
 * result: the same week gives the same figures whenever it is built.
 */
export async function buildDigest({
  digests,
  practices,
  committee,
  week,
  clock,
  libraryTimeZone,
}: {
  digests: DigestsRepository;
  /** The week's best practices; without it (figure-only tests) the digest lists none. */
  practices?: Pick<PracticesRepository, 'sharedBetween'> | undefined;
  committee: Committee;
  week: string;
  clock: Clock;
  /** LIBRARY_TIME_ZONE: where weeks are cut, for every committee alike. */
  libraryTimeZone: string;
}): Promise<DigestData> {
  const zone = libraryTimeZone;
  const min = committee.minGroupSize;
  const scope = scopeOf(committee);
  const weeks = weeksEndingWith(week, CHART_WEEKS);
  const bounds = [...weeks.map((w) => weekBounds(w, zone).start), weekBounds(week, zone).end];
  const { start, end } = weekBounds(week, zone);

  const [atoms, people, followUps, planRows, pointAtoms, activePointIds, shared] = await Promise.all([
    digests.weekAtoms(scope, bounds),
    committee.showIndividuals ? digests.personAtoms(scope, start, end) : Promise.resolve(null),
    digests.followUpCounts(scope, start, end),
    digests.planCounts(scope, end),
    digests.servicePointAtoms(scope, bounds),
    digests.activeServicePointIds(scope, end),
    practices
      ? practicesForDigest(practices, { units: scope.units, start, end })
      : Promise.resolve({ items: [], total: 0 }),
  ]);

  const perWeek = weeks.map((_, index) =>
    passingAtoms(
      atoms.filter((atom) => atom.weekIndex === index),
      min,
    ),
  );
  const trend: TrendPoint[] = weeks.map((id, index) => {
    const shown = sumOf(perWeek[index]?.passing ?? []);
    return { week: id, label: weekShortLabel(id), rounds: shown.rounds, figures: figuresOf(shown) };
  });
  const current = trend[trend.length - 1] as TrendPoint;
  const previous = trend[trend.length - 2] as TrendPoint;
  const { passing, roundsLeftOut } = perWeek[perWeek.length - 1] ?? { passing: [], roundsLeftOut: 0 };
  const shownUnits = new Set(passing.map((atom) => atom.unitKey));

  const units = passing
    .map((atom) => ({ unit: atom.unit, ...(figuresOf(atom) as Figures) }))
    .sort(byGapThenName((row) => row.unit));

  let individuals: DigestData['individuals'] = null;
  if (people) {
    const byPerson = new Map<string, { name: string | null; atoms: Totals[] }>();
    for (const person of publishablePeople(people, shownUnits, min)) {
      const entry = byPerson.get(person.staffUserId) ?? { name: person.name, atoms: [] };
      entry.atoms.push(person);
      byPerson.set(person.staffUserId, entry);
    }
    individuals = [...byPerson.entries()]
      .map(([staffUserId, entry]) => ({
        staffUserId,
        name: entry.name,
        ...(figuresOf(sumOf(entry.atoms)) as Figures),
      }))
      .sort(byGapThenName((row) => row.name ?? row.staffUserId));
  }

  return {
    committee: {
      id: committee.id,
      channelId: committee.channelId,
      units: committee.units,
      minGroupSize: min,
      showIndividuals: committee.showIndividuals,
      timeZone: committee.timeZone,
    },
    week: {
      id: week,
      label: weekLabel(week),
      start: start.toISOString(),
      end: end.toISOString(),
      timeZone: zone,
    },
    generatedAt: clock.now().toISOString(),
    headline: {
      rounds: current.rounds,
      roundsLeftOut,
      figures: current.figures,
      previous: { week: previous.week, rounds: previous.rounds, figures: previous.figures },
      gapChange:
        current.figures && previous.figures ? round1(current.figures.gap - previous.figures.gap) : null,
    },
    trend,
    units,
    individuals,
    servicePoints: servicePointsSection({
      atoms: pointAtoms,
      weeks,
      trendWeeks: HEADLINE_TREND_WEEKS,
      activePointIds,
      shownUnits: new Map(
        passing.map((atom) => {
          const figures = figuresOf(atom) as Figures;
          return [atom.unitKey, { self: figures.self, rounds: figures.rounds }];
        }),
      ),
      minGroupSize: min,
    }),
    practices: {
      total: shared.total,
      listed: shared.items.map((practice) => ({
        id: practice.id,
        authorUserId: practice.authorUserId,
        unit: practice.unit,
        service: practice.service,
        whatYouDo: practice.whatYouDo,
        whyItWorks: practice.whyItWorks,
        sharedAt: practice.createdAt.toISOString(),
      })),
    },
    followUps: {
      awaitingCustomer: followUps.awaitingCustomer,
      expiredThisWeek: followUps.expired,
      noLongerNeed: passing.length > 0 ? passing.reduce((sum, atom) => sum + atom.noLongerNeed, 0) : null,
      plans: planSummary(planRows, shownUnits),
    },
  };
}
