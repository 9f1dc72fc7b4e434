import type { ActionPlan, Committee, DigestPost, Round } from '../../db/schema.js';
import { round1 } from '../../lib/averages.js';
import type { UnitPractices } from '../practices/practices.data.js';
import type { CustomersHome } from './home.customers.js';
import type { CompletedRound, Listed } from './home.repository.js';

/**
 * A person's Home tab as plain data (what home.usecases.ts reads, what home.views.ts draws), and
 * the gap chart's points worked out from it.
 */

export interface HomeData {
  userId: string;
  generatedAt: Date;
  waitingForYou: Listed<Round>;
  openRounds: Listed<Round>;
  /** Completed rounds in the last year, oldest first. */
  completed: CompletedRound[];
  plans: Listed<{ plan: ActionPlan; nextCheckinAt: Date | null }>;
  isManager: boolean;
  /** The best practices of the person's unit (null when the app does not know their unit). */
  practices: UnitPractices | null;
  /** Only for an admin: never built, so never shown, for anyone else. */
  admin: AdminHome | null;
  /** Their customers in circles and their services' grid; null without rounds, absent when not read. */
  customers?: CustomersHome | null;
}

export interface AdminHome {
  committees: Listed<{ committee: Committee; lastPost: DigestPost | null }>;
  /** Staff who have not started a round in CADENCE_DAYS, by unit. */
  notStarted: Listed<{ userId: string; unit: string; lastRoundAt: Date | null }>;
  cadenceDays: number;
  muted: Listed<{ userId: string; mutedUntil: Date }>;
}

// ---------------------------------------------------------------------------------------------
// The gap over time, as a chart's points

/** Slack's line chart takes at most 20 points per series. */
export const CHART_POINTS = 20;

export interface GapPoint {
  /** At most 20 characters, unique in the chart. */
  label: string;
  self: number;
  customer: number;
  rounds: number;
}

export interface GapSeries {
  /** 'round': one point per completed round; 'month': monthly averages (more than 20 rounds). */
  by: 'round' | 'month';
  points: GapPoint[];
  /** Average customer minus self over the year, one decimal; null without rounds. */
  averageGap: number | null;
  /** The latest point's gap minus the first's, one decimal; null with fewer than two points. */
  change: number | null;
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The self and customer scores of the last year's rounds: one point per round when they fit
 * Slack's 20 points, otherwise one per month (its averages), so the chart never drops a round.
 */
export function gapSeries(completed: readonly CompletedRound[]): GapSeries {
  let points: GapPoint[];
  let by: GapSeries['by'];
  if (completed.length <= CHART_POINTS) {
    by = 'round';
    const seen = new Map<string, number>();
    points = completed.map((round) => {
      const day = `${round.completedAt.getUTCDate()} ${SHORT_MONTHS[round.completedAt.getUTCMonth()]}`;
      const nth = (seen.get(day) ?? 0) + 1;
      seen.set(day, nth);
      return {
        label: nth === 1 ? day : `${day} (${nth})`,
        self: round.selfScore,
        customer: round.customerScore,
        rounds: 1,
      };
    });
  } else {
    by = 'month';
    const months = new Map<string, { self: number; customer: number; rounds: number; label: string }>();
    for (const round of completed) {
      const at = round.completedAt;
      const key = `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
      const month = months.get(key) ?? {
        self: 0,
        customer: 0,
        rounds: 0,
        label: `${SHORT_MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}`,
      };
      month.self += round.selfScore;
      month.customer += round.customerScore;
      month.rounds += 1;
      months.set(key, month);
    }
    points = [...months.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .slice(-CHART_POINTS)
      .map(([, month]) => ({
        label: month.label,
        self: round1(month.self / month.rounds),
        customer: round1(month.customer / month.rounds),
        rounds: month.rounds,
      }));
  }
  const gaps = completed.map((round) => round.customerScore - round.selfScore);
  const first = points[0];
  const last = points.at(-1);
  return {
    by,
    points,
    averageGap: gaps.length ? round1(gaps.reduce((a, b) => a + b, 0) / gaps.length) : null,
    change:
      first && last && points.length >= 2
        ? round1(last.customer - last.self - (first.customer - first.self))
        : null,
  };
}
