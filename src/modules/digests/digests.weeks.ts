import { DateTime, IANAZone } from 'luxon';

/**
 * ISO weeks (Monday to Sunday) in a committee's time zone. A round completed at Sunday 23:30 in the
 * committee's zone belongs to that week, whatever UTC says. Luxon does the calendar and DST work: a
 * week that contains a clock change is 167 or 169 hours long, and its bounds are still local midnights.
 */

export type WeekId = `${number}-W${string}`;

const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Parses 'YYYY-Www' (a week that exists in that ISO year), or undefined. */
export function parseWeek(text: string): { weekYear: number; weekNumber: number } | undefined {
  const match = WEEK_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const weekYear = Number(match[1]);
  const weekNumber = Number(match[2]);
  if (weekNumber < 1) return undefined;
  const probe = DateTime.fromObject({ weekYear, weekNumber: 1, weekday: 1 }, { zone: 'UTC' });
  if (!probe.isValid || weekNumber > probe.weeksInWeekYear) return undefined;
  return { weekYear, weekNumber };
}

function format(weekYear: number, weekNumber: number): WeekId {
  return `${weekYear}-W${String(weekNumber).padStart(2, '0')}` as WeekId;
}

/** The ISO week an instant falls in, in a time zone. */
export function weekOf(at: Date, zone: string): WeekId {
  const local = DateTime.fromJSDate(at, { zone });
  return format(local.weekYear, local.weekNumber);
}

function mondayOf(week: string, zone: string): DateTime {
  const parsed = parseWeek(week);
  if (!parsed) throw new RangeError(`not an ISO week: ${week}`);
  return DateTime.fromObject({ ...parsed, weekday: 1 }, { zone }).startOf('day');
}

/** Local Monday 00:00 of the week (inclusive) and the next Monday 00:00 (exclusive), as instants. */
export function weekBounds(week: string, zone: string): { start: Date; end: Date } {
  const monday = mondayOf(week, zone);
  return { start: monday.toJSDate(), end: monday.plus({ weeks: 1 }).toJSDate() };
}

export function shiftWeek(week: string, weeks: number): WeekId {
  const moved = mondayOf(week, 'UTC').plus({ weeks });
  return format(moved.weekYear, moved.weekNumber);
}

/** The `count` weeks ending with `last`, oldest first. */
export function weeksEndingWith(last: string, count: number): WeekId[] {
  return Array.from({ length: count }, (_, index) => shiftWeek(last, index - count + 1));
}

/** '17–23 Nov 2026', or '29 Dec 2025 – 4 Jan 2026' across a year. */
export function weekLabel(week: string): string {
  const monday = mondayOf(week, 'UTC');
  const sunday = monday.plus({ days: 6 });
  if (monday.year !== sunday.year)
    return `${monday.toFormat('d MMM yyyy')} – ${sunday.toFormat('d MMM yyyy')}`;
  if (monday.month !== sunday.month) return `${monday.toFormat('d MMM')} – ${sunday.toFormat('d MMM yyyy')}`;
  return `${monday.toFormat('d')}–${sunday.toFormat('d MMM yyyy')}`;
}

/** Short label for a chart axis: the week's Monday, '17 Nov'. */
export function weekShortLabel(week: string): string {
  return mondayOf(week, 'UTC').toFormat('d MMM');
}

export interface PostSchedule {
  /** ISO weekday, 1 = Monday ... 7 = Sunday. */
  weekday: number;
  hour: number;
  timeZone: string;
}

/**
 * When the digest for `week` is posted: in the following week, on the committee's weekday and hour,
 * local time. An hour that a spring-forward skips is moved forward, as luxon does, never dropped.
 */
export function postTimeFor(week: string, schedule: PostSchedule): Date {
  const next = mondayOf(shiftWeek(week, 1), schedule.timeZone);
  return next
    .set({ weekday: schedule.weekday as 1 | 2 | 3 | 4 | 5 | 6 | 7, hour: schedule.hour, minute: 0 })
    .toJSDate();
}

/** The last week that is over at `now` in the zone: the week a digest built now reports on. */
export function lastCompleteWeek(now: Date, zone: string): WeekId {
  return shiftWeek(weekOf(now, zone), -1);
}

/**
 * The week whose digest is due at `now`: the latest week whose post time has come. Only that one:
 * after a long outage the committee gets the latest week, not a backlog. A week whose post time came
 * before the committee subscribed is not due (subscribing on a Wednesday does not post last week's
 * digest at once); `undefined` then.
 */
export function dueWeek(now: Date, schedule: PostSchedule, subscribedAt: Date): WeekId | undefined {
  const current = weekOf(now, schedule.timeZone);
  let candidate = shiftWeek(current, -1);
  if (postTimeFor(candidate, schedule).getTime() > now.getTime()) candidate = shiftWeek(current, -2);
  return postTimeFor(candidate, schedule).getTime() >= subscribedAt.getTime() ? candidate : undefined;
}

/** Whether the week is over at `now` in the zone (only finished weeks are sent). */
export function weekIsOver(week: string, zone: string, now: Date): boolean {
  return weekBounds(week, zone).end.getTime() <= now.getTime();
}
