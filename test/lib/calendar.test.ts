import { describe, expect, it } from 'vitest';
import { isCalendarDate, isValidTimeZone, parseClock } from '../../src/lib/calendar.js';

describe('isCalendarDate', () => {
  it('accepts days that exist, leap days included', () => {
    for (const day of ['2027-01-25', '2028-02-29', '2026-12-31', '2000-02-29'])
      expect(isCalendarDate(day)).toBe(true);
  });

  it('refuses days that have the shape of a date but are not on the calendar', () => {
    for (const day of [
      '2026-02-31',
      '2027-02-30',
      '2027-02-29',
      '1900-02-29',
      '2026-04-31',
      '2026-13-01',
      '2026-00-10',
      '2026-01-00',
    ])
      expect(isCalendarDate(day)).toBe(false);
  });

  it('refuses anything but YYYY-MM-DD', () => {
    for (const text of ['', '2026-1-5', '2026-01-05T00:00', '20260105', '2026-W05', ' 2026-01-05', 'soon'])
      expect(isCalendarDate(text)).toBe(false);
  });
});

describe('parseClock', () => {
  it('reads HH:MM as minutes after midnight', () => {
    expect(parseClock('09:00')).toBe(540);
    expect(parseClock('9:30')).toBe(570);
    expect(parseClock('23:59')).toBe(23 * 60 + 59);
    expect(parseClock('24:00')).toBeUndefined();
    expect(parseClock('12:60')).toBeUndefined();
  });
});

describe('isValidTimeZone', () => {
  it('knows IANA zones', () => {
    expect(isValidTimeZone('Europe/London')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
