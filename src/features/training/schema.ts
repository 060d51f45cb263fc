import { z } from 'zod';
import { checkbox, dateFrom, optionalText, requiredText } from '../../web/validation.ts';
import { ValidationError, type FieldError } from '../../errors.ts';
import { CATEGORIES, POLICIES } from './rules.ts';

const list = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s !== ''));
const ids = (message: string) =>
  list.transform((v) => v.map(Number)).refine((v) => v.every((n) => Number.isInteger(n) && n > 0), message);

export const courseForm = z.object({
  name: requiredText('Enter the course name'),
  category: z.enum(Object.keys(CATEGORIES) as [keyof typeof CATEGORIES], { error: 'Select what the course counts as' }),
  validityMonths: z
    .string()
    .trim()
    .optional()
    .transform((v) => v ?? '')
    .refine(
      (v) => v === '' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 240),
      'Enter how many months the course stays current, from 1 to 240, or leave it blank if it does not expire',
    )
    .transform((v) => (v === '' ? null : Number(v))),
  everyone: checkbox,
  jobRoles: list,
  teamIds: ids('Select teams from the list'),
  serviceIds: ids('Select services from the list'),
  keyHolders: checkbox,
  retired: checkbox,
});
export type CourseForm = z.output<typeof courseForm>;

const recordFields = z.object({
  courseId: z.coerce.number({ error: 'Select a course' }).int('Select a course').positive('Select a course'),
  evidence: optionalText(200),
});

export interface RecordForm {
  courseId: number;
  completedOn: string;
  expiresOn: string | null;
  evidence: string | null;
}
export function parseRecordForm(input: unknown): RecordForm {
  const body = (input ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const parsed = recordFields.safeParse(body);
  if (!parsed.success)
    for (const i of parsed.error.issues)
      errors.push({
        field: String(i.path[0] ?? 'form'),
        message:
          i.path[0] === 'courseId'
            ? 'Select a course'
            : i.message.startsWith('Must be ')
              ? `Evidence must be ${i.message.slice(8)}`
              : i.message,
      });
  const completedOn = dateFrom(body, 'completedOn', 'date completed', true, errors);
  const expiresOn = dateFrom(body, 'expiresOn', 'expiry date', false, errors);
  if (errors.length || !parsed.success) throw new ValidationError(errors);
  return { ...parsed.data, completedOn: completedOn!, expiresOn };
}

const refresherFields = z.object({
  courseId: z.coerce.number({ error: 'Select a course' }).int('Select a course').positive('Select a course'),
  reason: requiredText('Enter why refresher training is advised', 500),
  incidentId: z
    .string()
    .trim()
    .optional()
    .transform((v) => v ?? '')
    .refine((v) => v === '' || /^\d{1,9}$/.test(v), 'Enter the incident number in digits, or leave it blank')
    .transform((v) => (v === '' ? null : Number(v))),
});
export interface RefresherForm {
  courseId: number;
  reason: string;
  incidentId: number | null;
  dueOn: string | null;
}
export function parseRefresherForm(input: unknown): RefresherForm {
  const body = (input ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const parsed = refresherFields.safeParse(body);
  const seen = new Set<string>();
  if (!parsed.success)
    for (const i of parsed.error.issues) {
      const field = String(i.path[0] ?? 'form');
      if (seen.has(field)) continue;
      seen.add(field);
      errors.push({
        field,
        message:
          field === 'courseId'
            ? 'Select a course'
            : i.message.startsWith('Must be ')
              ? `Reason must be ${i.message.slice(8)}`
              : i.message,
      });
    }
  const dueOn = dateFrom(body, 'dueOn', 'date it is due by', false, errors);
  if (errors.length || !parsed.success) throw new ValidationError(errors);
  return { ...parsed.data, dueOn };
}

export const policyForm = z.object({
  policy: z.enum(Object.keys(POLICIES) as [keyof typeof POLICIES], { error: 'Select warn or require' }),
});

export const readinessQuery = z
  .object({
    team: z
      .string()
      .optional()
      .transform((v) => (v && /^\d+$/.test(v) ? Number(v) : null)),
    show: z
      .enum(['all', 'not_ready', 'ready'])
      .optional()
      .catch('all')
      .transform((v) => v ?? 'all'),
  })
  .transform(({ team, show }) => ({ teamId: team, show }));
