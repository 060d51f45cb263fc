import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors.ts';
import { fieldErrors, optionalId, optionalText, parseWith, postcode, requiredText } from '../../web/validation.ts';
import { FLAG_CATEGORIES, normaliseCaseId, normalisePostcode, type FlagCategory } from '../risk/rules.ts';
import {
  COURT_OUTCOMES,
  FLAG_SUBJECTS,
  LEGAL_ACTIONS,
  POLICE_OUTCOMES,
  type CourtOutcome,
  type FlagSubject,
  type LegalAction,
  type PoliceFacts,
  type PoliceOutcome,
} from './rules.ts';
import {
  caseSystems,
  dateOnly,
  finish,
  listOf,
  optionalEnum,
  optionalYesNo,
  reportFields,
  str,
  type Body,
} from './schema.ts';

// The follow-up forms of a submitted incident: police, RIDDOR, serious, the HS160 investigation and its actions, warning flags, legal actions.

/** The police section's facts (checked by `policeProblems`), with the notes about court. */
export interface PoliceForm extends PoliceFacts {
  courtNotes: string | null;
}

const policeFields = z.object({
  policeReported: optionalYesNo,
  crimeReference: z
    .string()
    .trim()
    .max(40, 'The crime reference number must be 40 characters or fewer')
    .regex(
      /^[A-Za-z0-9/ -]*$/,
      'The crime reference number must only include letters, numbers, spaces, hyphens and slashes',
    )
    .optional()
    .transform((v) => (v ? v.toUpperCase() : null)),
  policeOutcome: optionalEnum(
    Object.keys(POLICE_OUTCOMES) as PoliceOutcome[],
    'Select the police outcome from the list',
  ),
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
    return {
      reported: d.policeReported,
      reportedOn: on.value,
      crimeReference: d.crimeReference,
      outcome: d.policeOutcome,
      courtOutcome: d.courtOutcome,
      courtAttended: d.courtAttended,
      courtNotes: d.courtNotes,
    };
  });
}

export interface RiddorForm {
  specifiedInjury: boolean;
  daysOff: number | null;
  hseReference: string | null;
  hseReportedOn: string | null;
}

const riddorFields = z.object({
  specifiedInjury: z
    .enum(['yes', 'no'], { error: 'Select yes if it was a specified injury' })
    .transform((v) => v === 'yes'),
  riddorDaysOff: reportFields.shape.daysOff,
  hseReference: z
    .string()
    .trim()
    .max(40, 'The HSE reference must be 40 characters or fewer')
    .optional()
    .transform((v) => (v ? v : null)),
});

export function parseRiddorForm(body: unknown): RiddorForm {
  const input = (body ?? {}) as Body;
  const result = riddorFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const on = dateOnly(input, 'hseOn', 'date reported to the HSE', false);
  if (on.error) errors.push(on.error);
  if (on.value && !str(input, 'hseReference'))
    errors.push({ field: 'hseReference', message: 'Enter the HSE reference for the report' });
  return finish(errors, () => ({
    specifiedInjury: result.data!.specifiedInjury,
    daysOff: result.data!.riddorDaysOff,
    hseReference: result.data!.hseReference,
    hseReportedOn: on.value,
  }));
}

/** The "mark as serious" checkboxes: `serious` holds "marked" and/or "major". */
export function parseSeriousForm(body: unknown): { markedSerious: boolean; majorIncident: boolean } {
  const chosen = listOf(((body ?? {}) as Body).serious);
  if (chosen.some((c) => c !== 'marked' && c !== 'major'))
    throw new ValidationError([{ field: 'serious', message: 'Select from the list' }]);
  return { markedSerious: chosen.includes('marked'), majorIncident: chosen.includes('major') };
}

export interface InvestigationForm {
  statements: string | null;
  chronology: string | null;
  triggers: string | null;
  findings: string | null;
  riskReview: string | null;
  teamCommunicated: string | null;
  providersToWarn: string | null;
}
const investigationFields = z.object({
  statements: optionalText(20000),
  chronology: optionalText(20000),
  triggers: optionalText(10000),
  findings: optionalText(10000),
  riskReview: optionalText(10000),
  teamCommunicated: optionalText(5000),
  providersToWarn: optionalText(5000),
});
export const parseInvestigationForm = (body: unknown): InvestigationForm => parseWith(investigationFields, body);

export interface ActionForm {
  description: string;
  ownerId: number;
  dueOn: string;
}
const actionFields = z.object({
  actionDescription: requiredText('Enter the action', 1000),
  actionOwnerId: optionalId('Select who owns the action'),
});
export function parseActionForm(body: unknown): ActionForm {
  const input = (body ?? {}) as Body;
  const result = actionFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  if (result.success && result.data.actionOwnerId === null)
    errors.push({ field: 'actionOwnerId', message: 'Select who owns the action' });
  const due = dateOnly(input, 'actionDue', 'due date', true);
  if (due.error) errors.push(due.error);
  return finish(errors, () => ({
    description: result.data!.actionDescription,
    ownerId: result.data!.actionOwnerId!,
    dueOn: due.value!,
  }));
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
  flagSubject: z.enum(Object.keys(FLAG_SUBJECTS) as [FlagSubject, ...FlagSubject[]], {
    error: 'Select who or what the warning is about',
  }),
  flagCaseSystem: z
    .union([z.literal(''), z.enum(caseSystems, { error: 'Select the case system' })])
    .optional()
    .transform((v) => v || null),
  flagCaseId: z
    .string()
    .trim()
    .max(40, 'Case ID must be 40 characters or fewer')
    .regex(/^[A-Za-z0-9/ -]*$/, 'Case ID must only include letters, numbers, spaces, hyphens and slashes')
    .optional()
    .transform((v) => normaliseCaseId(v)),
  flagPostcode: z
    .union([z.literal(''), postcode()])
    .optional()
    .transform((v) => normalisePostcode(v)),
  flagCategory: z.enum(Object.keys(FLAG_CATEGORIES) as [FlagCategory, ...FlagCategory[]], {
    error: 'Select the kind of warning',
  }),
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
    if (d.flagSubject === 'address' && !d.flagPostcode)
      errors.push({ field: 'flagPostcode', message: 'Enter the postcode of the address' });
    if (d.flagSubject !== 'address' && !d.flagCaseId)
      errors.push({ field: 'flagCaseId', message: 'Enter the case ID of the person or case' });
    if (d.flagCaseId && !d.flagCaseSystem)
      errors.push({ field: 'flagCaseSystem', message: 'Select the case system for the case ID' });
  }
  return finish(errors, () => {
    const d = result.data!;
    const address = d.flagSubject === 'address';
    return {
      subject: d.flagSubject,
      caseSystem: address ? null : d.flagCaseSystem,
      caseId: address ? null : d.flagCaseId,
      postcode: address ? d.flagPostcode : null,
      category: d.flagCategory,
      reason: d.flagReason,
      reviewOn: review.value!,
    };
  });
}

export interface LegalActionForm {
  kind: LegalAction;
  actionOn: string;
  endsOn: string | null;
  notes: string | null;
}
const legalFields = z.object({
  legalKind: z.enum(Object.keys(LEGAL_ACTIONS) as [LegalAction, ...LegalAction[]], {
    error: 'Select the legal or service action',
  }),
  legalNotes: optionalText(2000),
});
export function parseLegalActionForm(body: unknown): LegalActionForm {
  const input = (body ?? {}) as Body;
  const result = legalFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const on = dateOnly(input, 'legalOn', 'date of the action', true);
  const ends = dateOnly(input, 'legalEnds', 'end date', false);
  for (const e of [on.error, ends.error]) if (e) errors.push(e);
  if (on.value && ends.value && ends.value < on.value)
    errors.push({ field: 'legalEnds-day', message: 'The end date must be on or after the date of the action' });
  return finish(errors, () => ({
    kind: result.data!.legalKind,
    actionOn: on.value!,
    endsOn: ends.value,
    notes: result.data!.legalNotes,
  }));
}

const renewFields = z.object({ renewFlagId: optionalId('Select the warning flag to renew') });
/** Renewing a flag after review: which one, and the new review date. */
export function parseRenewFlagForm(body: unknown): { flagId: number; reviewOn: string } {
  const input = (body ?? {}) as Body;
  const result = renewFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  if (result.success && result.data.renewFlagId === null)
    errors.push({ field: 'renewFlagId', message: 'Select the warning flag to renew' });
  const review = dateOnly(input, 'renewReview', 'new review date', true);
  if (review.error) errors.push(review.error);
  return finish(errors, () => ({ flagId: result.data!.renewFlagId!, reviewOn: review.value! }));
}
