import { DateTime } from 'luxon';

/**
 * ISO weeks (Monday to Sunday) in a time zone. The digest's figures use the library's own calendar
 * (LIBRARY_TIME_ZONE), the same for every committee: a round completed at Sunday 23:30 there belongs
 * to that week, whatever UTC or a committee's zone says. Each committee still posts at its own
 * weekday and hour, in its own zone. Luxon does the calendar and DST work: a week that contains a
 * clock change is 167 or 169 hours long, and its bounds are still local midnights.
 */

export type WeekId = `${number}-W${string}`;

const WEEK_PATTERN = /^(\d{4})-W(\d{2})$/;

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
 * When the digest for `week` is posted: at the first of the committee's weekday and hour (local
 * time, in its zone) once the week is over in the library's zone. For a committee in the library's
 * zone, or west of it, that is in the following week, as chosen. A committee far east of the
 * library whose hour comes before the library's week has ended there (Monday 09:00 in Sydney is
 * still Sunday in London) posts at that hour a week later: never a week that is not over, whose
 * figures would change. An hour that a spring-forward skips is moved forward; an hour that a
 * fall-back repeats is the first of the two.
 */
export function postTimeFor(week: string, schedule: PostSchedule, libraryTimeZone: string): Date {
  const over = DateTime.fromJSDate(weekBounds(week, libraryTimeZone).end, { zone: schedule.timeZone });
  // From the local Monday, as luxon resolves a repeated hour by the offset it starts from: the first
  // of the two, and a skipped hour moves forward.
  const slot = (from: DateTime) =>
    from.startOf('week').set({
      weekday: schedule.weekday as 1 | 2 | 3 | 4 | 5 | 6 | 7,
      hour: schedule.hour,
      minute: 0,
      second: 0,
      millisecond: 0,
    });
  const sameWeek = slot(over);
  return (sameWeek >= over ? sameWeek : slot(over.plus({ weeks: 1 }))).toJSDate();
}

/** The last week that is over at `now` in the zone: the week a digest built now reports on. */
export function lastCompleteWeek(now: Date, zone: string): WeekId {
  return shiftWeek(weekOf(now, zone), -1);
}

/**
 * The weeks whose digests are due at `now`: the latest week whose post time has come, and any
 * earlier week with that same post time. Only those: after a long outage the committee gets the
 * latest week, not a backlog. Two weeks share a post time only around clock changes, when the
 * committee's zone and the library's move by an hour on different dates and no post hour falls
 * between two of the library's week ends (Monday 09:00 in Sydney and midnight in London, each April):
 * both are then due together, so no week goes unposted. A week whose post time came before the
 * committee subscribed is not due (subscribing on a Wednesday does not post last week's digest at
 * once). Oldest first; empty when none is due.
 */
export function dueWeeks(
  now: Date,
  schedule: PostSchedule,
  subscribedAt: Date,
  libraryTimeZone: string,
): WeekId[] {
  const postTime = (week: string) => postTimeFor(week, schedule, libraryTimeZone).getTime();
  let latest = lastCompleteWeek(now, libraryTimeZone);
  // A post time is at most a week (and a clock change) after its week ends: a few steps back at most.
  for (let step = 0; step < 3 && postTime(latest) > now.getTime(); step++) latest = shiftWeek(latest, -1);
  const at = postTime(latest);
  if (at > now.getTime() || at < subscribedAt.getTime()) return [];
  const due = [latest];
  while (postTime(shiftWeek(due[0] as string, -1)) === at) due.unshift(shiftWeek(due[0] as string, -1));
  return due;
}

/** Whether the week is over at `now` in the zone (only finished weeks are built and sent). */
export function weekIsOver(week: string, zone: string, now: Date): boolean {
  return weekBounds(week, zone).end.getTime() <= now.getTime();
}
