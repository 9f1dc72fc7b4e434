import { DateTime } from 'luxon';

/**
 * When a person may be reminded: inside their working hours, in their own Slack time zone, on a
 * working day that is not a closure date. Wall-clock times are set with luxon, so a day with a DST
 * change still starts its working hours at the same local time.
 */
export interface WorkingHoursPolicy {
  /** Minutes after local midnight. */
  startMinutes: number;
  endMinutes: number;
  /** ISO weekdays, 1 = Monday ... 7 = Sunday. */
  workdays: ReadonlySet<number>;
  /** Local dates (YYYY-MM-DD) on which nobody is reminded. */
  closures: ReadonlySet<string>;
}

export const DEFAULT_POLICY: WorkingHoursPolicy = {
  startMinutes: 9 * 60,
  endMinutes: 17 * 60,
  workdays: new Set([1, 2, 3, 4, 5]),
  closures: new Set(),
};

/** A zone luxon understands, or UTC. Slack's `tz` is an IANA name; a missing or odd one falls back. */
export function safeZone(timeZone: string | null | undefined): string {
  if (!timeZone) return 'UTC';
  return DateTime.now().setZone(timeZone).isValid ? timeZone : 'UTC';
}

function atMinutes(day: DateTime, minutes: number): DateTime {
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
}

function isWorkingDay(day: DateTime, policy: WorkingHoursPolicy): boolean {
  return policy.workdays.has(day.weekday) && !policy.closures.has(day.toISODate() ?? '');
}

/** The earliest instant at or after `at` inside the person's working hours. */
export function nextWorkingTime(
  at: Date,
  timeZone: string | null | undefined,
  policy: WorkingHoursPolicy,
): Date {
  let local = DateTime.fromJSDate(at, { zone: safeZone(timeZone) });
  // A year is plenty: with no working day in sight, the policy is broken; fall back to `at`.
  for (let day = 0; day < 366; day++) {
    if (isWorkingDay(local, policy)) {
      const start = atMinutes(local.startOf('day'), policy.startMinutes);
      const end = atMinutes(local.startOf('day'), policy.endMinutes);
      if (local < start) return start.toJSDate();
      if (local < end) return local.toJSDate();
    }
    local = local.plus({ days: 1 }).startOf('day');
  }
  return at;
}

export function isWorkingTime(
  at: Date,
  timeZone: string | null | undefined,
  policy: WorkingHoursPolicy,
): boolean {
  return nextWorkingTime(at, timeZone, policy).getTime() === at.getTime();
}

/** The start of working hours on a local date (or the next working day after it). */
export function workingStartOn(
  isoDate: string,
  timeZone: string | null | undefined,
  policy: WorkingHoursPolicy,
): Date {
  const day = DateTime.fromISO(isoDate, { zone: safeZone(timeZone) }).startOf('day');
  return nextWorkingTime(day.toJSDate(), timeZone, policy);
}

/** `days` calendar days later in the person's zone (same wall-clock time), then into working hours. */
export function workingTimeAfterDays(
  from: Date,
  days: number,
  timeZone: string | null | undefined,
  policy: WorkingHoursPolicy,
): Date {
  const later = DateTime.fromJSDate(from, { zone: safeZone(timeZone) }).plus({ days });
  return nextWorkingTime(later.toJSDate(), timeZone, policy);
}

/**
 * Where reminders that were held back go once they may be sent again: the earliest planned one at
 * the first working time from `from`, each other as many calendar days and hours after it as it was
 * planned to be (days counted on the wall clock, as the nudges are planned), then into working hours.
 * Counting from a working time, not from `from` itself, keeps a release on Friday evening from
 * eating the gap between the first two over the weekend. The order of `planned` is kept.
 */
export function spacedFrom(
  from: Date,
  planned: readonly Date[],
  timeZone: string | null | undefined,
  policy: WorkingHoursPolicy,
): Date[] {
  if (planned.length === 0) return [];
  const zone = safeZone(timeZone);
  const earliest = DateTime.fromMillis(Math.min(...planned.map((at) => at.getTime())), { zone });
  const anchor = DateTime.fromJSDate(nextWorkingTime(from, zone, policy), { zone });
  return planned.map((at) => {
    const gap = DateTime.fromJSDate(at, { zone }).diff(earliest, ['days', 'milliseconds']);
    return nextWorkingTime(anchor.plus(gap).toJSDate(), zone, policy);
  });
}
