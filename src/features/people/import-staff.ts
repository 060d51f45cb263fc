import { parse } from 'csv-parse/sync';
import { toCsv } from '../../web/csv.ts';
import { z } from 'zod';
import { parseJobRole, type JobRole } from './job-roles.ts';
import { email, optionalPhone, requiredText } from '../../web/validation.ts';
import { importDate } from '../../time/london.ts';

/** The columns of the staff and teams import, in template order. Documented in docs/import-formats.md. */
export const STAFF_COLUMNS = [
  'employee_number',
  'given_name',
  'family_name',
  'email',
  'job_role',
  'team',
  'service',
  'line_manager_employee_number',
  'buddy_employee_number',
  'work_mobile',
  'personal_mobile',
  'out_of_hours_phone',
  'base_building',
  'active',
  'normal_retirement_on',
] as const;

export const STAFF_TEMPLATE = toCsv([
  [...STAFF_COLUMNS],
  [
    'E1001',
    'Sam',
    'Taylor',
    'sam.taylor@example.org',
    'Social worker',
    'Ashford Children in Care',
    'Children in Care',
    'E0901',
    'E1002',
    '07700 900 101',
    '',
    '',
    'Civic Centre',
    'yes',
    '2052-04-30',
  ],
]);

export interface ImportRow {
  line: number;
  employeeNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  jobRole: JobRole;
  team: string | null;
  service: string | null;
  lineManager: string | null;
  buddy: string | null;
  workMobile: string | null;
  personalMobile: string | null;
  outOfHoursPhone: string | null;
  baseBuilding: string | null;
  active: boolean;
  /** From HR: how long allegations about them are kept (issue 20). Null: blank or not in the file, left as it is. */
  retirementOn: string | null;
}

export interface RowError {
  line: number;
  message: string;
}

/** What the database already holds, for resolving names and numbers in the file. */
export interface ImportContext {
  teams: Map<string, { id: number; serviceId: number }>;
  services: Map<string, number>;
  buildings: Map<string, number>;
  /** employee number → existing staff (team id needed for the buddy rule). */
  staff: Map<string, { id: number; email: string; teamName: string | null }>;
  emails: Map<string, string>;
}

const rowSchema = z.object({
  employee_number: requiredText('employee_number is missing', 20).regex(
    /^[A-Za-z0-9-]+$/,
    'employee_number must only include letters, numbers and hyphens',
  ),
  given_name: requiredText('given_name is missing', 100),
  family_name: requiredText('family_name is missing', 100),
  email: email('email is not a valid email address'),
  job_role: z.string().transform((v, ctx) => {
    const role = parseJobRole(v ?? '');
    if (!role) ctx.addIssue({ code: 'custom', message: `job_role "${v}" is not a recognised job role` });
    return role as JobRole;
  }),
  team: z.string().trim().optional(),
  service: z.string().trim().optional(),
  line_manager_employee_number: z.string().trim().optional(),
  buddy_employee_number: z.string().trim().optional(),
  work_mobile: optionalPhone('work_mobile is not a valid telephone number'),
  personal_mobile: optionalPhone('personal_mobile is not a valid telephone number'),
  out_of_hours_phone: optionalPhone('out_of_hours_phone is not a valid telephone number'),
  base_building: z.string().trim().optional(),
  active: z
    .string()
    .trim()
    .toLowerCase()
    .optional()
    .refine((v) => !v || ['yes', 'no', 'true', 'false', 'y', 'n'].includes(v), 'active must be yes or no')
    .transform((v) => !v || ['yes', 'true', 'y'].includes(v)),
  normal_retirement_on: z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const iso = importDate(v);
      if (!iso)
        ctx.addIssue({
          code: 'custom',
          message: `normal_retirement_on "${v}" is not a date (use YYYY-MM-DD or DD/MM/YYYY)`,
        });
      return iso;
    }),
});

export function parseCsv(text: string): { header: string[]; records: string[][] } | { error: string } {
  try {
    const rows = parse(text.replace(/^\uFEFF/, ''), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    }) as string[][];
    if (rows.length === 0) return { error: 'The file is empty' };
    return { header: rows[0]!.map((h) => h.trim().toLowerCase()), records: rows.slice(1) };
  } catch (e) {
    return { error: `The file is not valid CSV: ${(e as Error).message}` };
  }
}

/**
 * Checks every row before anything is written, so an import either applies whole or not at all.
 * Line numbers count the header as line 1, as a spreadsheet shows them.
 */
export function validateStaffImport(text: string, ctx: ImportContext): { rows: ImportRow[]; errors: RowError[] } {
  const parsed = parseCsv(text);
  if ('error' in parsed) return { rows: [], errors: [{ line: 1, message: parsed.error }] };
  const missing = STAFF_COLUMNS.slice(0, 5).filter((c) => !parsed.header.includes(c));
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
  const unknown = parsed.header.filter((h) => !(STAFF_COLUMNS as readonly string[]).includes(h));
  if (unknown.length) return { rows: [], errors: [{ line: 1, message: `Unknown columns: ${unknown.join(', ')}` }] };
  if (parsed.records.length === 0)
    return { rows: [], errors: [{ line: 2, message: 'The file has no rows to import' }] };
  if (parsed.records.length > 5000)
    return { rows: [], errors: [{ line: 1, message: 'Import at most 5,000 rows at a time' }] };

  const errors: RowError[] = [];
  const rows: ImportRow[] = [];
  parsed.records.forEach((record, i) => {
    const line = i + 2;
    if (record.length !== parsed.header.length) {
      errors.push({ line, message: `Expected ${parsed.header.length} values but found ${record.length}` });
      return;
    }
    const obj = Object.fromEntries(parsed.header.map((h, j) => [h, record[j]]));
    const r = rowSchema.safeParse(obj);
    if (!r.success) {
      for (const issue of r.error.issues) errors.push({ line, message: issue.message });
      return;
    }
    const v = r.data;
    rows.push({
      line,
      employeeNumber: v.employee_number,
      givenName: v.given_name,
      familyName: v.family_name,
      email: v.email,
      jobRole: v.job_role,
      team: v.team || null,
      service: v.service || null,
      lineManager: v.line_manager_employee_number || null,
      buddy: v.buddy_employee_number || null,
      workMobile: v.work_mobile,
      personalMobile: v.personal_mobile,
      outOfHoursPhone: v.out_of_hours_phone,
      baseBuilding: v.base_building || null,
      active: v.active,
      retirementOn: v.normal_retirement_on,
    });
  });

  // Cross-row and database checks.
  const inFile = new Map<string, ImportRow>();
  const emailsInFile = new Map<string, string>();
  for (const row of rows) {
    const key = row.employeeNumber.toUpperCase();
    if (inFile.has(key))
      errors.push({
        line: row.line,
        message: `employee_number ${row.employeeNumber} appears more than once (also on line ${inFile.get(key)!.line})`,
      });
    else inFile.set(key, row);
    const owner = emailsInFile.get(row.email);
    if (owner && owner !== key)
      errors.push({ line: row.line, message: `email ${row.email} is used by more than one row` });
    emailsInFile.set(row.email, key);
    const existingOwner = ctx.emails.get(row.email);
    if (existingOwner && existingOwner.toUpperCase() !== key)
      errors.push({ line: row.line, message: `email ${row.email} already belongs to employee ${existingOwner}` });
    if (row.team && !ctx.teams.has(row.team.toLowerCase())) {
      if (!row.service)
        errors.push({ line: row.line, message: `team "${row.team}" does not exist; give its service to create it` });
      else if (!ctx.services.has(row.service.toLowerCase()))
        errors.push({ line: row.line, message: `service "${row.service}" does not exist` });
    }
    if (row.baseBuilding && !ctx.buildings.has(row.baseBuilding.toLowerCase()))
      errors.push({ line: row.line, message: `base_building "${row.baseBuilding}" does not exist` });
  }
  const teamOf = (number: string): string | null => {
    const f = inFile.get(number.toUpperCase());
    if (f) return f.team?.toLowerCase() ?? null;
    return ctx.staff.get(number.toUpperCase())?.teamName?.toLowerCase() ?? null;
  };
  const exists = (number: string) => inFile.has(number.toUpperCase()) || ctx.staff.has(number.toUpperCase());
  for (const row of rows) {
    if (row.lineManager) {
      if (row.lineManager.toUpperCase() === row.employeeNumber.toUpperCase())
        errors.push({ line: row.line, message: 'line_manager_employee_number cannot be the person themselves' });
      else if (!exists(row.lineManager))
        errors.push({ line: row.line, message: `line manager ${row.lineManager} is not in the file or in Harbour` });
    }
    if (row.buddy) {
      if (row.buddy.toUpperCase() === row.employeeNumber.toUpperCase())
        errors.push({ line: row.line, message: 'buddy_employee_number cannot be the person themselves' });
      else if (!exists(row.buddy))
        errors.push({ line: row.line, message: `buddy ${row.buddy} is not in the file or in Harbour` });
      else if (!row.team || teamOf(row.buddy) !== row.team.toLowerCase())
        errors.push({ line: row.line, message: `buddy ${row.buddy} must be in the same team` });
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors };
}
