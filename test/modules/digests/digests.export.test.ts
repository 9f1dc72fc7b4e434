import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../../../src/lib/csv.js';
import type { DigestData } from '../../../src/modules/digests/digests.build.js';
import { EXPORT_COLUMNS, exportRows, exportWeeks } from '../../../src/modules/digests/digests.export.js';
import { openMigratedDatabase } from '../../../src/service.js';
import { runCapturedCli } from '../../helpers/cli.js';
import { seedCommittee, seedRound } from '../../helpers/digests.js';
import { seedServicePoint, seedWalkUp } from '../../helpers/service-points.js';

/**
 * `digest export`, run as an operator runs it, on an embedded database: the CSV parsed back equals
 * `digest show --json` of each week in the range, a unit too small in a week is in no row of it,
 * and a name a spreadsheet would run as a formula is text.
 */
let dir: string;
const savedEnv = { ...process.env };

const cli = (...argv: string[]) => runCapturedCli(argv);

const FORMULA_UNIT = '=HYPERLINK("http://x.test","Reference")';
const WEEKS = ['2026-W38', '2026-W39', '2026-W40'];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'service-radar-digest-export-'));
  process.env.PGLITE_DIR = dir;
  delete process.env.DATABASE_URL;
  process.env.LOG_LEVEL = 'silent';
  process.env.LIBRARY_TIME_ZONE = 'Europe/London';
  const database = await openMigratedDatabase({
    PGLITE_DIR: dir,
    DATABASE_POOL_SIZE: 1,
    DATABASE_URL: undefined,
  });
  await seedCommittee(database.db, 'C0EXPORT', { timeZone: 'Europe/London', units: [] });
  // Three weeks: the formula-named unit passes in W38 and W40 (3 staff, 3 customers), and a small
  // unit (2 staff) never does.
  const days: Record<string, string> = {
    '2026-W38': '2026-09-15',
    '2026-W39': '2026-09-22',
    '2026-W40': '2026-09-29',
  };
  for (const week of ['2026-W38', '2026-W40'])
    for (const [staff, self, customer] of [
      ['U1', 8, 5],
      ['U2', 7, 6],
      ['U3', 9, 4],
    ] as const)
      await seedRound(database.db, {
        staff,
        unit: FORMULA_UNIT,
        self,
        customer: week === '2026-W40' ? customer + 2 : customer,
        completedAt: new Date(`${days[week]}T12:00:00Z`),
        answers: 'PRIVATE-WORDS',
      });
  for (const staff of ['USMALL1', 'USMALL2'])
    await seedRound(database.db, {
      staff,
      unit: 'Tiny branch',
      self: 6,
      customer: 2,
      completedAt: new Date('2026-09-22T12:00:00Z'),
    });
  const desk = await seedServicePoint(database.db, { name: '+Desk', unit: FORMULA_UNIT });
  for (const experience of [6, 7, 8])
    await seedWalkUp(database.db, desk.id, {
      experience,
      expectation: 8,
      at: new Date('2026-09-29T10:00:00Z'),
      doBetter: 'WALKUP-PRIVATE-WORDS',
    });
  await database.close();
}, 60_000);

afterAll(async () => {
  process.env = savedEnv;
  await rm(dir, { recursive: true, force: true });
});

/** What a CSV cell holds for a value, as a CSV parser reads it back. */
const cell = (value: string | number | null) => (value === null ? '' : String(spreadsheetSafe(value)));

describe('digest export', () => {
  it('writes, as CSV with a BOM, exactly what digest show --json publishes for each week', async () => {
    const exported = await cli(
      'digest',
      'export',
      '--channel',
      'C0EXPORT',
      '--from',
      '2026-09-14',
      '--to',
      '2026-W40',
    );
    expect(exported).toMatchObject({ code: 0, err: '' });
    expect(exported.out.startsWith('\uFEFF')).toBe(true);
    const parsed = parse(exported.out, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(parsed[0] ?? {})).toEqual([...EXPORT_COLUMNS]);

    const expected: Record<string, string>[] = [];
    for (const week of WEEKS) {
      const shown = await cli('digest', 'show', '--channel', 'C0EXPORT', '--week', week, '--json');
      expect(shown.code).toBe(0);
      const data = JSON.parse(shown.out) as DigestData;
      for (const row of exportRows(data))
        expected.push(Object.fromEntries(EXPORT_COLUMNS.map((column) => [column, cell(row[column])])));
    }
    expect(parsed).toEqual(expected);
    // The figures themselves: W38's unit 8.0 / 5.0, W40's 8.0 / 7.0, and the desk's 7.0 against 8.0.
    expect(
      parsed.filter((row) => row.kind === 'unit').map((row) => [row.week, row.self, row.customer, row.gap]),
    ).toEqual([
      ['2026-W38', '8', '5', '-3'],
      ['2026-W40', '8', '7', '-1'],
    ]);
    expect(parsed.find((row) => row.kind === 'service_point')).toMatchObject({
      week: '2026-W40',
      name: "'+Desk",
      experience: '7',
      expectation: '8',
      expectation_gap: '-1',
    });
    // The small unit is in no row; its rounds are counted in its week's `all` row.
    expect(exported.out).not.toContain('Tiny branch');
    expect(parsed.find((row) => row.week === '2026-W39' && row.kind === 'all')).toMatchObject({
      rounds: '0',
      left_out: '2',
    });
    // No one's words.
    expect(exported.out).not.toMatch(/PRIVATE-WORDS/);
  });

  it('escapes names a spreadsheet would run as formulas, and only those', async () => {
    const exported = await cli(
      'digest',
      'export',
      '--channel',
      'C0EXPORT',
      '--from',
      '2026-W38',
      '--to',
      '2026-W40',
    );
    const parsed = parse(exported.out, { bom: true, columns: true }) as Record<string, string>[];
    const units = parsed.filter((row) => row.kind === 'unit');
    expect(units.every((row) => row.name === `'${FORMULA_UNIT}`)).toBe(true);
    for (const value of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(spreadsheetSafe(value)).toBe(`'${value}`);
    for (const value of ['Reference', '1', ' =x', "'already"]) expect(spreadsheetSafe(value)).toBe(value);
    expect(spreadsheetSafe(-1.5)).toBe(-1.5);
  });

  it('prints the same rows as JSON, and refuses ranges it cannot read', async () => {
    const exportsSoFar = async () =>
      JSON.parse((await cli('audit', 'list', '--kind', 'digest_exported', '--json')).out) as {
        actor: string;
        subject: string;
        rows: number;
        detail: Record<string, unknown>;
      }[];
    const before = (await exportsSoFar()).length;
    const csv = await cli(
      'digest',
      'export',
      '--channel',
      'C0EXPORT',
      '--from',
      '2026-W38',
      '--to',
      '2026-W40',
    );
    const json = await cli(
      'digest',
      'export',
      '--channel',
      'C0EXPORT',
      '--from',
      '2026-W38',
      '--to',
      '2026-W40',
      '--format',
      'json',
    );
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.out) as Record<string, unknown>[];
    expect(rows.map((row) => EXPORT_COLUMNS.map((column) => cell(row[column] as never)))).toEqual(
      (parse(csv.out, { bom: true, columns: true }) as Record<string, string>[]).map((row) =>
        EXPORT_COLUMNS.map((c) => row[c]),
      ),
    );
    const bad = await cli('digest', 'export', '--channel', 'C0EXPORT', '--from', '2026-02-31');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('“2026-02-31” is neither a date');
    const backwards = await cli(
      'digest',
      'export',
      '--channel',
      'C0EXPORT',
      '--from',
      '2026-W40',
      '--to',
      '2026-W38',
    );
    expect(backwards.err).toContain('ends before it starts');
    const unknown = await cli('digest', 'export', '--channel', 'C0NOTHING');
    expect(unknown.err).toContain('not subscribed');
    const format = await cli('digest', 'export', '--channel', 'C0EXPORT', '--format', 'xlsx');
    expect(format.code).not.toBe(0);
    // The two exports are in the audit log, newest first, by the operator; the refusals are not.
    const entries = await exportsSoFar();
    expect(entries).toHaveLength(before + 2);
    expect(entries.slice(0, 2)).toEqual(
      ['json', 'csv'].map((format) =>
        expect.objectContaining({
          actor: expect.stringMatching(/^cli:./),
          subject: 'C0EXPORT',
          rows: rows.length,
          detail: { from: '2026-W38', to: '2026-W40', format, sentTo: 'terminal' },
        }),
      ),
    );
  });
});

describe('the weeks of an export', () => {
  const now = new Date('2026-12-03T12:00:00Z');
  it('are the last 12 finished weeks by default, and never a week not over', () => {
    const weeks = exportWeeks({}, now, 'UTC');
    expect(weeks).toMatchObject({ ok: true });
    if (!weeks.ok) return;
    expect(weeks.weeks).toHaveLength(12);
    expect(weeks.weeks.at(-1)).toBe('2026-W48');
    expect(exportWeeks({ from: '2026-W47', to: '2026-W52' }, now, 'UTC')).toEqual({
      ok: true,
      weeks: ['2026-W47', '2026-W48'],
    });
    expect(exportWeeks({ from: '2020-01-01' }, now, 'UTC')).toMatchObject({
      ok: false,
      code: 'range_too_long',
    });
    expect(exportWeeks({ from: 'yesterday' }, now, 'UTC')).toMatchObject({
      ok: false,
      code: 'not_a_date_or_week',
    });
    expect(exportWeeks({ from: '2025-12-29', to: '2026-01-04' }, now, 'UTC')).toEqual({
      ok: true,
      weeks: ['2026-W01'],
    });
  });
});
