import { z } from 'zod';
import { REFERRAL_TYPES, type ReferralType } from '../risk/rating.ts';
import { dateFrom, optionalId, optionalText, postcode } from '../../web/validation.ts';
import { choiceParam, textParam } from '../../web/paging.ts';
import { ValidationError, type FieldError } from '../../errors.ts';
import { longDate } from '../../time/london.ts';

export const VISIT_KINDS = {
  visit: 'Home or community visit',
  office: 'Lone working in the office',
  home_working: 'Home working',
  building_lone_working: 'Early start or late finish in a building',
  key_holder_callout: 'Key holder call-out or locking up',
} as const;
export type VisitKind = keyof typeof VISIT_KINDS;

export const CASE_SYSTEMS = {
  liberi: 'Liberi',
  ehm: 'EHM',
  cdy: 'CDY',
  core_plus: 'Core+',
  synergy: 'Synergy',
  other: 'Other',
} as const;

const time = (message: string) =>
  z
    .string({ error: message })
    .trim()
    .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, message)
    .transform((v) => v.padStart(5, '0'));

/** The plan-a-visit form, as posted. Dates come from govukDateInput's three boxes. */
export const visitForm = z.object({
  workerId: optionalId('Select who is doing the visit'),
  kind: z.enum(Object.keys(VISIT_KINDS) as [VisitKind, ...VisitKind[]], {
    error: 'Select what kind of lone working this is',
  }),
  'date-day': z
    .string()
    .trim()
    .regex(/^\d{1,2}$/, 'Enter the date of the visit, for example 27 3 2026'),
  'date-month': z
    .string()
    .trim()
    .regex(/^\d{1,2}$/, 'Enter the date of the visit, for example 27 3 2026'),
  'date-year': z
    .string()
    .trim()
    .regex(/^\d{4}$/, 'Enter the date of the visit, for example 27 3 2026'),
  startTime: time('Enter the start time in 24-hour format, for example 09:30'),
  endTime: time('Enter the expected end time in 24-hour format, for example 11:00'),
  address: optionalText(300),
  postcode: z
    .union([z.literal(''), postcode()])
    .optional()
    .transform((v) => v || null),
  latitude: z
    .union([
      z.literal(''),
      z.coerce.number().min(49, 'Latitude must be in the UK').max(61, 'Latitude must be in the UK'),
    ])
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v)),
  longitude: z
    .union([
      z.literal(''),
      z.coerce.number().min(-9, 'Longitude must be in the UK').max(2, 'Longitude must be in the UK'),
    ])
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v)),
  caseSystem: z
    .union([
      z.literal(''),
      z.enum(Object.keys(CASE_SYSTEMS) as [string, ...string[]], { error: 'Select the case system' }),
    ])
    .optional()
    .transform((v) => v || null),
  caseId: z
    .string()
    .trim()
    .max(40, 'Case ID must be 40 characters or fewer')
    .regex(/^[A-Za-z0-9/ -]*$/, 'Case ID must only include letters, numbers, spaces, hyphens and slashes')
    .optional()
    .transform((v) => v || null),
  description: optionalText(120),
  jointPartnerId: optionalId('Select a colleague from the list'),
  notes: optionalText(1000),
  buildingId: optionalId('Select a building'),
  referralType: z
    .union([
      z.literal(''),
      z.enum(Object.keys(REFERRAL_TYPES) as [ReferralType, ...ReferralType[]], { error: 'Select the referral type' }),
    ])
    .optional()
    .transform((v) => (v || null) as ReferralType | null),
});
export type VisitForm = z.output<typeof visitForm>;

export const extendForm = z.object({
  minutes: z.coerce
    .number({ error: 'Choose how long to extend by' })
    .int()
    .refine((m) => [15, 30, 60, 120].includes(m), 'Choose how long to extend by'),
});

/** The states a visit can be in, as the history's filter offers them. */
export const HISTORY_STATES = {
  planned: 'Planned',
  in_progress: 'In progress',
  overdue: 'Overdue',
  completed: 'Finished safely',
  cancelled: 'Cancelled',
} as const;
export type HistoryState = keyof typeof HISTORY_STATES;
export interface HistoryFilter {
  from: string | null;
  to: string | null;
  q: string;
  state: HistoryState | null;
}

/**
 * The visit history's filters, every problem at once, each named by its field: a period in GOV.UK
 * date boxes (`from-day`, `from-month`, `from-year`, the same for `to`), a search and a state.
 * A repeated date box is refused (400); a repeated search or a state not in the list is ignored.
 */
export function parseHistoryFilter(query: unknown): HistoryFilter {
  const q = (query ?? {}) as Record<string, unknown>;
  const errors: FieldError[] = [];
  const from = dateFrom(q, 'from', 'date from', false, errors);
  const to = dateFrom(q, 'to', 'date to', false, errors);
  if (from && to && to < from)
    errors.push({ field: 'to-day', message: `The date to must be the same as or after ${longDate(from)}` });
  if (errors.length) throw new ValidationError(errors);
  return { from, to, q: textParam(q, 'q'), state: choiceParam(q, 'state', HISTORY_STATES) };
}
