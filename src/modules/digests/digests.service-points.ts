import { round1 } from '../../lib/averages.js';
import type { ServicePointAtom } from './digests.repository.js';

/**
 * The digest's "At the service points" section: walk-up patrons' own view of a service point,
 * beside what the staff of its unit say of themselves.
 *
 * The atom is one service point's answers in one week of the library's calendar (spam left out):
 * the same for every committee, since it depends on no scope, zone or setting. A point is shown for
 * a week only when its atom holds at least the committee's minimum number of answers; an atom below
 * it contributes to no figure (not this week's, not a trend's), and the digest only counts such
 * points. Walk-up answers are anonymous, so the count of answers is the count of people the figure
 * comes from (one answer per browser and point, see walk-up.usecases.ts).
 *
 * The staff's self-rating beside a point is the unit's own published figure: shown only when the
 * unit's rounds passed the digest's threshold that week (digests.privacy.ts), so this section never
 * shows a figure of rounds the rest of the digest would hide. No patron's words are read here.
 */

/** Averages of one point's answers in one week, rounded as printed; the gap is their difference, so a row adds up. */
export interface ExpectationFigures {
  answers: number;
  /** "How was the service you got today", 1-10. */
  experience: number;
  /** "What level of service did you expect", 1-10. */
  expectation: number;
  /** experience - expectation: below zero, expectations were not met. */
  gap: number;
}

export type StaffSelfRating =
  | { shown: true; unit: string; self: number; rounds: number }
  /** The unit's rounds this week were too few (or from too few people) to show, or there were none. */
  | { shown: false; unit: string };

export interface ServicePointRow extends ExpectationFigures {
  servicePointId: number;
  name: string;
  unit: string;
  retired: boolean;
  staffSelfRating: StaffSelfRating;
  /**
   * The expectation gap over the last weeks, oldest first, ending with this one: null for a week
   * whose answers were fewer than the minimum (not shown, like this week's small points).
   */
  trend: { week: string; answers: number; gap: number | null }[];
  /** This week's gap minus last week's, when both weeks could be shown. */
  gapChange: number | null;
}

export interface ServicePointsSection {
  /** Points shown, worst expectation gap first. */
  points: ServicePointRow[];
  /** Points in scope with answers this week, but fewer than the minimum: counted, never shown. */
  pointsLeftOut: number;
  /** Active points in scope that had no answer this week. */
  pointsWithoutAnswers: number;
  /** Answers this week at points in scope that looked like spam: kept out of every figure. */
  spamLeftOut: number;
}

export function expectationFigures(totals: {
  answers: number;
  experienceTotal: number;
  expectationTotal: number;
}): ExpectationFigures | null {
  if (totals.answers === 0) return null;
  const experience = round1(totals.experienceTotal / totals.answers);
  const expectation = round1(totals.expectationTotal / totals.answers);
  return { answers: totals.answers, experience, expectation, gap: round1(experience - expectation) };
}

export const servicePointPasses = (atom: Pick<ServicePointAtom, 'answers'>, minGroupSize: number) =>
  atom.answers >= minGroupSize;

/**
 * The section for the last of `weeks` (ids oldest first, as `atoms`' weekIndex counts them), from
 * the atoms of those weeks, the active points' ids, and the units the digest shows this week (by
 * unit key, with their self-rating average and rounds).
 */
export function servicePointsSection({
  atoms,
  weeks,
  trendWeeks,
  activePointIds,
  shownUnits,
  minGroupSize,
}: {
  atoms: ServicePointAtom[];
  weeks: string[];
  trendWeeks: number;
  activePointIds: number[];
  shownUnits: ReadonlyMap<string, { self: number; rounds: number }>;
  minGroupSize: number;
}): ServicePointsSection {
  const current = weeks.length - 1;
  const thisWeek = atoms.filter((atom) => atom.weekIndex === current);
  const passing = thisWeek.filter((atom) => servicePointPasses(atom, minGroupSize));
  const answered = new Set(thisWeek.filter((atom) => atom.answers > 0).map((atom) => atom.servicePointId));
  const trendFrom = Math.max(0, weeks.length - trendWeeks);

  const points = passing.map((atom): ServicePointRow => {
    const figures = expectationFigures(atom) as ExpectationFigures;
    const trend = weeks.slice(trendFrom).map((week, offset) => {
      const found = atoms.find(
        (other) => other.servicePointId === atom.servicePointId && other.weekIndex === trendFrom + offset,
      );
      const shown = found && servicePointPasses(found, minGroupSize) ? expectationFigures(found) : null;
      return { week, answers: shown?.answers ?? 0, gap: shown?.gap ?? null };
    });
    const previousGap = trend[trend.length - 2]?.gap ?? null;
    const unit = shownUnits.get(atom.unitKey);
    return {
      servicePointId: atom.servicePointId,
      name: atom.name,
      unit: atom.unit,
      retired: atom.retired,
      ...figures,
      staffSelfRating: unit
        ? { shown: true, unit: atom.unit, self: unit.self, rounds: unit.rounds }
        : { shown: false, unit: atom.unit },
      trend,
      gapChange: previousGap === null ? null : round1(figures.gap - previousGap),
    };
  });
  points.sort(
    (a, b) =>
      a.gap - b.gap ||
      a.experience - b.experience ||
      a.name.localeCompare(b.name) ||
      a.servicePointId - b.servicePointId,
  );

  return {
    points,
    pointsLeftOut: thisWeek.filter((atom) => atom.answers > 0 && !servicePointPasses(atom, minGroupSize))
      .length,
    pointsWithoutAnswers: activePointIds.filter((id) => !answered.has(id)).length,
    spamLeftOut: thisWeek.reduce((sum, atom) => sum + atom.spam, 0),
  };
}
