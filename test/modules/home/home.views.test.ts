import { describe, expect, it } from 'vitest';
import { CHART_POINTS, gapSeries } from '../../../src/modules/home/home.data.js';
import type { CompletedRound } from '../../../src/modules/home/home.repository.js';
import { buildHomeView, gapTakeaway, gapWords } from '../../../src/modules/home/home.views.js';
import { expectWithinBlockKitLimits } from '../../helpers/block-kit-limits.js';

const round = (i: number, self: number, customer: number, at: string): CompletedRound => ({
  id: i,
  completedAt: new Date(at),
  customerUserId: `UC${i}`,
  customerName: `Customer ${i}`,
  service: 'Loans',
  segment: 'core',
  selfScore: self,
  customerScore: customer,
});

describe('the gap over time', () => {
  it('has one point per round while they fit, with unique labels for the same day', () => {
    const series = gapSeries([
      round(1, 8, 5, '2026-03-12T10:00:00Z'),
      round(2, 7, 7, '2026-03-12T15:00:00Z'),
      round(3, 6, 9, '2026-05-01T10:00:00Z'),
    ]);
    expect(series.by).toBe('round');
    expect(series.points.map((p) => p.label)).toEqual(['12 Mar', '12 Mar (2)', '1 May']);
    expect(series.averageGap).toBe(0);
    // First gap -3, last +3: six points better.
    expect(series.change).toBe(6);
  });

  it('averages by month past twenty rounds, keeping every round in the averages', () => {
    const rounds = Array.from({ length: 45 }, (_, i) =>
      round(i, 5, i < 30 ? 4 : 8, `2026-0${1 + Math.floor(i / 15)}-0${1 + (i % 9)}T10:00:00Z`),
    );
    const series = gapSeries(rounds);
    expect(series.by).toBe('month');
    expect(series.points.map((p) => [p.label, p.rounds, p.customer])).toEqual([
      ['Jan 2026', 15, 4],
      ['Feb 2026', 15, 4],
      ['Mar 2026', 15, 8],
    ]);
    expect(series.points.length).toBeLessThanOrEqual(CHART_POINTS);
    // 30 rounds at -1 and 15 at +3: (−30 + 45) / 45.
    expect(series.averageGap).toBe(0.3);
  });

  it('says what the chart shows in words, red and blind spot included', () => {
    expect(gapWords(-3)).toBe('-3, a blind spot (red)');
    expect(gapWords(4)).toBe('+4, a hidden strength');
    const series = gapSeries([
      round(1, 9, 5, '2026-03-12T10:00:00Z'),
      round(2, 9, 6, '2026-04-12T10:00:00Z'),
    ]);
    expect(gapTakeaway(series, 2)).toBe(
      'Over 2 answered rounds in the last year, your customers rated your service on average 3.5 points below your own rating (gap -3.5, a blind spot (red)). The gap grew more favourable by 1 from the first round shown to the last.',
    );
    expect(gapTakeaway(gapSeries([]), 0)).toBe('No round of yours was answered in the last year yet.');
  });
});

describe('the Home view', () => {
  it('is a valid Home for someone with nothing yet, and names what to do', () => {
    const view = buildHomeView({
      userId: 'U1',
      generatedAt: new Date('2026-12-01T10:00:00Z'),
      waitingForYou: { items: [], total: 0 },
      openRounds: { items: [], total: 0 },
      completed: [],
      plans: { items: [], total: 0 },
      isManager: false,
      practices: null,
      admin: null,
    });
    expectWithinBlockKitLimits('home', view);
    const text = JSON.stringify(view);
    expect(text).toContain('Rate a service');
    expect(text).not.toContain('data_visualization');
    expect(text).not.toContain('Waiting for you');
  });
});
