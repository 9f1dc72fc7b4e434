import { spreadsheetCsv } from '../../lib/csv.js';
import type { AuditRecord, AuditTrail } from '../audit/audit.repository.js';
import { sendFileToDm } from '../messaging/messaging.files.js';
import {
  type AdministratorAccess,
  type AdministratorRefusal,
  checkAdministrator,
} from '../people/people.administrators.js';
import type { DigestData } from './digests.build.js';
import { buildCommitteeDigest, type DigestDeps, type Refused } from './digests.usecases.js';
import {
  lastCompleteWeek,
  parseWeek,
  shiftWeek,
  weekIsOver,
  weekOf,
  weeksEndingWith,
} from './digests.weeks.js';

/**
 * A committee's figures over a range of weeks, for a spreadsheet: exactly what its digests publish
 * (each week's DigestData, built by the same code under the same privacy rules), one row per week
 * and per figure shown. A unit too small in a week is in no row of that week: it is counted in the
 * week's `all` row (`left_out`), as the digest counts it.
 */

/** The default range: the last 12 finished weeks. */
export const EXPORT_DEFAULT_WEEKS = 12;
/** The longest range one export takes: two years of weeks. */
export const EXPORT_MAX_WEEKS = 104;

export const EXPORT_COLUMNS = [
  'week',
  'week_start',
  'week_end',
  'kind',
  'name',
  'unit',
  'rounds',
  'self',
  'customer',
  'gap',
  'light',
  'answers',
  'experience',
  'expectation',
  'expectation_gap',
  'left_out',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type ExportRow = Record<ExportColumn, string | number | null>;

const blank = (): ExportRow =>
  Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, null])) as ExportRow;

/** The rows of one week's digest: the week as a whole, each unit, each person shown, each service point. */
export function exportRows(data: DigestData): ExportRow[] {
  const week = { week: data.week.id, week_start: data.week.start, week_end: data.week.end };
  const rows: ExportRow[] = [];
  const figures = data.headline.figures;
  rows.push({
    ...blank(),
    ...week,
    kind: 'all',
    rounds: data.headline.rounds,
    self: figures?.self ?? null,
    customer: figures?.customer ?? null,
    gap: figures?.gap ?? null,
    light: figures?.light ?? null,
    left_out: data.headline.roundsLeftOut,
  });
  for (const unit of data.units)
    rows.push({
      ...blank(),
      ...week,
      kind: 'unit',
      name: unit.unit,
      unit: unit.unit,
      rounds: unit.rounds,
      self: unit.self,
      customer: unit.customer,
      gap: unit.gap,
      light: unit.light,
    });
  for (const person of data.individuals ?? [])
    rows.push({
      ...blank(),
      ...week,
      kind: 'person',
      name: person.name ?? person.staffUserId,
      rounds: person.rounds,
      self: person.self,
      customer: person.customer,
      gap: person.gap,
      light: person.light,
    });
  for (const point of data.servicePoints.points)
    rows.push({
      ...blank(),
      ...week,
      kind: 'service_point',
      name: point.name,
      unit: point.unit,
      self: point.staffSelfRating.shown ? point.staffSelfRating.self : null,
      answers: point.answers,
      experience: point.experience,
      expectation: point.expectation,
      expectation_gap: point.gap,
    });
  if (data.servicePoints.pointsLeftOut > 0 || data.servicePoints.spamLeftOut > 0)
    rows.push({
      ...blank(),
      ...week,
      kind: 'service_points_left_out',
      left_out: data.servicePoints.pointsLeftOut,
      answers: data.servicePoints.spamLeftOut,
    });
  return rows;
}

/** The rows as CSV for spreadsheets (src/lib/csv.ts: BOM, header, formula-safe cells). */
export function toCsv(rows: readonly ExportRow[]): string {
  return spreadsheetCsv(EXPORT_COLUMNS, rows);
}

export type ExportRefusal = Refused;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An ISO week, or the week holding a calendar date (in the library's calendar). */
function weekOfText(text: string, zone: string): string | undefined {
  if (parseWeek(text)) return text;
  if (!DATE.test(text)) return undefined;
  const at = new Date(`${text}T12:00:00Z`);
  if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== text) return undefined;
  return weekOf(at, zone);
}

/**
 * The weeks to export: `from` and `to` as dates or ISO weeks; by default the last 12 finished
 * weeks; a range ending in a week not over yet ends with the last finished one.
 */
export function exportWeeks(
  { from, to }: { from?: string | undefined; to?: string | undefined },
  now: Date,
  zone: string,
): { ok: true; weeks: string[] } | ExportRefusal {
  const last: string = lastCompleteWeek(now, zone);
  let end: string = last;
  if (to !== undefined) {
    const week = weekOfText(to, zone);
    if (!week) return { ok: false, code: 'not_a_date_or_week', values: { text: to } };
    end = weekIsOver(week, zone, now) ? week : last;
  }
  let start: string = shiftWeek(end, -(EXPORT_DEFAULT_WEEKS - 1));
  if (from !== undefined) {
    const week = weekOfText(from, zone);
    if (!week) return { ok: false, code: 'not_a_date_or_week', values: { text: from } };
    start = week;
  }
  const weeks: string[] = [];
  for (let week: string = start, n = 0; week <= end; week = shiftWeek(week, 1), n++) {
    if (n >= EXPORT_MAX_WEEKS)
      return { ok: false, code: 'range_too_long', values: { weeks: EXPORT_MAX_WEEKS } };
    weeks.push(week);
  }
  if (weeks.length === 0) return { ok: false, code: 'range_backwards' };
  return { ok: true, weeks: weeksEndingWith(end, weeks.length) };
}

/** Every week's rows of a committee's export, oldest first. */
export async function exportCommittee(
  deps: Pick<DigestDeps, 'committees' | 'digests' | 'practices' | 'clock' | 'directory' | 'libraryTimeZone'>,
  channelId: string,
  range: { from?: string | undefined; to?: string | undefined },
): Promise<{ ok: true; weeks: string[]; data: DigestData[]; rows: ExportRow[] } | ExportRefusal> {
  const committee = await deps.committees.findActiveByChannel(channelId);
  if (!committee) return { ok: false, code: 'channel_not_subscribed', values: { channelId } };
  const weeks = exportWeeks(range, deps.clock.now(), deps.libraryTimeZone);
  if (!weeks.ok) return weeks;
  const data: DigestData[] = [];
  for (const week of weeks.weeks) data.push(await buildCommitteeDigest(deps, committee, week));
  return { ok: true, weeks: weeks.weeks, data, rows: data.flatMap(exportRows) };
}

/** The audit log's entry for an export: who took which channel's figures, for which weeks, where to. */
export const exportAuditEntry = ({
  actor,
  channelId,
  weeks,
  rows,
  format,
  sentTo,
  at,
}: {
  actor: string;
  channelId: string;
  weeks: readonly string[];
  rows: number;
  format: 'csv' | 'json';
  sentTo: 'dm' | 'terminal';
  at: Date;
}): AuditRecord => ({
  kind: 'digest_exported',
  actor,
  subject: channelId,
  rows,
  detail: { from: weeks[0], to: weeks.at(-1), format, sentTo },
  at,
});

/** A CSV file of a committee's export, for the admin who asked, with the range it covers. */
export interface ExportFile {
  bytes: Buffer;
  filename: string;
  weeks: string[];
  rows: number;
}

/**
 * `/service-digest export [from] [to]` in a committee channel: for admins only (asked of Slack each
 * time, as for subscribing), the CSV of what the channel's digests publish, sent to the admin's DM.
 */
export async function exportForAdmin(
  deps: Pick<
    DigestDeps,
    'committees' | 'digests' | 'practices' | 'clock' | 'directory' | 'libraryTimeZone' | 'messenger'
  > & {
    administrators: AdministratorAccess;
    adminUserIds: readonly string[];
    audit: AuditTrail;
  },
  {
    channelId,
    userId,
    from,
    to,
  }: { channelId: string; userId: string; from?: string | undefined; to?: string | undefined },
): Promise<
  | { ok: true; file: ExportFile }
  | ExportRefusal
  | { ok: false; code: AdministratorRefusal; values?: undefined }
  | { ok: false; code: 'dm_failed'; values: { error: string } }
> {
  const admin = await checkAdministrator(deps.administrators, deps.adminUserIds, userId);
  if (!admin.ok) return admin;
  const committee = await deps.committees.findActiveByChannel(channelId);
  if (!committee) return { ok: false, code: 'not_a_committee_channel' };
  const exported = await exportCommittee(deps, channelId, { from, to });
  if (!exported.ok) return exported;
  const first = exported.weeks[0] as string;
  const last = exported.weeks.at(-1) as string;
  const file: ExportFile = {
    bytes: Buffer.from(toCsv(exported.rows), 'utf8'),
    filename: `service-digest-${channelId}-${first}-to-${last}.csv`,
    weeks: exported.weeks,
    rows: exported.rows.length,
  };
  const sent = await sendFileToDm(deps.messenger, userId, {
    bytes: file.bytes,
    filename: file.filename,
    title: `Service digest figures, ${first} to ${last}`,
  });
  if (!sent.ok) return { ok: false, code: 'dm_failed', values: { error: sent.error } };
  await deps.audit.record(
    exportAuditEntry({
      actor: userId,
      channelId,
      weeks: exported.weeks,
      rows: file.rows,
      format: 'csv',
      sentTo: 'dm',
      at: deps.clock.now(),
    }),
  );
  return { ok: true, file };
}
