import { describe, expect, it } from 'vitest';
import {
  DEFAULT_POLICY,
  isWorkingTime,
  nextWorkingTime,
  safeZone,
  spacedFrom,
  workingStartOn,
  workingTimeAfterDays,
} from '../../../src/modules/reminders/working-hours.js';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('working hours in each person’s zone', () => {
  it.each([
    // zone, instant, next working time (UTC), why
    [
      'Europe/London',
      '2026-11-25T08:00:00Z',
      '2026-11-25T09:00:00.000Z',
      'before 09:00 on a Wednesday (GMT)',
    ],
    ['Europe/London', '2026-11-25T12:34:00Z', '2026-11-25T12:34:00.000Z', 'inside hours: now'],
    [
      'Europe/London',
      '2026-11-25T17:00:00Z',
      '2026-11-26T09:00:00.000Z',
      '17:00 is closing time: next morning',
    ],
    [
      'America/New_York',
      '2026-11-25T08:00:00Z',
      '2026-11-25T14:00:00.000Z',
      '03:00 in New York waits until 09:00 EST',
    ],
    [
      'Asia/Kolkata',
      '2026-11-25T02:00:00Z',
      '2026-11-25T03:30:00.000Z',
      'half-hour zone: 07:30 IST waits until 09:00',
    ],
    [
      'Pacific/Auckland',
      '2026-11-25T21:00:00Z',
      '2026-11-25T21:00:00.000Z',
      'already Thursday 10:00 in Auckland (NZDT)',
    ],
    [
      'Pacific/Auckland',
      '2026-11-27T05:00:00Z',
      '2026-11-29T20:00:00.000Z',
      'Friday 18:00 NZDT: Monday 09:00 NZDT',
    ],
    ['Europe/London', '2026-11-28T10:00:00Z', '2026-11-30T09:00:00.000Z', 'Saturday: Monday morning'],
  ])('%s at %s -> %s (%s)', (zone, instant, expected) => {
    expect(iso(nextWorkingTime(at(instant), zone, DEFAULT_POLICY))).toBe(expected);
  });

  it('never lands at 3 a.m. local, whatever the zone', () => {
    for (const zone of ['Pacific/Auckland', 'America/New_York', 'Europe/London', 'Asia/Kolkata']) {
      for (let hour = 0; hour < 24 * 7; hour += 1) {
        const next = nextWorkingTime(new Date(Date.UTC(2026, 2, 1, hour)), zone, DEFAULT_POLICY);
        const local = new Intl.DateTimeFormat('en-GB', {
          timeZone: zone,
          hour: 'numeric',
          weekday: 'short',
          hourCycle: 'h23',
        }).formatToParts(next);
        const localHour = Number(local.find((p) => p.type === 'hour')?.value);
        const weekday = local.find((p) => p.type === 'weekday')?.value;
        expect(localHour, `${zone} ${next.toISOString()}`).toBeGreaterThanOrEqual(9);
        expect(localHour).toBeLessThan(17);
        expect(['Sat', 'Sun']).not.toContain(weekday);
      }
    }
  });

  it('keeps 09:00 local across a DST change', () => {
    // London springs forward on Sunday 29 March 2026: Friday 09:00 is 09:00Z, Monday 09:00 is 08:00Z.
    expect(iso(workingStartOn('2026-03-27', 'Europe/London', DEFAULT_POLICY))).toBe(
      '2026-03-27T09:00:00.000Z',
    );
    expect(iso(workingStartOn('2026-03-30', 'Europe/London', DEFAULT_POLICY))).toBe(
      '2026-03-30T08:00:00.000Z',
    );
    // New York falls back on Sunday 1 November 2026: 09:00 EDT = 13:00Z before, 09:00 EST = 14:00Z after.
    expect(iso(workingStartOn('2026-10-30', 'America/New_York', DEFAULT_POLICY))).toBe(
      '2026-10-30T13:00:00.000Z',
    );
    expect(iso(workingStartOn('2026-11-02', 'America/New_York', DEFAULT_POLICY))).toBe(
      '2026-11-02T14:00:00.000Z',
    );
    // Auckland leaves daylight time on Sunday 5 April 2026: 09:00 NZDT = 20:00Z, 09:00 NZST = 21:00Z.
    expect(iso(workingStartOn('2026-04-03', 'Pacific/Auckland', DEFAULT_POLICY))).toBe(
      '2026-04-02T20:00:00.000Z',
    );
    expect(iso(workingStartOn('2026-04-06', 'Pacific/Auckland', DEFAULT_POLICY))).toBe(
      '2026-04-05T21:00:00.000Z',
    );
  });

  it('skips closure dates and custom working days', () => {
    const policy = { ...DEFAULT_POLICY, closures: new Set(['2026-12-24', '2026-12-25']) };
    expect(iso(nextWorkingTime(at('2026-12-23T18:00:00Z'), 'Europe/London', policy))).toBe(
      '2026-12-28T09:00:00.000Z',
    );
    const saturdays = { ...DEFAULT_POLICY, workdays: new Set([2, 3, 4, 5, 6]) };
    expect(iso(nextWorkingTime(at('2026-11-28T10:00:00Z'), 'Europe/London', saturdays))).toBe(
      '2026-11-28T10:00:00.000Z',
    );
    expect(iso(nextWorkingTime(at('2026-11-30T10:00:00Z'), 'Europe/London', saturdays))).toBe(
      '2026-12-01T09:00:00.000Z',
    );
  });

  it('moves a number of days on, at the same local time, into working hours', () => {
    // Wednesday 15:00 in Kolkata + 2 days = Friday 15:00 IST.
    expect(iso(workingTimeAfterDays(at('2026-11-25T09:30:00Z'), 2, 'Asia/Kolkata', DEFAULT_POLICY))).toBe(
      '2026-11-27T09:30:00.000Z',
    );
    // Thursday + 2 days = Saturday: Monday 09:00.
    expect(iso(workingTimeAfterDays(at('2026-11-26T10:00:00Z'), 2, 'Europe/London', DEFAULT_POLICY))).toBe(
      '2026-11-30T09:00:00.000Z',
    );
  });

  it('spaces released reminders from the first working time, by the calendar days and hours planned', () => {
    const planned = ['2026-10-23T08:00:00Z', '2026-10-27T14:00:00Z', '2026-10-26T09:00:00Z'].map(at);
    // Released on Friday 30 October at 19:00 in London: the earliest goes Monday 09:00, not at once.
    // Across the clock change of 25 October, "4 days and 5 hours later" stays 14:00 on the wall clock.
    expect(spacedFrom(at('2026-10-30T19:00:00Z'), planned, 'Europe/London', DEFAULT_POLICY).map(iso)).toEqual(
      [
        '2026-11-02T09:00:00.000Z',
        '2026-11-06T14:00:00.000Z',
        '2026-11-05T09:00:00.000Z', // the order given is kept
      ],
    );
    // A gap that ends on a weekend or after hours moves into the next working hours.
    expect(
      spacedFrom(
        at('2026-11-25T15:00:00Z'),
        [at('2026-11-23T15:00:00Z'), at('2026-11-26T12:00:00Z')],
        'Europe/London',
        DEFAULT_POLICY,
      ).map(iso),
    ).toEqual(['2026-11-25T15:00:00.000Z', '2026-11-30T09:00:00.000Z']);
    expect(spacedFrom(at('2026-11-25T15:00:00Z'), [], 'Europe/London', DEFAULT_POLICY)).toEqual([]);
  });

  it('falls back to UTC for a missing or unknown zone', () => {
    expect(safeZone(undefined)).toBe('UTC');
    expect(safeZone('Mars/Olympus_Mons')).toBe('UTC');
    expect(isWorkingTime(at('2026-11-25T10:00:00Z'), 'Mars/Olympus_Mons', DEFAULT_POLICY)).toBe(true);
  });
});
