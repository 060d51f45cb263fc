import { toCsv } from '../../web/csv.ts';
import { parseCsv, type RowError } from '../people/import-staff.ts';
import { importDate } from '../../time/london.ts';
import { londonDate } from '../../time/london.ts';
import { courseKey } from './rules.ts';

/** Training completions CSV (docs/import-formats.md, "Training records"). */
export const TRAINING_COLUMNS = ['employee_number', 'course', 'completed_on', 'expires_on'] as const;
const REQUIRED = ['employee_number', 'course', 'completed_on'];
/** An optional fifth column: the certificate reference. */
const OPTIONAL = ['evidence'];

export const TRAINING_TEMPLATE = toCsv([
  [...TRAINING_COLUMNS, 'evidence'],
  ['E1003', 'E Learning Lone Working', '2026-01-12', '', 'ELN-44817'],
  ['E1003', 'KSCMP Personal Safety - Lone Worker', '14/01/2026', '14/01/2027', ''],
]);

export interface TrainingImportRow {
  line: number;
  staffId: number;
  courseId: number;
  completedOn: string;
  expiresOn: string | null;
  evidence: string | null;
}
export interface TrainingImportContext {
  /** Upper-cased employee number → staff id. */
  staff: Map<string, number>;
  /** courseKey(name) → course id (retired courses left out). */
  courses: Map<string, number>;
  /** Today in London: a completion may not be after it. */
  today?: string;
}

/** Every row is checked before anything is written; line numbers count the header as line 1. */
export function validateTrainingImport(
  text: string,
  ctx: TrainingImportContext,
): { rows: TrainingImportRow[]; errors: RowError[] } {
  const parsed = parseCsv(text);
  if ('error' in parsed) return { rows: [], errors: [{ line: 1, message: parsed.error }] };
  const missing = REQUIRED.filter((c) => !parsed.header.includes(c));
  if (missing.length)
    return {
      rows: [],
      errors: [
        {
          line: 1,
          message: `The header row is missing: ${missing.join(', ')}. Download the template to see the columns.`,
        },
      ],
    };
  const unknown = parsed.header.filter(
    (h) => !(TRAINING_COLUMNS as readonly string[]).includes(h) && !OPTIONAL.includes(h),
  );
  if (unknown.length) return { rows: [], errors: [{ line: 1, message: `Unknown columns: ${unknown.join(', ')}` }] };
  if (parsed.records.length === 0)
    return { rows: [], errors: [{ line: 2, message: 'The file has no rows to import' }] };
  if (parsed.records.length > 20000)
    return { rows: [], errors: [{ line: 1, message: 'Import at most 20,000 rows at a time' }] };

  const today = ctx.today ?? londonDate(new Date());
  const errors: RowError[] = [];
  const rows: TrainingImportRow[] = [];
  const seen = new Map<string, number>();
  parsed.records.forEach((record, i) => {
    const line = i + 2;
    if (record.length !== parsed.header.length) {
      errors.push({ line, message: `Expected ${parsed.header.length} values but found ${record.length}` });
      return;
    }
    const get = (c: string) => (record[parsed.header.indexOf(c)] ?? '').trim();
    const before = errors.length;
    const err = (message: string) => errors.push({ line, message });
    const number = get('employee_number');
    const staffId = number ? ctx.staff.get(number.toUpperCase()) : undefined;
    if (!number) err('employee_number is missing');
    else if (staffId === undefined) err(`employee ${number} is not in Harbour`);
    const courseName = get('course');
    const courseId = courseName ? ctx.courses.get(courseKey(courseName)) : undefined;
    if (!courseName) err('course is missing');
    else if (courseId === undefined) err(`course "${courseName}" is not a course in Harbour`);
    const date = (c: string) => {
      const v = get(c);
      if (!v) return null;
      const d = importDate(v);
      if (!d) err(`${c} "${v}" is not a date (use YYYY-MM-DD or DD/MM/YYYY)`);
      return d;
    };
    const completedOn = date('completed_on');
    if (!get('completed_on')) err('completed_on is missing');
    else if (completedOn && completedOn > today) err(`completed_on ${completedOn} must not be in the future`);
    const expiresOn = parsed.header.includes('expires_on') ? date('expires_on') : null;
    if (completedOn && expiresOn && expiresOn <= completedOn) err('expires_on must be after completed_on');
    const evidence = get('evidence') || null;
    if (evidence && evidence.length > 200) err('evidence must be 200 characters or fewer');
    if (staffId !== undefined && courseId !== undefined && completedOn) {
      const key = `${staffId}:${courseId}:${completedOn}`;
      const other = seen.get(key);
      if (other) err(`the same completion is on line ${other} too`);
      else seen.set(key, line);
    }
    if (errors.length === before)
      rows.push({ line, staffId: staffId!, courseId: courseId!, completedOn: completedOn!, expiresOn, evidence });
  });
  return { rows, errors };
}
