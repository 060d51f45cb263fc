import { z } from 'zod';
import { DateTime } from 'luxon';
import { ZONE } from '../../time/london.ts';
import { dateFrom, optionalId, optionalText, parseWith, requiredText } from '../../web/validation.ts';
import { ValidationError, type FieldError } from '../../errors.ts';
import { JOB_ROLE_KEYS } from '../people/job-roles.ts';
import { COST_ACTIVITIES, EVENT_KINDS, EXEMPTIONS, OUTCOMES, type CostActivity } from './rules.ts';
import type { PeriodInput } from './statistics.ts';

export const CHANNELS = {
  email: 'Email',
  web: 'Web form',
  letter: 'Letter',
  phone: 'Telephone (EIR only)',
  in_person: 'In person (EIR only)',
  social_media: 'Social media',
} as const;
export const REGIMES = {
  foi: 'Freedom of Information Act 2000',
  eir: 'Environmental Information Regulations 2004',
} as const;

const isoDate = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .regex(/^\d{4}-\d{2}-\d{2}$/, message)
    .refine((v) => DateTime.fromISO(v, { zone: ZONE }).isValid, message);
const optionalIsoDate = (message: string) =>
  z
    .union([z.literal(''), isoDate(message)])
    .optional()
    .transform((v) => (v ? v : null));

/**
 * GOV.UK date boxes (`<name>-day`, `-month`, `-year`) read into the ISO field `<name>` the schemas
 * take. A form without the boxes keeps its ISO field (the API's query strings). Then every error at
 * once: the boxes' own, the schema's, and `more` (checks on the parsed value); an error on a date
 * given in boxes names its day box, so the summary links to it.
 */
export function parseWithDates<T>(
  input: unknown,
  dates: { name: string; label: string }[],
  parse: (body: Record<string, unknown>) => T,
  more: (body: Record<string, unknown>) => FieldError[] = () => [],
): T {
  const body: Record<string, unknown> = { ...((input ?? {}) as Record<string, unknown>) };
  const errors: FieldError[] = [];
  const boxed = new Set<string>();
  for (const d of dates) {
    if (!['day', 'month', 'year'].some((k) => body[`${d.name}-${k}`] !== undefined)) continue;
    boxed.add(d.name);
    body[d.name] = dateFrom(body, d.name, d.label, false, errors) ?? '';
  }
  let value: T | undefined;
  errors.push(...more(body));
  try {
    value = parse(body);
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    errors.push(...e.errors);
  }
  if (errors.length) {
    const named = errors.map((e) => (boxed.has(e.field) ? { ...e, field: `${e.field}-day` } : e));
    // One error a field: a date the boxes could not read is not also "missing".
    throw new ValidationError(named.filter((e, i) => named.findIndex((x) => x.field === e.field) === i));
  }
  return value!;
}

/** Form values with each ISO date `<name>` also as its date boxes, for a form that shows it (unless the boxes are there already). */
export function withDateBoxes(values: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const out = { ...values };
  for (const name of names) {
    const m = typeof values[name] === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(values[name]) : null;
    if (!m || out[`${name}-day`] !== undefined) continue;
    Object.assign(out, {
      [`${name}-day`]: String(Number(m[3])),
      [`${name}-month`]: String(Number(m[2])),
      [`${name}-year`]: m[1],
    });
  }
  return out;
}

export const newRequestForm = z.object({
  title: requiredText('Enter what the request is about', 200),
  requesterName: requiredText('Enter the requester’s name', 200),
  requesterContact: requiredText('Enter the requester’s email or postal address', 500),
  receivedOn: isoDate('Enter the date the request was received'),
  receivedTime: z
    .string()
    .trim()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Enter the time received, like 09:30')
    .optional()
    .or(z.literal(''))
    .transform((v) => v || '09:00'),
  channel: z.enum(Object.keys(CHANNELS) as [keyof typeof CHANNELS], { error: 'Select how the request arrived' }),
  regime: z.enum(['foi', 'eir'], { error: 'Select FOI or EIR' }),
  assigneeId: optionalId('Select who will answer it'),
  questions: z
    .string({ error: 'Enter the questions, one on each line' })
    .transform((v) =>
      v
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().max(4000, 'Each question must be 4,000 characters or fewer'))
        .min(1, 'Enter the questions, one on each line')
        .max(100, 'Enter 100 questions or fewer'),
    ),
});
export type NewRequestForm = z.output<typeof newRequestForm>;

/** The new request form, with the date received in date boxes: every error at once, a future date among them. */
export function parseNewRequest(input: unknown, today: string): NewRequestForm {
  return parseWithDates(
    input,
    [{ name: 'receivedOn', label: 'date received' }],
    (b) => parseWith(newRequestForm, b),
    (b) =>
      typeof b.receivedOn === 'string' && b.receivedOn > today
        ? [{ field: 'receivedOn', message: 'The date received must be today or in the past' }]
        : [],
  );
}

export const PERIODS = {
  last_years: 'Last N years',
  financial_years: 'Financial years',
  custom: 'Custom dates',
} as const;

const periodForm = z.object({
  period: z.enum(['last_years', 'financial_years', 'custom']).optional().default('last_years'),
  years: z
    .union([
      z.literal(''),
      z.coerce
        .number()
        .int('Enter a whole number of years')
        .min(1, 'Enter 1 to 20 years')
        .max(20, 'Enter 1 to 20 years'),
    ])
    .optional(),
  fromYear: z.union([z.literal(''), z.coerce.number().int().min(2000, 'Enter a year from 2000').max(2100)]).optional(),
  toYear: z.union([z.literal(''), z.coerce.number().int().min(2000, 'Enter a year from 2000').max(2100)]).optional(),
  from: optionalIsoDate('The start date must be a real date, like 1 4 2016'),
  to: optionalIsoDate('The end date must be a real date, like 31 3 2021'),
  teamId: optionalId(),
  serviceId: optionalId(),
  jobRole: z
    .union([z.literal(''), z.literal('social_workers'), z.enum(JOB_ROLE_KEYS)])
    .optional()
    .transform((v) => v || null),
  staffConcerns: z
    .union([z.literal(''), z.enum(['yes', 'no'], { error: 'Select whether concerns raised by staff are included' })])
    .optional()
    .transform((v) => (v ? v === 'yes' : null)),
});

/** A statistic's filters. `staffConcerns` null (or absent): the default from the question's wording. */
export interface StatFilter {
  period: PeriodInput;
  teamId: number | null;
  serviceId: number | null;
  jobRole: string | null;
  staffConcerns?: boolean | null;
}

/** A statistic's filters from a query string or form: the period, team, service and job role. */
export function parseStatFilter(input: unknown): StatFilter {
  return parseWithDates(
    input,
    [
      { name: 'from', label: 'start date' },
      { name: 'to', label: 'end date' },
    ],
    statFilterOf,
  );
}

/** The filter from values whose `from`/`to` are ISO dates (or empty). */
function statFilterOf(input: unknown): StatFilter {
  const f = parseWith(periodForm, input);
  const period = ((): PeriodInput => {
    if (f.period === 'financial_years') {
      if (typeof f.fromYear !== 'number')
        throw new ValidationError([{ field: 'fromYear', message: 'Enter the first financial year, like 2009' }]);
      const toYear = typeof f.toYear === 'number' ? f.toYear : f.fromYear;
      if (toYear < f.fromYear)
        throw new ValidationError([
          { field: 'toYear', message: 'The last year must be the same as or after the first' },
        ]);
      return { period: 'financial_years', fromYear: f.fromYear, toYear };
    }
    if (f.period === 'custom') {
      const missing: FieldError[] = [];
      if (!f.from) missing.push({ field: 'from', message: 'Enter the start date, like 1 4 2016' });
      if (!f.to) missing.push({ field: 'to', message: 'Enter the end date, like 31 3 2021' });
      if (!f.from || !f.to) throw new ValidationError(missing);
      if (f.to < f.from)
        throw new ValidationError([
          { field: 'to', message: 'The end date must be the same as or after the start date' },
        ]);
      return { period: 'custom', from: f.from, to: f.to };
    }
    return { period: 'last_years', years: typeof f.years === 'number' ? f.years : 2 };
  })();
  return {
    period,
    teamId: f.teamId,
    serviceId: f.serviceId,
    jobRole: f.jobRole,
    ...(f.staffConcerns === null ? {} : { staffConcerns: f.staffConcerns }),
  };
}

/** The filter as query-string values (for links, exports and the form). */
export function filterQuery(f: StatFilter): Record<string, string> {
  const out: Record<string, string> = { period: f.period.period };
  if (f.period.period === 'last_years') out.years = String(f.period.years);
  if (f.period.period === 'financial_years')
    Object.assign(out, { fromYear: String(f.period.fromYear), toYear: String(f.period.toYear) });
  if (f.period.period === 'custom') Object.assign(out, { from: f.period.from, to: f.period.to });
  if (f.teamId) out.teamId = String(f.teamId);
  if (f.serviceId) out.serviceId = String(f.serviceId);
  if (f.jobRole) out.jobRole = f.jobRole;
  if (typeof f.staffConcerns === 'boolean') out.staffConcerns = f.staffConcerns ? 'yes' : 'no';
  return out;
}

const answerBase = z.object({
  outcome: z.enum(Object.keys(OUTCOMES) as [keyof typeof OUTCOMES], { error: 'Select the outcome for this question' }),
  answer: optionalText(20000),
  advice: optionalText(4000),
  exemption: z
    .union([z.literal(''), z.enum(Object.keys(EXEMPTIONS) as [keyof typeof EXEMPTIONS])])
    .optional()
    .transform((v) => v || null),
  exemptionReasons: optionalText(8000),
  statistic: optionalText(100),
});

export interface AnswerForm extends z.output<typeof answerBase> {
  statFilter: StatFilter | null;
}

export function parseAnswerForm(input: unknown): AnswerForm {
  const a = parseWith(answerBase, input);
  if (a.outcome === 'exempt' && !a.exemption) {
    throw new ValidationError([{ field: 'exemption', message: 'Select the section the information is exempt under' }]);
  }
  if (a.outcome === 'not_held' && !a.advice && !a.answer) {
    throw new ValidationError([
      { field: 'advice', message: 'Give advice and assistance: say who may hold the information' },
    ]);
  }
  if (a.outcome === 'provided' && !a.answer && !a.statistic) {
    throw new ValidationError([{ field: 'answer', message: 'Enter the answer, or attach a statistic' }]);
  }
  return { ...a, statFilter: a.statistic ? parseStatFilter(input) : null };
}

export const eventForm = z
  .object({
    kind: z.enum(['close', 'redirect_sar', ...Object.keys(EVENT_KINDS)] as [string, ...string[]], {
      error: 'Select what happened',
    }),
    on: isoDate('Enter the date it happened'),
    targetDate: optionalIsoDate('The new target date must be a real date, like 2 4 2012'),
    notes: optionalText(2000),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'pi_extension' && !v.targetDate)
      ctx.addIssue({
        code: 'custom',
        path: ['targetDate'],
        message: 'Enter the new target date for the public interest test',
      });
  });
export type EventForm = z.output<typeof eventForm>;

/** A clock event, its dates in date boxes: every error at once, a future date among them. */
export function parseEvent(input: unknown, today: string): EventForm {
  return parseWithDates(
    input,
    [
      { name: 'on', label: 'date it happened' },
      { name: 'targetDate', label: 'new target date' },
    ],
    (b) => parseWith(eventForm, b),
    (b) =>
      typeof b.on === 'string' && b.on > today
        ? [{ field: 'on', message: 'The date it happened must be today or in the past' }]
        : [],
  );
}

const hours = (label: string) =>
  z
    .union([
      z.literal(''),
      z.coerce
        .number({ error: `Enter the hours for ${label}` })
        .min(0, 'Hours cannot be negative')
        .max(10000, 'Enter 10,000 hours or fewer'),
    ])
    .optional()
    .transform((v) => (typeof v === 'number' ? v : 0));
export const costForm = z.object(
  Object.fromEntries(
    (Object.keys(COST_ACTIVITIES) as CostActivity[]).map((k) => [k, hours(COST_ACTIVITIES[k].toLowerCase())]),
  ) as Record<CostActivity, ReturnType<typeof hours>>,
);

export const assigneeForm = z.object({ assigneeId: optionalId('Select who will answer it') });
