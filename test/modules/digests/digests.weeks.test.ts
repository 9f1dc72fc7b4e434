import { describe, expect, it } from 'vitest';
import {
  dueWeeks,
  lastCompleteWeek,
  parseWeek,
  postTimeFor,
  shiftWeek,
  weekBounds,
  weekIsOver,
  weekLabel,
  weekOf,
  weeksEndingWith,
} from '../../../src/modules/digests/digests.weeks.js';

const at = (iso: string) => new Date(iso);
const monday9London = { weekday: 1, hour: 9, timeZone: 'Europe/London' };
const longAgo = at('2020-01-01T00:00:00Z');

describe('ISO weeks in a time zone', () => {
  it('names the week an instant falls in, in that zone', () => {
    expect(weekOf(at('2026-11-22T23:30:00Z'), 'UTC')).toBe('2026-W47');
    // Sunday 23:30 in New York is already Monday in UTC.
    expect(weekOf(at('2026-11-23T04:30:00Z'), 'America/New_York')).toBe('2026-W47');
    expect(weekOf(at('2026-11-23T04:30:00Z'), 'UTC')).toBe('2026-W48');
    // Monday 00:30 in Auckland is still Sunday in UTC.
    expect(weekOf(at('2026-11-22T11:30:00Z'), 'Pacific/Auckland')).toBe('2026-W48');
  });

  it('handles the ISO year boundary', () => {
    // Thursday 1 January 2026 is in 2026-W01, which starts on Monday 29 December 2025.
    expect(weekOf(at('2025-12-29T10:00:00Z'), 'UTC')).toBe('2026-W01');
    expect(shiftWeek('2026-W01', -1)).toBe('2025-W52');
    expect(shiftWeek('2026-W53', 0)).toBe('2026-W53'); // 2026 has 53 ISO weeks
    expect(shiftWeek('2026-W53', 1)).toBe('2027-W01');
    expect(weekLabel('2026-W01')).toBe('29 Dec 2025 – 4 Jan 2026');
    expect(weekLabel('2026-W49')).toBe('30 Nov – 6 Dec 2026');
    expect(weekLabel('2026-W47')).toBe('16–22 Nov 2026');
    expect(weeksEndingWith('2026-W02', 3)).toEqual(['2025-W52', '2026-W01', '2026-W02']);
  });

  it('parses only weeks that exist', () => {
    expect(parseWeek('2026-W47')).toEqual({ weekYear: 2026, weekNumber: 47 });
    expect(parseWeek('2026-W53')).toBeDefined();
    expect(parseWeek('2025-W53')).toBeUndefined();
    expect(parseWeek('2026-W00')).toBeUndefined();
    expect(parseWeek('2026-47')).toBeUndefined();
    expect(parseWeek('W47')).toBeUndefined();
  });

  it('bounds a week by local midnights, even across a clock change', () => {
    // London leaves summer time on Sunday 25 October 2026: that week is 169 hours long.
    const { start, end } = weekBounds('2026-W43', 'Europe/London');
    expect(start.toISOString()).toBe('2026-10-18T23:00:00.000Z');
    expect(end.toISOString()).toBe('2026-10-26T00:00:00.000Z');
    expect((end.getTime() - start.getTime()) / 3_600_000).toBe(169);
  });
});

describe('when a digest is due', () => {
  const LONDON = 'Europe/London';

  it('posts last week at the committee’s weekday and hour, local time', () => {
    expect(postTimeFor('2026-W47', monday9London, LONDON).toISOString()).toBe('2026-11-23T09:00:00.000Z');
    expect(
      postTimeFor('2026-W47', { weekday: 3, hour: 14, timeZone: 'America/Chicago' }, LONDON).toISOString(),
    ).toBe('2026-11-25T20:00:00.000Z');
    expect(dueWeeks(at('2026-11-23T08:59:00Z'), monday9London, longAgo, LONDON)).toEqual(['2026-W46']);
    expect(dueWeeks(at('2026-11-23T09:00:00Z'), monday9London, longAgo, LONDON)).toEqual(['2026-W47']);
    expect(dueWeeks(at('2026-11-29T23:00:00Z'), monday9London, longAgo, LONDON)).toEqual(['2026-W47']);
  });

  it('posts only weeks that are over in the library’s zone, at the committee’s own hour', () => {
    // Monday 09:00 in Sydney is Sunday 22:00 in London: the library's week is not over. That hour
    // a week later is the first after it, so Sydney's W47 digest comes on Monday 30 November.
    const monday9Sydney = { weekday: 1, hour: 9, timeZone: 'Australia/Sydney' };
    expect(postTimeFor('2026-W47', monday9Sydney, LONDON).toISOString()).toBe('2026-11-29T22:00:00.000Z');
    expect(dueWeeks(at('2026-11-22T22:00:00Z'), monday9Sydney, longAgo, LONDON)).toEqual(['2026-W46']);
    expect(dueWeeks(at('2026-11-29T21:59:00Z'), monday9Sydney, longAgo, LONDON)).toEqual(['2026-W46']);
    expect(dueWeeks(at('2026-11-29T22:00:00Z'), monday9Sydney, longAgo, LONDON)).toEqual(['2026-W47']);
    // Tuesday 09:00 in Sydney comes after London's Monday midnight: the next day, as chosen.
    const tuesday9Sydney = { weekday: 2, hour: 9, timeZone: 'Australia/Sydney' };
    expect(postTimeFor('2026-W47', tuesday9Sydney, LONDON).toISOString()).toBe('2026-11-23T22:00:00.000Z');
    // New York's Monday 09:00 is after London's midnight: unchanged.
    const monday9NewYork = { weekday: 1, hour: 9, timeZone: 'America/New_York' };
    expect(postTimeFor('2026-W47', monday9NewYork, LONDON).toISOString()).toBe('2026-11-23T14:00:00.000Z');
  });

  it('posts every week of the library’s year, in order, whatever the two zones’ clock changes do', () => {
    const weeks = weeksEndingWith('2027-W10', 70);
    const schedules = [
      monday9London,
      { weekday: 1, hour: 9, timeZone: 'Australia/Sydney' },
      { weekday: 2, hour: 9, timeZone: 'Australia/Sydney' },
      { weekday: 1, hour: 0, timeZone: 'Pacific/Auckland' },
      { weekday: 1, hour: 9, timeZone: 'America/New_York' },
      { weekday: 7, hour: 23, timeZone: 'America/Los_Angeles' },
    ];
    for (const schedule of schedules) {
      let previous = 0;
      const posted = new Set<string>();
      for (const week of weeks) {
        const time = postTimeFor(week, schedule, LONDON);
        expect(time.getTime()).toBeGreaterThanOrEqual(weekBounds(week, LONDON).end.getTime());
        expect(time.getTime()).toBeGreaterThanOrEqual(previous);
        previous = time.getTime();
        const due = dueWeeks(time, schedule, longAgo, LONDON);
        expect(due).toContain(week);
        for (const each of due) posted.add(each);
      }
      expect([...posted].sort()).toEqual([...weeks].sort());
    }
    // Sydney's Monday 09:00 is London's Monday 00:00 from April to October, two hours earlier from
    // November to March: on 6 April 2026 no post hour falls between two of London's week ends, so
    // W13 and W14 are due together, and no week goes unposted.
    const sydney = { weekday: 1, hour: 9, timeZone: 'Australia/Sydney' };
    expect(dueWeeks(at('2026-04-05T23:00:00Z'), sydney, longAgo, LONDON)).toEqual(['2026-W13', '2026-W14']);
  });

  it('moves an hour a spring-forward skips, rather than dropping the post', () => {
    // Europe/London skips 01:00-02:00 on Sunday 29 March 2026.
    const sunday1am = { weekday: 7, hour: 1, timeZone: 'Europe/London' };
    expect(postTimeFor('2026-W12', sunday1am, LONDON).toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('posts at the first of two hours a fall-back repeats', () => {
    // New York repeats 01:00 on Sunday 1 November 2026: 05:00 UTC (EDT), then 06:00 UTC (EST).
    const sunday1amNewYork = { weekday: 7, hour: 1, timeZone: 'America/New_York' };
    expect(postTimeFor('2026-W43', sunday1amNewYork, 'UTC').toISOString()).toBe('2026-11-01T05:00:00.000Z');
    expect(postTimeFor('2026-W43', sunday1amNewYork, LONDON).toISOString()).toBe('2026-11-01T05:00:00.000Z');
  });

  it('does not post a week whose post time came before the committee subscribed', () => {
    // Subscribed on Wednesday 25 November: last week's Monday post time had passed.
    const subscribed = at('2026-11-25T10:00:00Z');
    expect(dueWeeks(at('2026-11-25T10:05:00Z'), monday9London, subscribed, LONDON)).toEqual([]);
    expect(dueWeeks(at('2026-11-30T09:00:00Z'), monday9London, subscribed, LONDON)).toEqual(['2026-W48']);
  });

  it('knows when a week is over, and which week is the last complete one', () => {
    expect(weekIsOver('2026-W47', 'UTC', at('2026-11-23T00:00:00Z'))).toBe(true);
    expect(weekIsOver('2026-W47', 'America/New_York', at('2026-11-23T04:59:00Z'))).toBe(false);
    expect(lastCompleteWeek(at('2026-11-25T12:00:00Z'), 'UTC')).toBe('2026-W47');
  });
});
