import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors.ts';
import { checkbox, fieldErrors, optionalId, optionalText, parseWith, requiredId, requiredText } from '../../web/validation.ts';
import { isoDate } from '../../time/london.ts';
import { GIFT_KINDS, GIFT_RESPONSES, INTEREST_KINDS, parsePounds, type GiftKind, type GiftResponse, type InterestKind } from './rules.ts';

const interestKinds = Object.keys(INTEREST_KINDS) as [InterestKind, ...InterestKind[]];

const interestFields = z.object({
  kind: z.enum(interestKinds, { error: 'Select the kind of interest' }),
  description: requiredText('Describe the interest, and how it may conflict with the council’s interests', 2000),
  consentNeeded: checkbox,
  consentReference: optionalText(500),
});

export interface InterestForm { kind: InterestKind; description: string; consentNeeded: boolean; consentReference: string | null }
export interface DeclarationForm { interest: InterestForm | null }

function interestFrom(body: Record<string, unknown>): InterestForm {
  const result = interestFields.safeParse(body);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  if (result.success && result.data.kind === 'outside_employment' && result.data.consentNeeded && !result.data.consentReference) {
    errors.push({ field: 'consentReference', message: 'Enter the written consent for the outside employment: who gave it, when, and where it is kept' });
  }
  if (errors.length || !result.success) throw new ValidationError(errors);
  return result.data;
}

export function parseInterestForm(body: unknown): InterestForm {
  return interestFrom((body ?? {}) as Record<string, unknown>);
}

/** Appendix 1: either "no conflict of interest", or an interest to declare. */
export function parseDeclarationForm(body: unknown): DeclarationForm {
  const input = (body ?? {}) as Record<string, unknown>;
  if (input.declaration === 'none') return { interest: null };
  if (input.declaration !== 'interest') throw new ValidationError([{ field: 'declaration', message: 'Select whether you have an interest to declare' }]);
  return { interest: interestFrom(input) };
}

export const signOffForm = z.object({
  action: requiredText('Enter the management action to prevent a conflict of interest', 2000),
});

const giftFields = z.object({
  kind: z.enum(Object.keys(GIFT_KINDS) as [GiftKind, ...GiftKind[]], { error: 'Select what was offered' }),
  description: requiredText('Describe what was offered', 1000),
  offeredBy: requiredText('Enter who offered it', 200),
  supplierId: optionalId('Select a contractor or supplier from the list'),
  value: z.string({ error: 'Enter the estimated value in pounds, like 25 or 12.50' }).trim()
    .refine((v) => parsePounds(v) !== null, 'Enter the estimated value in pounds, like 25 or 12.50'),
  response: z.enum(Object.keys(GIFT_RESPONSES) as [GiftResponse, ...GiftResponse[]], { error: 'Select whether it was accepted, refused or returned' }),
  refusalLetter: optionalText(2000),
  authorisedInAdvance: checkbox,
  reason: requiredText('Enter the reason for accepting or refusing it', 1000),
});

export interface GiftForm {
  kind: GiftKind; offeredOn: string; description: string; offeredBy: string; supplierId: number | null; valuePence: number;
  response: GiftResponse; refusalLetter: string | null; authorisedInAdvance: boolean; reason: string;
}

/** The fields with zod, the date boxes (`offeredOn-day` …) by hand; every problem at once. */
export function parseGiftForm(body: unknown): GiftForm {
  const input = (body ?? {}) as Record<string, unknown>;
  const result = giftFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const box = (part: string) => (typeof input[`offeredOn-${part}`] === 'string' ? (input[`offeredOn-${part}`] as string).trim() : '');
  const [d, m, y] = [box('day'), box('month'), box('year')];
  const offeredOn = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  if (!d && !m && !y) errors.push({ field: 'offeredOn-day', message: 'Enter the date it was offered' });
  else if (!offeredOn) errors.push({ field: 'offeredOn-day', message: 'The date it was offered must be a real date, for example 27 3 2027' });
  if (errors.length || !result.success || !offeredOn) throw new ValidationError(errors);
  const { value, ...rest } = result.data;
  return { ...rest, offeredOn, valuePence: parsePounds(value)! };
}

export const decisionForm = z.object({
  decision: z.enum(['approved', 'declined'], { error: 'Select approve or decline' }),
  note: optionalText(1000),
});

export const supplierForm = z.object({
  name: requiredText('Enter the name of the contractor or supplier', 200),
  liveTender: checkbox,
});

export const politicalRestrictionForm = z.object({
  staffId: requiredId('Select a member of staff'),
  restricted: z.enum(['yes', 'no'], { error: 'Select whether the post is politically restricted' }).transform((v) => v === 'yes'),
});

const isoDay = (message: string) => z.string().trim().optional()
  .refine((v) => !v || (/^\d{4}-\d{2}-\d{2}$/.test(v) && isoDate(v.slice(8, 10), v.slice(5, 7), v.slice(0, 4)) !== null), message)
  .transform((v) => (v ? v : null));

export const reportFilterForm = z.object({
  directorateId: optionalId('Select a directorate from the list'),
  teamId: optionalId('Select a team from the list'),
  from: isoDay('Enter the start of the period as a date, like 2027-01-31'),
  to: isoDay('Enter the end of the period as a date, like 2027-12-31'),
  /** The separate register of senior managers' interests (Kent Code H): service managers and above. */
  seniorOnly: checkbox,
});
export type ReportFilterForm = z.output<typeof reportFilterForm>;

export const parseReportFilter = (query: unknown) => parseWith(reportFilterForm, query);
