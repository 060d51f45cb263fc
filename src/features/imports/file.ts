import { parseCsv, type RowError } from '../people/import-staff.ts';

/** An import says how far it has got after every this many rows written. */
export const IMPORT_PROGRESS_EVERY = 100;
/** Told the rows written so far inside the import's transaction, and how many there are. */
export type ImportProgress = (written: number, total: number) => Promise<void> | void;

/** Writes checked rows through `write` a hundred at a time, telling `onProgress` after each hundred (one transaction: the CLI). */
export async function writeInHundreds<R>(rows: R[], write: (batch: R[]) => Promise<void>, onProgress?: ImportProgress) {
  for (let written = 0; written < rows.length;) {
    const batch = rows.slice(written, written + IMPORT_PROGRESS_EVERY);
    await write(batch);
    written += batch.length;
    await onProgress?.(written, rows.length);
  }
}

/** The most rows one historic import takes. */
export const MAX_IMPORT_ROWS = 5000;

type Parsed = { header: string[]; records: string[][] };

/**
 * Parses an import CSV and checks its shape, reporting every header problem together (columns
 * missing and columns not recognised) rather than one per upload. Rows are checked by the caller.
 */
export function parseImportFile(
  text: string,
  required: readonly string[],
  columns: readonly string[],
): { parsed: Parsed | null; errors: RowError[] } {
  const parsed = parseCsv(text);
  if ('error' in parsed) return { parsed: null, errors: [{ line: 1, message: parsed.error }] };
  const errors: RowError[] = [];
  const missing = required.filter((c) => !parsed.header.includes(c));
  if (missing.length)
    errors.push({
      line: 1,
      message: `The header row is missing: ${missing.join(', ')}. Download the template to see the columns.`,
    });
  const unknown = parsed.header.filter((h) => !columns.includes(h));
  if (unknown.length) errors.push({ line: 1, message: `Unknown columns: ${unknown.join(', ')}` });
  if (parsed.records.length === 0) errors.push({ line: 2, message: 'The file has no rows to import' });
  if (parsed.records.length > MAX_IMPORT_ROWS)
    errors.push({
      line: 1,
      message: `Import at most 5,000 rows at a time (this file has ${parsed.records.length.toLocaleString('en-GB')})`,
    });
  return { parsed: errors.length ? null : parsed, errors };
}

/** How many data rows a CSV has, for the progress page before the job has started. */
export function rowCount(text: string): number {
  const parsed = parseCsv(text);
  return 'error' in parsed ? 0 : parsed.records.length;
}

export { lockImports } from './repository.ts';

/** The problem an import is given while another of its kind is still writing its rows. */
export const importBusy = (kind: 'incidents' | 'complaints', job: { id: number; file_name: string }): RowError => ({
  line: 0,
  message: `Another import of ${kind} (${job.file_name}) is still being written. Try again when it has finished.`,
});
