import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors.ts';
import { fieldLabel, fieldErrors, optionalId, optionalText, parseWith, postcode, requiredText } from '../../web/validation.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import { isoDate, londonToUtc } from '../../time/london.ts';
import { FLAG_CATEGORIES, normaliseCaseId, normalisePostcode, type FlagCategory } from '../risk/rules.ts';
import type { StatsFilter } from './statistics-repository.ts';
import {
  COURT_OUTCOMES, FLAG_SUBJECTS, LEGAL_ACTIONS, POLICE_OUTCOMES, type CourtOutcome, type FlagSubject, type LegalAction, type PoliceFacts, type PoliceOutcome,
  CATEGORY_KEYS, PERPETRATOR_TYPES, SUPPORT_KEYS, VERBAL_CHANNELS, type Category, type PerpetratorType, type SupportItem, type SupportStatus, type VerbalChannel } from './rules.ts';

type Body = Record<string, unknown>;
const str = (body: Body, key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim() : '');

/** A checkbox group posts one string or several. */
export const listOf = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined || value === '' ? [] : [value]).filter((v): v is string => typeof v === 'string' && v !== '');

/**
 * Date boxes (`<prefix>-day/-month/-year`) and a 24-hour time (`<prefix>-time`) typed in London, for
 * an event named as people say it ("the incident", "the meeting"). All empty → null (or an error if
 * required). Errors link to the day box or the time box.
 */
export function dateTime(body: Body, prefix: string, event: string, required: boolean): { value: Date | null; error: FieldError | null } {
  const [d, m, y, t] = [str(body, `${prefix}-day`), str(body, `${prefix}-month`), str(body, `${prefix}-year`), str(body, `${prefix}-time`)];
  if (!d && !m && !y && !t) return { value: null, error: required ? { field: `${prefix}-day`, message: `Enter the date and time of ${event}` } : null };
  const iso = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  if (!iso) return { value: null, error: { field: `${prefix}-day`, message: `The date of ${event} must be a real date, for example 27 3 2026` } };
  if (!/^([01]?\d|2[0-3]):[0-5]\d$/.test(t)) return { value: null, error: { field: `${prefix}-time`, message: `Enter the time of ${event} using the 24-hour clock, for example 14:30` } };
  const at = londonToUtc(iso, t.padStart(5, '0'));
  return at ? { value: at, error: null } : { value: null, error: { field: `${prefix}-time`, message: 'That time does not exist in the UK on that day because the clocks went forward' } };
}

const yesNo = (message: string) => z.enum(['yes', 'no'], { error: message }).transform((v) => v === 'yes');
const optionalYesNo = z.union([z.literal(''), z.enum(['yes', 'no'])]).optional().transform((v) => (v ? v === 'yes' : null));
const caseSystems = Object.keys(CASE_SYSTEMS) as [string, ...string[]];

const reportFields = z.object({
  employeeId: optionalId('Select who the incident happened to'),
  visitId: optionalId(),
  alertId: optionalId(),
  buildingId: optionalId('Select a building from the list'),
  location: requiredText('Enter where it happened, for example the address or building', 300),
  loneWorking: yesNo('Select yes if you were working alone'),
  verbalChannel: z.union([z.literal(''), z.enum(Object.keys(VERBAL_CHANNELS) as [VerbalChannel, ...VerbalChannel[]])]).optional().transform((v) => (v ? v : null)),
  perpetratorType: z.enum(Object.keys(PERPETRATOR_TYPES) as [PerpetratorType, ...PerpetratorType[]], { error: 'Select who did it' }),
  perpetratorCaseSystem: z.union([z.literal(''), z.enum(caseSystems, { error: 'Select the case system' })]).optional().transform((v) => v || null),
  perpetratorCaseId: z.string().trim().max(40, 'Case ID must be 40 characters or fewer')
    .regex(/^[A-Za-z0-9/ -]*$/, 'Case ID must only include letters, numbers, spaces, hyphens and slashes').optional().transform((v) => normaliseCaseId(v)),
  othersPresent: optionalText(2000),
  witnesses: optionalText(2000),
  injured: yesNo('Select yes if anyone was injured'),
  injuryNature: optionalText(500),
  injuryBodyPart: optionalText(200),
  firstAid: optionalYesNo,
  hospital: optionalYesNo,
  daysOff: z.union([z.literal(''), z.coerce.number({ error: 'Days off work must be a whole number, like 0 or 3' }).int('Days off work must be a whole number, like 0 or 3').min(0, 'Days off work cannot be negative').max(366, 'Days off work must be 366 or fewer')]).optional()
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
  else if (when.value && when.value.getTime() > now.getTime() + 5 * 60_000) errors.push({ field: 'occurred-day', message: 'The date and time of the incident must be in the past' });
  const categories = listOf(input.categories);
  if (!categories.length) errors.push({ field: 'categories', message: 'Select at least one kind of incident' });
  else if (categories.some((c) => !(CATEGORY_KEYS as string[]).includes(c))) errors.push({ field: 'categories', message: 'Select the kinds of incident from the list' });
  // Checked on the raw input too, so they are reported alongside every other problem.
  if (categories.includes('verbal_abuse') && !str(input, 'verbalChannel')) errors.push({ field: 'verbalChannel', message: 'Select how the verbal abuse or harassment was made' });
  if (str(input, 'injured') === 'yes' && !str(input, 'injuryNature')) errors.push({ field: 'injuryNature', message: 'Enter the nature of the injury' });
  if (result.success && (result.data.perpetratorCaseSystem === null) !== (result.data.perpetratorCaseId === null)) {
    errors.push(result.data.perpetratorCaseId ? { field: 'perpetratorCaseSystem', message: 'Select the case system for the case ID' } : { field: 'perpetratorCaseId', message: 'Enter the case ID, or choose no case system' });
  }
  if (errors.length || !result.success) throw new ValidationError(errors);
  return { ...result.data, occurredAt: when.value!, categories: categories as Category[], verbalChannel: categories.includes('verbal_abuse') ? result.data.verbalChannel : null };
}

/** Fields too long to keep, each named: a draft keeps what was typed only within these limits. */
export function draftProblems(body: unknown): FieldError[] {
  return Object.entries((body ?? {}) as Body)
    .filter(([key, value]) => /^[A-Za-z][A-Za-z0-9-]{0,40}$/.test(key) && (Array.isArray(value) ? listOf(value).join('') : typeof value === 'string' ? value : '').length > DRAFT_FIELD_MAX)
    .map(([key]) => ({ field: key, message: `${fieldLabel(key)} must be ${DRAFT_FIELD_MAX.toLocaleString('en-GB')} characters or fewer` }));
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

const supportStatus = z.union([z.literal(''), z.enum(['offered', 'accepted', 'declined'], { error: 'Select offered, accepted or declined' })]).optional();
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
  return { meetingHeldAt: meeting.value, debriefAt: debrief.value, policeRightToldAt: police.value, support, notes: (data.notes as string | null | undefined) ?? null };
}

// ---- Second part: police, RIDDOR, serious, investigation, flags, legal actions, filters ---------

/** Date boxes only (`<prefix>-day/-month/-year`) → yyyy-mm-dd, or null when all empty. */
export function dateOnly(body: Body, prefix: string, label: string, required: boolean): { value: string | null; error: FieldError | null } {
  const [d, m, y] = [str(body, `${prefix}-day`), str(body, `${prefix}-month`), str(body, `${prefix}-year`)];
  if (!d && !m && !y) return { value: null, error: required ? { field: `${prefix}-day`, message: `Enter the ${label}` } : null };
  const iso = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  return iso ? { value: iso, error: null } : { value: null, error: { field: `${prefix}-day`, message: `The ${label} must be a real date, for example 27 3 2026` } };
}

function finish<T>(errors: FieldError[], value: () => T): T {
  if (errors.length) throw new ValidationError(errors);
  return value();
}

const optionalEnum = <K extends string>(keys: readonly K[], message: string) =>
  z.union([z.literal(''), z.enum(keys as [K, ...K[]], { error: message })]).optional().transform((v) => (v ? v : null));

/** The police section's facts (checked by `policeProblems`), with the notes about court. */
export interface PoliceForm extends PoliceFacts {
  courtNotes: string | null;
}

const policeFields = z.object({
  policeReported: optionalYesNo,
  crimeReference: z.string().trim().max(40, 'The crime reference number must be 40 characters or fewer')
    .regex(/^[A-Za-z0-9/ -]*$/, 'The crime reference number must only include letters, numbers, spaces, hyphens and slashes').optional().transform((v) => (v ? v.toUpperCase() : null)),
  policeOutcome: optionalEnum(Object.keys(POLICE_OUTCOMES) as PoliceOutcome[], 'Select the police outcome from the list'),
  courtOutcome: optionalEnum(Object.keys(COURT_OUTCOMES) as CourtOutcome[], 'Select the court outcome from the list'),
  courtAttended: optionalYesNo,
  courtNotes: optionalText(2000),
});

export function parsePoliceForm(body: unknown): PoliceForm {
  const input = (body ?? {}) as Body;
  const result = policeFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const on = dateOnly(input, 'policeOn', 'date it was reported to the police', false);
  if (on.error) errors.push(on.error);
  return finish(errors, () => {
    const d = result.data!;
    return { reported: d.policeReported, reportedOn: on.value, crimeReference: d.crimeReference, outcome: d.policeOutcome, courtOutcome: d.courtOutcome, courtAttended: d.courtAttended, courtNotes: d.courtNotes };
  });
}

export interface RiddorForm { specifiedInjury: boolean; daysOff: number | null; hseReference: string | null; hseReportedOn: string | null }

const riddorFields = z.object({
  specifiedInjury: z.enum(['yes', 'no'], { error: 'Select yes if it was a specified injury' }).transform((v) => v === 'yes'),
  riddorDaysOff: reportFields.shape.daysOff,
  hseReference: z.string().trim().max(40, 'The HSE reference must be 40 characters or fewer').optional().transform((v) => (v ? v : null)),
});

export function parseRiddorForm(body: unknown): RiddorForm {
  const input = (body ?? {}) as Body;
  const result = riddorFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const on = dateOnly(input, 'hseOn', 'date reported to the HSE', false);
  if (on.error) errors.push(on.error);
  if (on.value && !str(input, 'hseReference')) errors.push({ field: 'hseReference', message: 'Enter the HSE reference for the report' });
  return finish(errors, () => ({ specifiedInjury: result.data!.specifiedInjury, daysOff: result.data!.riddorDaysOff, hseReference: result.data!.hseReference, hseReportedOn: on.value }));
}

/** The "mark as serious" checkboxes: `serious` holds "marked" and/or "major". */
export function parseSeriousForm(body: unknown): { markedSerious: boolean; majorIncident: boolean } {
  const chosen = listOf(((body ?? {}) as Body).serious);
  if (chosen.some((c) => c !== 'marked' && c !== 'major')) throw new ValidationError([{ field: 'serious', message: 'Select from the list' }]);
  return { markedSerious: chosen.includes('marked'), majorIncident: chosen.includes('major') };
}

export interface InvestigationForm {
  statements: string | null; chronology: string | null; triggers: string | null; findings: string | null;
  riskReview: string | null; teamCommunicated: string | null; providersToWarn: string | null;
}
const investigationFields = z.object({
  statements: optionalText(20000), chronology: optionalText(20000), triggers: optionalText(10000), findings: optionalText(10000),
  riskReview: optionalText(10000), teamCommunicated: optionalText(5000), providersToWarn: optionalText(5000),
});
export const parseInvestigationForm = (body: unknown): InvestigationForm => parseWith(investigationFields, body);

export interface ActionForm { description: string; ownerId: number; dueOn: string }
const actionFields = z.object({
  actionDescription: requiredText('Enter the action', 1000),
  actionOwnerId: optionalId('Select who owns the action'),
});
export function parseActionForm(body: unknown): ActionForm {
  const input = (body ?? {}) as Body;
  const result = actionFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  if (result.success && result.data.actionOwnerId === null) errors.push({ field: 'actionOwnerId', message: 'Select who owns the action' });
  const due = dateOnly(input, 'actionDue', 'due date', true);
  if (due.error) errors.push(due.error);
  return finish(errors, () => ({ description: result.data!.actionDescription, ownerId: result.data!.actionOwnerId!, dueOn: due.value! }));
}

export interface IncidentFlagForm {
  subject: FlagSubject;
  caseSystem: string | null;
  caseId: string | null;
  postcode: string | null;
  category: FlagCategory;
  reason: string;
  reviewOn: string;
}
const flagFields = z.object({
  flagSubject: z.enum(Object.keys(FLAG_SUBJECTS) as [FlagSubject, ...FlagSubject[]], { error: 'Select who or what the warning is about' }),
  flagCaseSystem: z.union([z.literal(''), z.enum(caseSystems, { error: 'Select the case system' })]).optional().transform((v) => v || null),
  flagCaseId: z.string().trim().max(40, 'Case ID must be 40 characters or fewer')
    .regex(/^[A-Za-z0-9/ -]*$/, 'Case ID must only include letters, numbers, spaces, hyphens and slashes').optional().transform((v) => normaliseCaseId(v)),
  flagPostcode: z.union([z.literal(''), postcode()]).optional().transform((v) => normalisePostcode(v)),
  flagCategory: z.enum(Object.keys(FLAG_CATEGORIES) as [FlagCategory, ...FlagCategory[]], { error: 'Select the kind of warning' }),
  flagReason: requiredText('Enter the reason for the warning', 500),
});
export function parseIncidentFlagForm(body: unknown): IncidentFlagForm {
  const input = (body ?? {}) as Body;
  const result = flagFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const review = dateOnly(input, 'flagReview', 'review date', true);
  if (review.error) errors.push(review.error);
  if (result.success) {
    const d = result.data;
    if (d.flagSubject === 'address' && !d.flagPostcode) errors.push({ field: 'flagPostcode', message: 'Enter the postcode of the address' });
    if (d.flagSubject !== 'address' && !d.flagCaseId) errors.push({ field: 'flagCaseId', message: 'Enter the case ID of the person or case' });
    if (d.flagCaseId && !d.flagCaseSystem) errors.push({ field: 'flagCaseSystem', message: 'Select the case system for the case ID' });
  }
  return finish(errors, () => {
    const d = result.data!;
    const address = d.flagSubject === 'address';
    return { subject: d.flagSubject, caseSystem: address ? null : d.flagCaseSystem, caseId: address ? null : d.flagCaseId, postcode: address ? d.flagPostcode : null, category: d.flagCategory, reason: d.flagReason, reviewOn: review.value! };
  });
}

export interface LegalActionForm { kind: LegalAction; actionOn: string; endsOn: string | null; notes: string | null }
const legalFields = z.object({
  legalKind: z.enum(Object.keys(LEGAL_ACTIONS) as [LegalAction, ...LegalAction[]], { error: 'Select the legal or service action' }),
  legalNotes: optionalText(2000),
});
export function parseLegalActionForm(body: unknown): LegalActionForm {
  const input = (body ?? {}) as Body;
  const result = legalFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const on = dateOnly(input, 'legalOn', 'date of the action', true);
  const ends = dateOnly(input, 'legalEnds', 'end date', false);
  for (const e of [on.error, ends.error]) if (e) errors.push(e);
  if (on.value && ends.value && ends.value < on.value) errors.push({ field: 'legalEnds-day', message: 'The end date must be on or after the date of the action' });
  return finish(errors, () => ({ kind: result.data!.legalKind, actionOn: on.value!, endsOn: ends.value, notes: result.data!.legalNotes }));
}

const isoDay = (message: string) => z.string().trim().optional()
  .refine((v) => !v || (/^\d{4}-\d{2}-\d{2}$/.test(v) && isoDate(v.slice(8, 10), v.slice(5, 7), v.slice(0, 4)) !== null), message)
  .transform((v) => (v ? v : null));
const statsFilterFields = z.object({
  from: isoDay('Enter the start of the period as a date, like 2026-01-31'),
  to: isoDay('Enter the end of the period as a date, like 2026-12-31'),
  category: optionalEnum(CATEGORY_KEYS, 'Select a kind of incident from the list'),
  teamId: optionalId('Select a team from the list'),
  buildingId: optionalId('Select a building from the list'),
});
/**
 * The dashboard's filters, every problem at once. The period is typed in GOV.UK date boxes
 * (`from-day`, `from-month`, `from-year`); a plain `from=2026-01-31` (a link or an export) still works.
 */
export function parseStatsFilter(query: unknown): StatsFilter {
  const input = (query ?? {}) as Body;
  const result = statsFilterFields.safeParse(input);
  // A date's problem is reported against its day box, where the error summary link lands.
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error).map((e) => (e.field === 'from' || e.field === 'to' ? { ...e, field: `${e.field}-day` } : e));
  const boxes = (prefix: 'from' | 'to', label: string) => {
    if (![`${prefix}-day`, `${prefix}-month`, `${prefix}-year`].some((k) => str(input, k))) return result.success ? result.data[prefix] : null;
    const d = dateOnly(input, prefix, label, false);
    if (d.error) errors.push(d.error);
    return d.value;
  };
  const from = boxes('from', 'start of the period');
  const to = boxes('to', 'end of the period');
  if (from && to && to < from) errors.push({ field: 'to-day', message: 'The end of the period must be on or after its start' });
  return finish(errors, () => ({ ...result.data!, from, to }));
}

/** The period's date boxes for the page: as typed, or from a plain `from=2026-01-31` in the link. */
export function statsFilterBoxes(query: unknown): Record<string, string> {
  const input = (query ?? {}) as Body;
  const values: Record<string, string> = {};
  for (const prefix of ['from', 'to']) {
    const iso = str(input, prefix);
    const typed = [`${prefix}-day`, `${prefix}-month`, `${prefix}-year`].some((k) => str(input, k));
    if (!typed && /^\d{4}-\d{2}-\d{2}$/.test(iso)) Object.assign(values, { [`${prefix}-day`]: String(Number(iso.slice(8, 10))), [`${prefix}-month`]: String(Number(iso.slice(5, 7))), [`${prefix}-year`]: iso.slice(0, 4) });
  }
  return values;
}

const renewFields = z.object({ renewFlagId: optionalId('Select the warning flag to renew') });
/** Renewing a flag after review: which one, and the new review date. */
export function parseRenewFlagForm(body: unknown): { flagId: number; reviewOn: string } {
  const input = (body ?? {}) as Body;
  const result = renewFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  if (result.success && result.data.renewFlagId === null) errors.push({ field: 'renewFlagId', message: 'Select the warning flag to renew' });
  const review = dateOnly(input, 'renewReview', 'new review date', true);
  if (review.error) errors.push(review.error);
  return finish(errors, () => ({ flagId: result.data!.renewFlagId!, reviewOn: review.value! }));
}
