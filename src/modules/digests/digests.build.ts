import type { Committee } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { classifyGap } from '../rounds/rounds.gap.js';
import { partitionUnits, showable } from './digests.privacy.js';
import type { Aggregate, DigestsRepository, Scope } from './digests.repository.js';
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
  rounds: number;
  /** Null when the week had fewer completed rounds than the minimum group size. */
  figures: Figures | null;
}

/**
 * A committee's digest for one week, as plain data (JSON-safe): what every renderer works from.
 * Built from aggregates only; it holds no customer, no free text, and no group below the minimum.
 */
export interface DigestData {
  committee: {
    id: number;
    channelId: string;
    units: string[];
    minGroupSize: number;
    showIndividuals: boolean;
    timeZone: string;
  };
  week: { id: string; label: string; start: string; end: string };
  generatedAt: string;
  headline: {
    rounds: number;
    /** Null when the week had fewer rounds than the minimum: only the count is shown. */
    figures: Figures | null;
    previous: { week: string; rounds: number; figures: Figures | null };
    /** This week's gap minus last week's, when both weeks could be shown. */
    gapChange: number | null;
  };
  /** CHART_WEEKS weeks ending with this one, oldest first. */
  trend: TrendPoint[];
  /** Units shown on their own, worst gap first. */
  units: (Figures & { unit: string })[];
  /** The pooled small units, when they can be shown together; never named. */
  otherUnits: (Figures & { unitCount: number }) | null;
  /** How many units had rounds this week but are not shown on their own. */
  unitsPooled: number;
  /** Only for committees that show individuals, worst gap first. */
  individuals: (Figures & { staffUserId: string; name: string | null })[] | null;
  followUps: {
    awaitingCustomer: number;
    expiredThisWeek: number;
    /** Rounds whose customer named something they no longer need; null when the week is too small to show. */
    noLongerNeed: number | null;
    /** Action plans of staff in scope: open at the week's end, closed as improved by then. */
    plans: {
      open: number;
      improved: number;
      nextCheckin: string | null;
      /** Only units shown on their own in this digest; the others count in the totals alone. */
      byUnit: { unit: string; open: number; improved: number }[];
    };
  };
}

const round1 = (value: number): number => {
  const rounded = Math.round(Math.abs(value) * 10 + 1e-9) / 10;
  return value < 0 ? -rounded : rounded;
};

/** The light of an average gap: rounded to a whole point (half away from zero), then judged like one round's gap. */
export function lightOf(gap: number): Light {
  const whole = Math.sign(gap) * Math.round(Math.abs(gap) + 1e-9);
  if (whole >= 0) return 'green';
  return classifyGap(whole) === 'blind_spot' ? 'red' : 'yellow';
}

export function figuresOf(aggregate: Aggregate): Figures | null {
  if (aggregate.rounds === 0 || aggregate.self === null || aggregate.customer === null) return null;
  const self = round1(aggregate.self);
  const customer = round1(aggregate.customer);
  const gap = round1(customer - self);
  return { rounds: aggregate.rounds, self, customer, gap, light: lightOf(gap) };
}

const byGapThenName =
  <T extends Figures>(name: (row: T) => string) =>
  (a: T, b: T) =>
    a.gap - b.gap || a.customer - b.customer || name(a).localeCompare(name(b));

function pooledAggregate(rows: Aggregate[]): Aggregate {
  const rounds = rows.reduce((sum, row) => sum + row.rounds, 0);
  if (rounds === 0) return { rounds: 0, self: null, customer: null };
  const weighted = (pick: (row: Aggregate) => number | null) =>
    rows.reduce((sum, row) => sum + (pick(row) ?? 0) * row.rounds, 0) / rounds;
  return { rounds, self: weighted((row) => row.self), customer: weighted((row) => row.customer) };
}

export function scopeOf(committee: Pick<Committee, 'units'>): Scope {
  return { units: committee.units };
}

function planSummary(
  rows: { unit: string; open: number; improved: number; nextCheckin: Date | null }[],
  shownUnits: string[],
): DigestData['followUps']['plans'] {
  const shown = new Set(shownUnits.map((unit) => unit.toLowerCase()));
  const next = rows
    .map((row) => row.nextCheckin?.getTime())
    .filter((time): time is number => time !== undefined)
    .sort((a, b) => a - b)[0];
  return {
    open: rows.reduce((sum, row) => sum + row.open, 0),
    improved: rows.reduce((sum, row) => sum + row.improved, 0),
    nextCheckin: next === undefined ? null : new Date(next).toISOString(),
    byUnit: rows
      .filter((row) => shown.has(row.unit.toLowerCase()) && (row.open > 0 || row.improved > 0))
      .map(({ unit, open, improved }) => ({ unit, open, improved }))
      .sort((a, b) => b.open - a.open || a.unit.localeCompare(b.unit)),
  };
}

/**
 * Builds one committee's digest for one ISO week (in the committee's time zone) from SQL aggregates.
 * The clock only stamps the result: the same week gives the same figures whenever it is built.
 */
export async function buildDigest({
  digests,
  committee,
  week,
  clock,
}: {
  digests: DigestsRepository;
  committee: Committee;
  week: string;
  clock: Clock;
}): Promise<DigestData> {
  const zone = committee.timeZone;
  const min = committee.minGroupSize;
  const scope = scopeOf(committee);
  const weeks = weeksEndingWith(week, CHART_WEEKS);
  const bounds = [...weeks.map((w) => weekBounds(w, zone).start), weekBounds(week, zone).end];
  const { start, end } = weekBounds(week, zone);

  const [weekly, unitRows, people, followUps, planRows] = await Promise.all([
    digests.weeklyAggregates(scope, bounds),
    digests.unitAggregates(scope, start, end),
    committee.showIndividuals ? digests.personAggregates(scope, start, end) : Promise.resolve(null),
    digests.followUpCounts(scope, start, end),
    digests.planCounts(scope, end),
  ]);

  const trend: TrendPoint[] = weeks.map((id, index) => {
    const aggregate = weekly[index] ?? { rounds: 0, self: null, customer: null };
    return {
      week: id,
      label: weekShortLabel(id),
      rounds: aggregate.rounds,
      figures: showable(aggregate.rounds, min) ? figuresOf(aggregate) : null,
    };
  });
  const current = trend[trend.length - 1] as TrendPoint;
  const previous = trend[trend.length - 2] as TrendPoint;

  const weekShown = showable(current.rounds, min);
  const { shown, pooled } = weekShown ? partitionUnits(unitRows, min) : { shown: [], pooled: unitRows };
  const units = shown
    .map((row) => ({ unit: row.unit, ...(figuresOf(row) as Figures) }))
    .sort(byGapThenName((row) => row.unit));
  const pool = pooledAggregate(pooled);
  const otherUnits =
    weekShown && shown.length > 0 && pooled.length >= 2 && showable(pool.rounds, min)
      ? { unitCount: pooled.length, ...(figuresOf(pool) as Figures) }
      : null;

  const individuals =
    weekShown && people
      ? people
          .map((row) => ({ staffUserId: row.staffUserId, name: row.name, ...(figuresOf(row) as Figures) }))
          .filter((row) => row.rounds > 0)
          .sort(byGapThenName((row) => row.name ?? row.staffUserId))
      : null;

  return {
    committee: {
      id: committee.id,
      channelId: committee.channelId,
      units: committee.units,
      minGroupSize: min,
      showIndividuals: committee.showIndividuals,
      timeZone: zone,
    },
    week: { id: week, label: weekLabel(week), start: start.toISOString(), end: end.toISOString() },
    generatedAt: clock.now().toISOString(),
    headline: {
      rounds: current.rounds,
      figures: current.figures,
      previous: { week: previous.week, rounds: previous.rounds, figures: previous.figures },
      gapChange:
        current.figures && previous.figures ? round1(current.figures.gap - previous.figures.gap) : null,
    },
    trend,
    units,
    otherUnits,
    unitsPooled: weekShown ? pooled.length : 0,
    individuals: committee.showIndividuals ? (individuals ?? []) : null,
    followUps: {
      awaitingCustomer: followUps.awaitingCustomer,
      expiredThisWeek: followUps.expired,
      noLongerNeed: weekShown ? followUps.noLongerNeed : null,
      plans: planSummary(
        planRows,
        units.map((row) => row.unit),
      ),
    },
  };
}
