import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors.ts';
import { fieldLabel, fieldErrors, optionalId, optionalText, requiredText } from '../../web/validation.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { isoDate, londonToUtc } from '../../time/london.ts';
import { normaliseCaseId } from '../risk/rules.ts';
import {
  CATEGORY_KEYS,
  PERPETRATOR_TYPES,
  SUPPORT_KEYS,
  VERBAL_CHANNELS,
  type Category,
  type PerpetratorType,
  type SupportItem,
  type SupportStatus,
  type VerbalChannel,
} from './rules.ts';

// The report form (HS157), its drafts and the manager's response; and the form helpers the follow-up and statistics schemas share.

export type Body = Record<string, unknown>;
export const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim() : '');

/** A checkbox group posts one string or several. */
export const listOf = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );

/**
 * Date boxes (`<prefix>-day/-month/-year`) and a 24-hour time (`<prefix>-time`) typed in London, for
 * an event named as people say it ("the incident", "the meeting"). All empty → null (or an error if
 * required). Errors link to the day box or the time box.
 */
export function dateTime(
  body: Body,
  prefix: string,
  event: string,
  required: boolean,
): { value: Date | null; error: FieldError | null } {
  const [d, m, y, t] = [
    str(body, `${prefix}-day`),
    str(body, `${prefix}-month`),
    str(body, `${prefix}-year`),
    str(body, `${prefix}-time`),
  ];
  if (!d && !m && !y && !t)
    return {
      value: null,
      error: required ? { field: `${prefix}-day`, message: `Enter the date and time of ${event}` } : null,
    };
  const iso = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  if (!iso)
    return {
      value: null,
      error: { field: `${prefix}-day`, message: `The date of ${event} must be a real date, for example 27 3 2026` },
    };
  if (!/^([01]?\d|2[0-3]):[0-5]\d$/.test(t))
    return {
      value: null,
      error: {
        field: `${prefix}-time`,
        message: `Enter the time of ${event} using the 24-hour clock, for example 14:30`,
      },
    };
  const at = londonToUtc(iso, t.padStart(5, '0'));
  return at
    ? { value: at, error: null }
    : {
        value: null,
        error: {
          field: `${prefix}-time`,
          message: 'That time does not exist in the UK on that day because the clocks went forward',
        },
      };
}

const yesNo = (message: string) => z.enum(['yes', 'no'], { error: message }).transform((v) => v === 'yes');
export const optionalYesNo = z
  .union([z.literal(''), z.enum(['yes', 'no'])])
  .optional()
  .transform((v) => (v ? v === 'yes' : null));
export const caseSystems = Object.keys(CASE_SYSTEMS) as [string, ...string[]];

export const reportFields = z.object({
  employeeId: optionalId('Select who the incident happened to'),
  visitId: optionalId(),
  alertId: optionalId(),
  buildingId: optionalId('Select a building from the list'),
  location: requiredText('Enter where it happened, for example the address or building', 300),
  loneWorking: yesNo('Select yes if you were working alone'),
  verbalChannel: z
    .union([z.literal(''), z.enum(Object.keys(VERBAL_CHANNELS) as [VerbalChannel, ...VerbalChannel[]])])
    .optional()
    .transform((v) => (v ? v : null)),
  perpetratorType: z.enum(Object.keys(PERPETRATOR_TYPES) as [PerpetratorType, ...PerpetratorType[]], {
    error: 'Select who did it',
  }),
  perpetratorCaseSystem: z
    .union([z.literal(''), z.enum(caseSystems, { error: 'Select the case system' })])
    .optional()
    .transform((v) => v || null),
  perpetratorCaseId: z
    .string()
    .trim()
    .max(40, 'Case ID must be 40 characters or fewer')
    .regex(/^[A-Za-z0-9/ -]*$/, 'Case ID must only include letters, numbers, spaces, hyphens and slashes')
    .optional()
    .transform((v) => normaliseCaseId(v)),
  othersPresent: optionalText(2000),
  witnesses: optionalText(2000),
  injured: yesNo('Select yes if anyone was injured'),
  injuryNature: optionalText(500),
  injuryBodyPart: optionalText(200),
  firstAid: optionalYesNo,
  hospital: optionalYesNo,
  daysOff: z
    .union([
      z.literal(''),
      z.coerce
        .number({ error: 'Days off work must be a whole number, like 0 or 3' })
        .int('Days off work must be a whole number, like 0 or 3')
        .min(0, 'Days off work cannot be negative')
        .max(366, 'Days off work must be 366 or fewer'),
    ])
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v)),
  narrative: requiredText('Describe what happened', 10000),
});

export interface ReportForm extends Omit<z.output<typeof reportFields>, 'employeeId'> {
  employeeId: number | null;
  occurredAt: Date;
  categories: Category[];
}

/** Parses a report to be submitted: every problem at once, each linked to its field. */
export function parseReportForm(body: unknown, now = new Date()): ReportForm {
  const input = (body ?? {}) as Body;
  const result = reportFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const when = dateTime(input, 'occurred', 'the incident', true);
  if (when.error) errors.push(when.error);
  else if (when.value && when.value.getTime() > now.getTime() + 5 * 60_000)
    errors.push({ field: 'occurred-day', message: 'The date and time of the incident must be in the past' });
  const categories = listOf(input.categories);
  if (!categories.length) errors.push({ field: 'categories', message: 'Select at least one kind of incident' });
  else if (categories.some((c) => !(CATEGORY_KEYS as string[]).includes(c)))
    errors.push({ field: 'categories', message: 'Select the kinds of incident from the list' });
  // Checked on the raw input too, so they are reported alongside every other problem.
  if (categories.includes('verbal_abuse') && !str(input, 'verbalChannel'))
    errors.push({ field: 'verbalChannel', message: 'Select how the verbal abuse or harassment was made' });
  if (str(input, 'injured') === 'yes' && !str(input, 'injuryNature'))
    errors.push({ field: 'injuryNature', message: 'Enter the nature of the injury' });
  if (result.success && (result.data.perpetratorCaseSystem === null) !== (result.data.perpetratorCaseId === null)) {
    errors.push(
      result.data.perpetratorCaseId
        ? { field: 'perpetratorCaseSystem', message: 'Select the case system for the case ID' }
        : { field: 'perpetratorCaseId', message: 'Enter the case ID, or choose no case system' },
    );
  }
  if (errors.length || !result.success) throw new ValidationError(errors);
  return {
    ...result.data,
    occurredAt: when.value!,
    categories: categories as Category[],
    verbalChannel: categories.includes('verbal_abuse') ? result.data.verbalChannel : null,
  };
}

/** Fields too long to keep, each named: a draft keeps what was typed only within these limits. */
export function draftProblems(body: unknown): FieldError[] {
  return Object.entries((body ?? {}) as Body)
    .filter(
      ([key, value]) =>
        /^[A-Za-z][A-Za-z0-9-]{0,40}$/.test(key) &&
        (Array.isArray(value) ? listOf(value).join('') : typeof value === 'string' ? value : '').length >
          DRAFT_FIELD_MAX,
    )
    .map(([key]) => ({
      field: key,
      message: `${fieldLabel(key)} must be ${DRAFT_FIELD_MAX.toLocaleString('en-GB')} characters or fewer`,
    }));
}
const DRAFT_FIELD_MAX = 10_000;

/** What a draft keeps: every field exactly as typed (strings, or lists for checkboxes), within size limits. */
export function draftValues(body: unknown): Record<string, string | string[]> {
  const problems = draftProblems(body);
  if (problems.length) throw new ValidationError(problems);
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries((body ?? {}) as Body)) {
    if (key === '_csrf' || key === 'action' || !/^[A-Za-z][A-Za-z0-9-]{0,40}$/.test(key)) continue;
    const v = Array.isArray(value) ? listOf(value) : typeof value === 'string' ? value : null;
    if (v !== null) out[key] = v;
  }
  return out;
}

export interface ResponseForm {
  meetingHeldAt: Date | null;
  debriefAt: Date | null;
  policeRightToldAt: Date | null;
  support: Partial<Record<SupportItem, SupportStatus>>;
  notes: string | null;
}

const supportStatus = z
  .union([
    z.literal(''),
    z.enum(['offered', 'accepted', 'declined'], { error: 'Select offered, accepted or declined' }),
  ])
  .optional();
const responseFields = z.object({
  notes: optionalText(5000),
  ...Object.fromEntries(SUPPORT_KEYS.map((k) => [`support-${k}`, supportStatus])),
});

/** The manager's response: dates parsed here; the debrief window is checked by the service against the incident. */
export function parseResponseForm(body: unknown): ResponseForm {
  const input = (body ?? {}) as Body;
  const result = responseFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const meeting = dateTime(input, 'meeting', 'the meeting', false);
  const debrief = dateTime(input, 'debrief', 'the Support Line debrief', false);
  const police = dateTime(input, 'policeTold', 'telling them of their right to report to the police', false);
  for (const e of [meeting.error, debrief.error, police.error]) if (e) errors.push(e);
  if (errors.length || !result.success) throw new ValidationError(errors);
  const data = result.data as Record<string, string | null | undefined>;
  const support: Partial<Record<SupportItem, SupportStatus>> = {};
  for (const k of SUPPORT_KEYS) {
    const v = data[`support-${k}`];
    if (v) support[k] = v as SupportStatus;
  }
  return {
    meetingHeldAt: meeting.value,
    debriefAt: debrief.value,
    policeRightToldAt: police.value,
    support,
    notes: (data.notes as string | null | undefined) ?? null,
  };
}

/** Date boxes only (`<prefix>-day/-month/-year`) → yyyy-mm-dd, or null when all empty. */
export function dateOnly(
  body: Body,
  prefix: string,
  label: string,
  required: boolean,
): { value: string | null; error: FieldError | null } {
  const [d, m, y] = [str(body, `${prefix}-day`), str(body, `${prefix}-month`), str(body, `${prefix}-year`)];
  if (!d && !m && !y)
    return { value: null, error: required ? { field: `${prefix}-day`, message: `Enter the ${label}` } : null };
  const iso = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  return iso
    ? { value: iso, error: null }
    : {
        value: null,
        error: { field: `${prefix}-day`, message: `The ${label} must be a real date, for example 27 3 2026` },
      };
}

export function finish<T>(errors: FieldError[], value: () => T): T {
  if (errors.length) throw new ValidationError(errors);
  return value();
}

export const optionalEnum = <K extends string>(keys: readonly K[], message: string) =>
  z
    .union([z.literal(''), z.enum(keys as [K, ...K[]], { error: message })])
    .optional()
    .transform((v) => (v ? v : null));
