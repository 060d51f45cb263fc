import { toCsv } from '../../web/csv.ts';
import type { RowError } from '../people/import-staff.ts';
import { parseImportFile } from '../imports/file.ts';
import { isoDate, londonToUtc } from '../../time/london.ts';
import {
  CATEGORIES,
  COURT_OUTCOMES,
  LEGAL_ACTIONS,
  PERPETRATOR_TYPES,
  POLICE_OUTCOMES,
  VERBAL_CHANNELS,
  type Category,
  type LegalAction,
} from './rules.ts';

/** The columns of the historic incidents import, in template order. Documented in docs/import-formats.md. */
export const INCIDENT_COLUMNS = [
  'reference',
  'occurred_date',
  'occurred_time',
  'employee_number',
  'location',
  'building',
  'lone_working',
  'categories',
  'verbal_channel',
  'perpetrator_type',
  'injured',
  'injury_nature',
  'days_off',
  'specified_injury',
  'narrative',
  'police_reported',
  'police_reported_on',
  'crime_reference',
  'police_outcome',
  'court_outcome',
  'hse_reference',
  'hse_reported_on',
  'status',
  'actions_taken',
] as const;
const REQUIRED = ['reference', 'occurred_date', 'employee_number', 'location', 'categories', 'narrative'] as const;

export const INCIDENT_TEMPLATE = toCsv([
  [...INCIDENT_COLUMNS],
  [
    'HS157-2024-0012',
    '2024-03-14',
    '15:30',
    'E1001',
    '12 Park Road, Ashford',
    '',
    'yes',
    'physical_assault;verbal_abuse',
    'face_to_face',
    'parent_carer',
    'yes',
    'Bruised arm',
    '2',
    'no',
    'Pushed against a door frame during a home visit',
    'yes',
    '2024-03-14',
    'KE/12345/24',
    'charged',
    'convicted',
    '',
    '',
    'closed',
    'warning_letter|2024-03-20;contact_ban|2024-04-01|2024-10-01',
  ],
]);

export interface ImportedIncident {
  line: number;
  reference: string;
  occurredAt: Date;
  employeeId: number;
  location: string;
  buildingId: number | null;
  loneWorking: boolean | null;
  categories: Category[];
  verbalChannel: string | null;
  perpetratorType: string | null;
  injured: boolean | null;
  injuryNature: string | null;
  daysOff: number | null;
  specifiedInjury: boolean;
  narrative: string;
  policeReported: boolean | null;
  policeReportedOn: string | null;
  crimeReference: string | null;
  policeOutcome: string | null;
  courtOutcome: string | null;
  hseReference: string | null;
  hseReportedOn: string | null;
  status: 'open' | 'closed';
  /** Actions taken against the perpetrator (`actions_taken`): a warning letter, a ban on contact, an injunction. */
  actionsTaken: { kind: LegalAction; actionOn: string; endsOn: string | null }[];
}

export interface IncidentImportContext {
  staff: Map<string, number>;
  buildings: Map<string, number>;
  references: Set<string>;
}

/** A key or its label, any case: "Physical assault" or "physical_assault". */
function lookup(labels: Record<string, string>, value: string): string | null {
  const v = value.trim().toLowerCase();
  for (const [key, label] of Object.entries(labels)) if (key === v || label.toLowerCase() === v) return key;
  return null;
}

const YES = ['yes', 'y', 'true'];
const NO = ['no', 'n', 'false'];

/**
 * Checks every row of a historic incidents CSV before anything is written, so the import applies
 * whole or not at all. Line numbers count the header as line 1. At most 5,000 rows.
 */
export function validateIncidentImport(
  text: string,
  ctx: IncidentImportContext,
  today: string,
): { rows: ImportedIncident[]; errors: RowError[] } {
  const { parsed, errors: fileErrors } = parseImportFile(text, REQUIRED, INCIDENT_COLUMNS);
  if (!parsed) return { rows: [], errors: fileErrors };

  const errors: RowError[] = [];
  const rows: ImportedIncident[] = [];
  const seen = new Map<string, number>();
  parsed.records.forEach((record, i) => {
    const line = i + 2;
    if (record.length !== parsed.header.length) {
      errors.push({ line, message: `Expected ${parsed.header.length} values but found ${record.length}` });
      return;
    }
    const cell = (c: string) => (record[parsed.header.indexOf(c)] ?? '').trim();
    const problems: string[] = [];
    const yesNo = (c: string): boolean | null => {
      const v = cell(c).toLowerCase();
      if (!v) return null;
      if (YES.includes(v)) return true;
      if (NO.includes(v)) return false;
      problems.push(`${c} must be yes or no`);
      return null;
    };
    const day = (c: string): string | null => {
      const v = cell(c);
      if (!v) return null;
      const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? isoDate(v.slice(8, 10), v.slice(5, 7), v.slice(0, 4)) : null;
      if (!iso) problems.push(`${c} must be a date like 2024-03-14`);
      else if (iso > today) problems.push(`${c} must not be in the future`);
      return iso;
    };
    const choice = (c: string, labels: Record<string, string>): string | null => {
      const v = cell(c);
      if (!v) return null;
      const key = lookup(labels, v);
      if (!key) problems.push(`${c} "${v}" is not one of: ${Object.keys(labels).join(', ')}`);
      return key;
    };

    const reference = cell('reference');
    if (!reference) problems.push('reference is missing');
    else if (reference.length > 60) problems.push('reference must be 60 characters or fewer');
    else if (ctx.references.has(reference.toUpperCase()))
      problems.push(`reference ${reference} has already been imported`);
    else if (seen.has(reference.toUpperCase()))
      problems.push(
        `reference ${reference} appears more than once (also on line ${seen.get(reference.toUpperCase())})`,
      );
    if (reference) seen.set(reference.toUpperCase(), seen.get(reference.toUpperCase()) ?? line);

    const date = cell('occurred_date') ? day('occurred_date') : (problems.push('occurred_date is missing'), null);
    const time = cell('occurred_time') || '12:00';
    if (!/^([01]?\d|2[0-3]):[0-5]\d$/.test(time)) problems.push('occurred_time must be a 24-hour time like 14:30');
    const occurredAt =
      date && /^([01]?\d|2[0-3]):[0-5]\d$/.test(time) ? londonToUtc(date, time.padStart(5, '0')) : null;
    if (date && /^([01]?\d|2[0-3]):[0-5]\d$/.test(time) && !occurredAt)
      problems.push('occurred_time does not exist in the UK on that day because the clocks went forward');

    const number = cell('employee_number');
    const employeeId = number ? (ctx.staff.get(number.toUpperCase()) ?? null) : null;
    if (!number) problems.push('employee_number is missing');
    else if (employeeId === null) problems.push(`employee_number ${number} is not in Harbour`);

    const location = cell('location');
    if (!location) problems.push('location is missing');
    else if (location.length > 300) problems.push('location must be 300 characters or fewer');
    const buildingName = cell('building');
    const buildingId = buildingName ? (ctx.buildings.get(buildingName.toLowerCase()) ?? null) : null;
    if (buildingName && buildingId === null) problems.push(`building "${buildingName}" does not exist`);

    const categories: Category[] = [];
    const rawCategories = cell('categories')
      .split(/[;|]/)
      .map((c) => c.trim())
      .filter(Boolean);
    if (!rawCategories.length) problems.push('categories is missing: give one or more, separated by semicolons');
    for (const c of rawCategories) {
      const key = lookup(CATEGORIES, c);
      if (key) categories.push(key as Category);
      else problems.push(`category "${c}" is not recognised`);
    }
    const verbalChannel = choice('verbal_channel', VERBAL_CHANNELS);
    if (categories.includes('verbal_abuse') && !verbalChannel && !problems.some((p) => p.startsWith('verbal_channel')))
      problems.push('verbal_channel is needed for verbal abuse or harassment');
    const perpetratorType = choice('perpetrator_type', PERPETRATOR_TYPES);
    const loneWorking = yesNo('lone_working');
    const injured = yesNo('injured');
    const injuryNature = cell('injury_nature') || null;
    const rawDays = cell('days_off');
    const daysOff =
      rawDays === ''
        ? null
        : /^\d{1,3}$/.test(rawDays) && Number(rawDays) <= 366
          ? Number(rawDays)
          : (problems.push('days_off must be a whole number from 0 to 366'), null);
    const specifiedInjury = yesNo('specified_injury') ?? false;
    const narrative = cell('narrative');
    if (!narrative) problems.push('narrative is missing');
    const policeReported = yesNo('police_reported');
    const policeReportedOn = day('police_reported_on');
    const crimeReference = cell('crime_reference') || null;
    const policeOutcome = choice('police_outcome', POLICE_OUTCOMES);
    const courtOutcome = choice('court_outcome', COURT_OUTCOMES);
    if (policeReported !== true && (policeReportedOn || crimeReference || policeOutcome || courtOutcome))
      problems.push('police_reported must be yes when a police date, reference or outcome is given');
    if (courtOutcome && policeOutcome !== 'charged') problems.push('court_outcome needs police_outcome charged');
    const hseReference = cell('hse_reference') || null;
    const hseReportedOn = day('hse_reported_on');
    const status = cell('status').toLowerCase() || 'closed';
    if (status !== 'open' && status !== 'closed') problems.push('status must be open or closed');

    // Entries separated by ';', each kind|date|ends_on (ends_on optional).
    const actionsTaken: ImportedIncident['actionsTaken'] = [];
    for (const entry of cell('actions_taken')
      .split(';')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const [kindText = '', on = '', ends = ''] = entry.split('|').map((p) => p.trim());
      const kind = lookup(LEGAL_ACTIONS, kindText) as LegalAction | null;
      if (!kind)
        problems.push(
          `actions_taken: "${kindText}" must be one of ${Object.keys(LEGAL_ACTIONS).join(', ')} (kind|date|ends_on)`,
        );
      const date = (v: string, what: string) => {
        if (!v) return null;
        const iso = /^\d{4}-\d{2}-\d{2}$/.test(v) ? isoDate(v.slice(8, 10), v.slice(5, 7), v.slice(0, 4)) : null;
        if (!iso) problems.push(`actions_taken: ${what} "${v}" must be a date like 2024-03-14`);
        return iso;
      };
      const actionOn = date(on, `the date of ${kindText}`);
      if (!on) problems.push(`actions_taken: the date of ${kindText || 'an action'} is missing (kind|date|ends_on)`);
      else if (actionOn && actionOn > today)
        problems.push(`actions_taken: the date of ${kindText} must not be in the future`);
      const endsOn = date(ends, `the end of ${kindText}`);
      if (actionOn && endsOn && endsOn < actionOn) problems.push(`actions_taken: ${kindText} ends before it starts`);
      if (kind && actionOn) actionsTaken.push({ kind, actionOn, endsOn });
    }

    if (problems.length) {
      for (const message of problems) errors.push({ line, message });
      return;
    }
    rows.push({
      line,
      reference,
      occurredAt: occurredAt!,
      employeeId: employeeId!,
      location,
      buildingId,
      loneWorking,
      categories,
      verbalChannel: categories.includes('verbal_abuse') ? verbalChannel : null,
      perpetratorType,
      injured,
      injuryNature,
      daysOff,
      specifiedInjury,
      narrative,
      policeReported,
      policeReportedOn,
      crimeReference,
      policeOutcome,
      courtOutcome,
      hseReference,
      hseReportedOn,
      status: status as 'open' | 'closed',
      actionsTaken,
    });
  });
  errors.sort((a, b) => a.line - b.line);
  return { rows, errors };
}
