/** Time is a dependency: use cases take a clock so tests can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(
  at: Date | string,
): Clock & { set(at: Date | string): void; advance(ms: number): void } {
  let current = new Date(at);
  return {
    now: () => new Date(current),
    set: (next) => {
      current = new Date(next);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

/**
 * Formatters by time zone. Building an Intl.DateTimeFormat costs far more than using one, and the
 * request path asks for dates many times a second; zones are few, so the cache stays small.
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function cachedFormat(
  cache: Map<string, Intl.DateTimeFormat>,
  locale: string,
  options: Intl.DateTimeFormatOptions,
  timeZone: string,
): Intl.DateTimeFormat {
  let format = cache.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone }); // throws on an unknown zone
    cache.set(timeZone, format);
  }
  return format;
}

const DATE_OPTIONS: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
const DAY_OPTIONS: Intl.DateTimeFormatOptions = { weekday: 'short', day: 'numeric', month: 'short' };

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. Unknown zones fall back to UTC. */
export function localDate(at: Date, timeZone: string | null | undefined): string {
  try {
    return cachedFormat(dateFormats, 'en-CA', DATE_OPTIONS, timeZone || 'UTC').format(at);
  } catch {
    return cachedFormat(dateFormats, 'en-CA', DATE_OPTIONS, 'UTC').format(at);
  }
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** "Tue 1 Dec" in a time zone, for messages. Unknown zones fall back to the ISO date. */
export function formatDay(at: Date, timeZone: string | null | undefined): string {
  try {
    return cachedFormat(dayFormats, 'en-GB', DAY_OPTIONS, timeZone || 'UTC').format(at);
  } catch {
    return at.toISOString().slice(0, 10);
  }
}
