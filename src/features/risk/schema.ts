import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors.ts';
import { fieldErrors, optionalId, optionalText, postcode, requiredText } from '../../web/validation.ts';
import { CASE_SYSTEMS } from '../visits/schema.ts';
import {
  FLAG_CATEGORIES,
  PRECAUTION_KEYS,
  isoDate,
  normaliseCaseId,
  normalisePostcode,
  type FlagCategory,
  type PrecautionAnswer,
  type PrecautionStatus,
} from './rules.ts';

const caseSystems = Object.keys(CASE_SYSTEMS) as [string, ...string[]];

/**
 * Three date boxes (`<prefix>-day`, `-month`, `-year`) as govukDateInput posts them: all empty →
 * null (or an error if required); otherwise a real date as yyyy-mm-dd. Errors link to the day box.
 */
function dateBoxes(
  body: Record<string, unknown>,
  prefix: string,
  messages: { required?: string; invalid: string },
): { value: string | null; error: FieldError | null } {
  const box = (part: string) =>
    typeof body[`${prefix}-${part}`] === 'string' ? (body[`${prefix}-${part}`] as string).trim() : '';
  const [d, m, y] = [box('day'), box('month'), box('year')];
  if (!d && !m && !y)
    return { value: null, error: messages.required ? { field: `${prefix}-day`, message: messages.required } : null };
  const iso = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  return iso
    ? { value: iso, error: null }
    : { value: null, error: { field: `${prefix}-day`, message: messages.invalid } };
}

/** Parses the fields with zod and the date boxes by hand, and reports every problem at once. */
function parseWithDate<S extends z.ZodType>(
  schema: S,
  body: unknown,
  prefix: string,
  messages: { required?: string; invalid: string },
): z.output<S> & { date: string | null } {
  const input = (body ?? {}) as Record<string, unknown>;
  const result = schema.safeParse(input);
  const date = dateBoxes(input, prefix, messages);
  const errors = [...(result.success ? [] : fieldErrors(result.error)), ...(date.error ? [date.error] : [])];
  if (errors.length || !result.success) throw new ValidationError(errors);
  return { ...(result.data as object), date: date.value } as z.output<S> & { date: string | null };
}

const caseSystem = z
  .union([z.literal(''), z.enum(caseSystems, { error: 'Select the case system' })])
  .optional()
  .transform((v) => v || null);
const caseId = z
  .string()
  .trim()
  .max(40, 'Case ID must be 40 characters or fewer')
  .regex(/^[A-Za-z0-9/ -]*$/, 'Case ID must only include letters, numbers, spaces, hyphens and slashes')
  .optional()
  .transform((v) => normaliseCaseId(v));

const flagFields = z.object({
  caseSystem,
  caseId,
  postcode: z
    .union([z.literal(''), postcode()])
    .optional()
    .transform((v) => normalisePostcode(v)),
  category: z.enum(Object.keys(FLAG_CATEGORIES) as [FlagCategory, ...FlagCategory[]], {
    error: 'Select the kind of warning',
  }),
  description: requiredText('Describe the warning, for example what happened and when', 500),
});

export interface FlagForm {
  caseSystem: string | null;
  caseId: string | null;
  postcode: string | null;
  category: FlagCategory;
  description: string;
  /** yyyy-mm-dd, the last day the warning applies; null = until withdrawn. */
  expiresOn: string | null;
}

export function parseFlagForm(body: unknown): FlagForm {
  const { date, ...rest } = parseWithDate(flagFields, body, 'expires', {
    invalid: 'The expiry date must be a real date, for example 27 3 2027',
  });
  return { ...rest, expiresOn: date };
}

const step = (message: string) => requiredText(message, 2000);

const assessmentFields = z.object({
  scope: z
    .enum(['case', 'visit'], { error: 'Select whether the assessment covers the whole case or this visit only' })
    .optional(),
  hazards: step('Enter the hazards (step 1)'),
  whoHarmed: step('Enter who may be harmed and how (step 2)'),
  controls: step('Enter how you evaluated the risks and the controls you decided on (step 3)'),
  findings: step('Enter the significant findings you have recorded (step 4)'),
  documentRef: optionalText(200),
});

export interface AssessmentForm {
  scope?: 'case' | 'visit' | undefined;
  hazards: string;
  whoHarmed: string;
  controls: string;
  findings: string;
  documentRef: string | null;
  /** yyyy-mm-dd (step 5). */
  reviewDate: string;
}

export function parseAssessmentForm(body: unknown): AssessmentForm {
  const { date, ...rest } = parseWithDate(assessmentFields, body, 'reviewDate', {
    required: 'Enter the review date (step 5), for example 27 6 2026',
    invalid: 'The review date must be a real date, for example 27 6 2026',
  });
  return { ...rest, reviewDate: date! };
}

export const controlForm = z.object({
  control: z.enum(['council_building', 'manager_approval', 'joint_visit'], {
    error: 'Select how the visit is made safe',
  }),
  jointNote: optionalText(1000),
  buildingId: optionalId('Select a council building from the list'),
  buildingNote: optionalText(1000),
  approvalNote: optionalText(1000),
});
export type ControlForm = Omit<z.output<typeof controlForm>, 'jointNote'> & { jointNote?: string | null };

const statusField = z
  .union([z.literal(''), z.enum(['confirmed', 'waived'], { error: 'Select confirmed or waived' })])
  .optional()
  .transform((v) => (v ? v : null) as PrecautionStatus | null);

export const precautionsForm = z
  .object(
    Object.fromEntries(
      PRECAUTION_KEYS.flatMap((k) => [
        [`status-${k}`, statusField],
        [`reason-${k}`, optionalText(500)],
      ]),
    ),
  )
  .transform((v): PrecautionAnswer[] => {
    const rec = v as Record<string, string | null>;
    return PRECAUTION_KEYS.map((key) => ({
      key,
      status: rec[`status-${key}`] as PrecautionStatus | null,
      reason: rec[`reason-${key}`] ?? null,
    }));
  });

/** Withdrawing a warning flag before its review: why, for the audit trail and the team. */
export const withdrawFlagForm = z.object({ reason: requiredText('Enter why the warning no longer applies', 1000) });
