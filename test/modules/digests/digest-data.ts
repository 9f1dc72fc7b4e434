import type { DigestData, Figures } from '../../../src/modules/digests/digests.build.js';
import { lightOf } from '../../../src/modules/digests/digests.build.js';
import { weekLabel, weekShortLabel, weeksEndingWith } from '../../../src/modules/digests/digests.weeks.js';

/** Figures as buildDigest makes them, for pure tests of the renderers. */
export function figures(self: number, customer: number, rounds = 5): Figures {
  const gap = Math.round((customer - self) * 10) / 10;
  return { rounds, self, customer, gap, light: lightOf(gap) };
}

/**
 * A digest with `units` units (and as many individuals when asked), with worst-case long names.
 * `rounds` are shown; `leftOut` rounds were in units too small to show (0 units and some left out:
 * a week with rounds but nothing to show).
 */
export function sampleDigest(
  options: {
    units?: number;
    individuals?: number;
    rounds?: number;
    leftOut?: number;
    longNames?: boolean;
    /** Service points shown (none by default). */
    servicePoints?: number;
    /** Best practices shared in the week (none by default): five listed at most, like buildDigest. */
    practices?: number;
  } = {},
): DigestData {
  const week = '2026-W47';
  const name = (prefix: string, index: number) =>
    options.longNames ? `${prefix} ${index} <!channel> & ${'W'.repeat(80)}` : `${prefix} ${index}`;
  const units = Array.from({ length: options.units ?? 3 }, (_, index) => ({
    unit: name('Unit', index),
    ...figures(9, 1 + (index % 9), 3 + index),
  }));
  const individuals =
    options.individuals === undefined
      ? null
      : Array.from({ length: options.individuals }, (_, index) => ({
          staffUserId: `U${String(index).padStart(6, '0')}`,
          name: name('Person', index),
          ...figures(8, 1 + (index % 10), 1),
        }));
  const rounds = options.rounds ?? 40;
  return {
    committee: {
      id: 1,
      channelId: 'C0COMMITTEE',
      units: [],
      minGroupSize: 3,
      showIndividuals: individuals !== null,
      timeZone: 'Europe/London',
    },
    week: {
      id: week,
      label: weekLabel(week),
      start: '2026-11-16T00:00:00.000Z',
      end: '2026-11-23T00:00:00.000Z',
      timeZone: 'Europe/London',
    },
    generatedAt: '2026-11-23T09:00:00.000Z',
    headline: {
      rounds,
      roundsLeftOut: options.leftOut ?? 4,
      figures: rounds > 0 ? figures(7.4, 6.1, rounds) : null,
      previous: { week: '2026-W46', rounds: 30, figures: figures(7.5, 5.8, 30) },
      gapChange: rounds > 0 ? 0.4 : null,
    },
    trend: weeksEndingWith(week, 12).map((id, index) => ({
      week: id,
      label: weekShortLabel(id),
      rounds: index === 3 ? 0 : 20 + index,
      figures: index === 3 ? null : figures(7 + (index % 3) * 0.3, 5 + (index % 4) * 0.5, 20 + index),
    })),
    units,
    individuals,
    servicePoints: {
      points: Array.from({ length: options.servicePoints ?? 0 }, (_, index) => {
        const experience = 5 + (index % 5);
        const expectation = 8;
        return {
          servicePointId: index + 1,
          name: name('Desk', index),
          unit: name('Unit', index % 3),
          retired: false,
          answers: 3 + index,
          experience,
          expectation,
          gap: experience - expectation,
          staffSelfRating:
            index % 2 === 0
              ? { shown: true as const, unit: name('Unit', index % 3), self: 8.2, rounds: 5 }
              : { shown: false as const, unit: name('Unit', index % 3) },
          trend: weeksEndingWith(week, 8).map((id, week) => ({
            week: id,
            answers: week === 2 ? 0 : 4,
            gap: week === 2 ? null : -1 + (week % 3) * 0.5,
          })),
          gapChange: -0.5,
        };
      }),
      pointsLeftOut: options.servicePoints ? 2 : 0,
      pointsWithoutAnswers: options.servicePoints ? 1 : 0,
      spamLeftOut: options.servicePoints ? 3 : 0,
    },
    practices: {
      total: options.practices ?? 0,
      listed: Array.from({ length: Math.min(options.practices ?? 0, 5) }, (_, index) => ({
        id: index + 1,
        authorUserId: `UPRACTICE${index}`,
        unit: name('Unit', index),
        service: options.longNames ? 's'.repeat(75) : `Service ${index}`,
        whatYouDo: options.longNames ? 'w'.repeat(1500) : `What ${index}`,
        whyItWorks: options.longNames ? 'y'.repeat(1500) : `Why ${index}`,
        sharedAt: '2026-11-18T10:00:00.000Z',
      })),
    },
    followUps: {
      awaitingCustomer: 4,
      expiredThisWeek: 2,
      noLongerNeed: 3,
      plans: {
        open: units.length * 2,
        improved: units.length,
        nextCheckin: '2026-12-01T10:00:00.000Z',
        byUnit: units.map((row) => ({ unit: row.unit, open: 2, improved: 1 })),
      },
    },
  };
}
