import { DateTime, IANAZone } from 'luxon';

/**
 * Small calendar facts that the configuration and several modules ask about: whether a zone
 * exists, what "09:00" means, whether a typed date is a day on the calendar.
 */

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Parses "HH:MM" into minutes after midnight. */
export function parseClock(value: string): number | undefined {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * Whether the text is a YYYY-MM-DD date that exists: `2027-02-30` has the shape but is no day
 * (JavaScript's Date.parse rolls it over to March; PostgreSQL refuses it).
 */
export function isCalendarDate(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && DateTime.fromISO(text, { zone: 'UTC' }).isValid;
}
