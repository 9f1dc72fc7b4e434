import { stringify } from 'csv-stringify/sync';

/**
 * A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage return
 * first) gets a leading apostrophe, so a unit, service or answer beginning `=HYPERLINK(...)` stays
 * text. Numbers are numbers, and stay as they are.
 */
export function spreadsheetSafe(value: string | number | null | undefined): string | number | null {
  if (value === undefined) return null;
  if (typeof value !== 'string') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Rows as CSV for spreadsheets: a byte order mark, a header, CRLF line ends, every text cell made safe. */
export function spreadsheetCsv<C extends string>(
  columns: readonly C[],
  rows: readonly Record<C, string | number | null | undefined>[],
): string {
  return stringify(
    rows.map((row) => columns.map((column) => spreadsheetSafe(row[column]))),
    { header: true, columns: [...columns], bom: true, record_delimiter: 'windows' },
  );
}
