import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors.ts';
import {
  checkbox,
  dateFrom,
  fieldErrors,
  optionalId,
  optionalText,
  requiredId,
  requiredText,
} from '../../web/validation.ts';
import { isoDate, longDate } from '../../time/london.ts';
import {
  GIFT_KINDS,
  GIFT_RESPONSES,
  GIVER_TYPES,
  INTEREST_KINDS,
  parsePounds,
  type GiftKind,
  type GiftResponse,
  type GiverType,
  type InterestKind,
} from './rules.ts';

const interestKinds = Object.keys(INTEREST_KINDS) as [InterestKind, ...InterestKind[]];

const interestFields = z.object({
  kind: z.enum(interestKinds, { error: 'Select the kind of interest' }),
  description: requiredText('Describe the interest, and how it may conflict with the council’s interests', 2000),
  consentNeeded: checkbox,
  consentReference: optionalText(500),
  /** H.5: the contractor or supplier, or the contract, the interest is in. */
  supplierId: optionalId('Select a contractor or supplier from the list'),
  contract: optionalText(300),
  /** G.6: the lecture fee and whether the lecture is in the council's time. */
  lectureFee: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || parsePounds(v) !== null, 'Enter the lecture fee in pounds, like 150 or 75.50')
    .transform((v) => (v ? parsePounds(v) : null)),
  lectureInCouncilTime: z
    .enum(['yes', 'no', ''], { error: 'Select whether you lecture in the council’s time' })
    .optional()
    .transform((v) => (v === 'yes' ? true : v === 'no' ? false : null)),
});

export interface InterestForm {
  kind: InterestKind;
  description: string;
  consentNeeded: boolean;
  consentReference: string | null;
  supplierId?: number | null;
  contract?: string | null;
  lectureFee?: number | null;
  lectureInCouncilTime?: boolean | null;
}
export interface DeclarationForm {
  interest: InterestForm | null;
}

function interestFrom(body: Record<string, unknown>): InterestForm {
  const result = interestFields.safeParse(body);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  if (
    result.success &&
    result.data.kind === 'outside_employment' &&
    result.data.consentNeeded &&
    !result.data.consentReference
  ) {
    errors.push({
      field: 'consentReference',
      message: 'Enter the written consent for the outside employment: who gave it, when, and where it is kept',
    });
  }
  if (
    result.success &&
    result.data.kind === 'publishing_lecturing' &&
    result.data.lectureFee !== null &&
    result.data.lectureInCouncilTime === null
  ) {
    errors.push({
      field: 'lectureInCouncilTime',
      message: 'Select whether you lecture in the council’s time: it decides how much of the fee you keep (G.6)',
    });
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
  if (input.declaration !== 'interest')
    throw new ValidationError([{ field: 'declaration', message: 'Select whether you have an interest to declare' }]);
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
  value: z
    .string({ error: 'Enter the estimated value in pounds, like 25 or 12.50' })
    .trim()
    .refine((v) => parsePounds(v) !== null, 'Enter the estimated value in pounds, like 25 or 12.50'),
  response: z.enum(Object.keys(GIFT_RESPONSES) as [GiftResponse, ...GiftResponse[]], {
    error: 'Select whether it was accepted, refused or returned',
  }),
  refusalLetter: optionalText(2000),
  authorisedInAdvance: checkbox,
  giverType: z.enum(Object.keys(GIVER_TYPES) as [GiverType, ...GiverType[]], { error: 'Select who offered it' }),
  authorisedById: optionalId('Select the manager who authorised it from the list'),
  reason: requiredText('Enter the reason for accepting or refusing it', 1000),
});

export interface GiftForm {
  kind: GiftKind;
  offeredOn: string;
  description: string;
  offeredBy: string;
  supplierId: number | null;
  valuePence: number;
  response: GiftResponse;
  refusalLetter: string | null;
  authorisedInAdvance: boolean;
  reason: string;
  /** Who offered it (L.1); the event's date and the manager who authorised hospitality in advance (L.4). */
  giverType?: GiverType;
  eventOn?: string | null;
  authorisedById?: number | null;
}

/** Day, month and year boxes `<name>-day` …: null when all are empty; 'bad' when not a real date. */
function dateBoxes(input: Record<string, unknown>, name: string): string | null | 'bad' {
  const box = (part: string) =>
    typeof input[`${name}-${part}`] === 'string' ? (input[`${name}-${part}`] as string).trim() : '';
  const [d, m, y] = [box('day'), box('month'), box('year')];
  if (!d && !m && !y) return null;
  return (/^\d{4}$/.test(y) ? isoDate(d, m, y) : null) ?? 'bad';
}

/** The fields with zod, the date boxes (`offeredOn-day` …) by hand; every problem at once. */
export function parseGiftForm(body: unknown): GiftForm {
  const input = (body ?? {}) as Record<string, unknown>;
  const result = giftFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const box = (part: string) =>
    typeof input[`offeredOn-${part}`] === 'string' ? (input[`offeredOn-${part}`] as string).trim() : '';
  const [d, m, y] = [box('day'), box('month'), box('year')];
  const offeredOn = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  if (!d && !m && !y) errors.push({ field: 'offeredOn-day', message: 'Enter the date it was offered' });
  else if (!offeredOn)
    errors.push({
      field: 'offeredOn-day',
      message: 'The date it was offered must be a real date, for example 27 3 2027',
    });
  const eventOn = dateBoxes(input, 'eventOn');
  if (eventOn === 'bad')
    errors.push({ field: 'eventOn-day', message: 'The date of the event must be a real date, for example 27 3 2027' });
  if (errors.length || !result.success || !offeredOn || eventOn === 'bad') throw new ValidationError(errors);
  const { value, ...rest } = result.data;
  return { ...rest, offeredOn, eventOn, valuePence: parsePounds(value)! };
}

/** Appendix 1: "Signed (Managing Director or Delegated Manager)". */
export const declarationSignForm = z.object({
  confirm: z.literal('yes', {
    error: 'Confirm you have read the declaration and the management action for each interest',
  }),
});

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
  restricted: z
    .enum(['yes', 'no'], { error: 'Select whether the post is politically restricted' })
    .transform((v) => v === 'yes'),
});

const reportFilterFields = z.object({
  directorateId: optionalId('Select a directorate from the list'),
  teamId: optionalId('Select a team from the list'),
  /** The separate register of senior managers' interests (Kent Code H): service managers and above. */
  seniorOnly: checkbox,
});
export interface ReportFilterForm extends z.output<typeof reportFilterFields> {
  from: string | null;
  to: string | null;
}

/** The reports' filter: a directorate, a team, and a period in GOV.UK date boxes (`from-day` …); every problem at once. */
export function parseReportFilter(query: unknown): ReportFilterForm {
  const input = (query ?? {}) as Record<string, unknown>;
  const result = reportFilterFields.safeParse(input);
  const errors: FieldError[] = result.success ? [] : fieldErrors(result.error);
  const from = dateFrom(input, 'from', 'start of the period', false, errors);
  const to = dateFrom(input, 'to', 'end of the period', false, errors);
  if (from && to && to < from)
    errors.push({ field: 'to-day', message: `The end of the period must be the same as or after ${longDate(from)}` });
  if (errors.length || !result.success) throw new ValidationError(errors);
  return { ...result.data, from, to };
}
