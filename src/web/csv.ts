import { stringify } from 'csv-stringify/sync';

/** A cell a spreadsheet would read as a formula or command (OWASP CSV injection). */
const DANGEROUS_START = /^[=+\-@\t\r]/;
/** A plain number, negative or not, which a spreadsheet should still read as a number. */
const NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One cell made safe to open in Excel, LibreOffice or Google Sheets: text starting with `=`, `+`,
 * `-`, `@`, a tab or a carriage return gets a leading `'`, so it is shown as text and never run.
 * Numbers (negative ones too) stay numbers.
 */
export function neutraliseCell(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (NUMBER.test(value) || !DANGEROUS_START.test(value)) return value;
  return `'${value}`;
}

/** Every CSV Harbour sends: rows of cells, each neutralised, quoted where needed. */
export function toCsv(rows: readonly (readonly unknown[])[]): string {
  return stringify(rows.map((row) => row.map(neutraliseCell)));
}

/** A CSV to download, starting with a UTF-8 byte order mark so Excel reads it as UTF-8 and shows "£". */
export function toCsvDownload(rows: readonly (readonly unknown[])[]): string {
  return `\uFEFF${toCsv(rows)}`;
}
