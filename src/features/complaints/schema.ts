import { z } from 'zod';
import { ValidationError, type FieldError } from '../../errors.ts';
import { dateFrom, fieldErrors, optionalId, optionalText, parseWith, requiredText } from '../../web/validation.ts';
import { isoDate, longDate } from '../../time/london.ts';
import {
  ACTION_KINDS,
  ALLEGATION_CATEGORIES,
  CHANNELS,
  COMPLAINANT_TYPES,
  DISCIPLINARY_OUTCOMES,
  FINDINGS,
  PROCEDURES,
  REFERRAL_BODIES,
  type ActionKind,
  type Channel,
  type ComplainantType,
  type DisciplinaryOutcome,
  type Finding,
  type Procedure,
  type ReferralBody,
} from './rules.ts';

type Body = Record<string, unknown>;
const keys = <T extends string>(o: Record<T, string>) => Object.keys(o) as [T, ...T[]];
const asList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? [v] : [];

/** A GOV.UK date input (`field-day`, `field-month`, `field-year`), or an ISO `field` from the API; errors point at `field-day`. */
export function dateField(
  input: Body,
  field: string,
  label: string,
  errors: FieldError[],
  required = true,
): string | null {
  const iso = input[field];
  if (typeof iso === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(iso.trim())) {
    const v = iso.trim();
    const ok = isoDate(v.slice(8, 10), v.slice(5, 7), v.slice(0, 4));
    if (ok) return ok;
  }
  const box = (part: string) =>
    typeof input[`${field}-${part}`] === 'string' ? (input[`${field}-${part}`] as string).trim() : '';
  const [d, m, y] = [box('day'), box('month'), box('year')];
  if (!d && !m && !y && !(typeof iso === 'string' && iso.trim())) {
    if (required) errors.push({ field: `${field}-day`, message: `Enter ${label}` });
    return null;
  }
  const value = /^\d{4}$/.test(y) ? isoDate(d, m, y) : null;
  if (!value)
    errors.push({
      field: `${field}-day`,
      message: `${label[0]!.toUpperCase()}${label.slice(1)} must be a real date, for example 27 3 2027`,
    });
  return value;
}

function finish<T>(result: z.ZodSafeParseResult<T>, errors: FieldError[]): T {
  const all = [...(result.success ? [] : fieldErrors(result.error)), ...errors];
  if (all.length || !result.success) throw new ValidationError(all);
  return result.data;
}

const complaintFields = z.object({
  channel: z.enum(keys(CHANNELS), { error: 'Select how the complaint was made' }),
  procedure: z.enum(keys(PROCEDURES), { error: 'Select the procedure' }),
  complainantType: z.enum(keys(COMPLAINANT_TYPES), { error: 'Select who is complaining' }),
  complainantName: optionalText(200),
  complainantContact: optionalText(1000),
  household: optionalText(200),
  teamId: optionalId('Select a team from the list'),
  summary: requiredText('Summarise the complaint', 5000),
  lateReason: optionalText(2000),
});

export interface ComplaintForm {
  receivedOn: string;
  matterOn: string | null;
  channel: Channel;
  procedure: Procedure;
  complainantType: ComplainantType;
  complainantName: string | null;
  complainantContact: string | null;
  household: string | null;
  teamId: number | null;
  summary: string;
  lateReason: string | null;
  staffIds: number[];
  allegations: string[];
  /** More staff by employee number (upper-cased), for complaints naming several people. */
  staffNumbers?: string[];
}

export function parseComplaintForm(body: unknown): ComplaintForm {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const receivedOn = dateField(input, 'receivedOn', 'the date the complaint was received', errors);
  const matterOn = dateField(input, 'matterOn', 'the date of the matter complained about', errors, false);
  const staffIds = asList(input.staffIds)
    .filter((v) => v !== '')
    .map(Number);
  const otherStaff = typeof input.otherStaff === 'string' ? input.otherStaff : '';
  const staffNumbers = [
    ...new Set(
      otherStaff
        .split(/[\s,;]+/)
        .map((v) => v.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
  if (otherStaff.length > 1000) errors.push({ field: 'otherStaff', message: 'Must be 1000 characters or fewer' });
  if (!staffIds.length && !staffNumbers.length)
    errors.push({ field: 'staffIds', message: 'Select the member of staff complained about' });
  else if (staffIds.some((n) => !Number.isInteger(n) || n <= 0))
    errors.push({ field: 'staffIds', message: 'Select staff from the list' });
  const allegations = asList(input.allegations);
  if (!allegations.length) errors.push({ field: 'allegations', message: 'Select at least one allegation' });
  else if (allegations.some((a) => !(a in ALLEGATION_CATEGORIES)))
    errors.push({ field: 'allegations', message: 'Select allegations from the list' });
  const data = finish(complaintFields.safeParse(input), errors);
  return {
    ...data,
    receivedOn: receivedOn!,
    matterOn,
    staffIds: [...new Set(staffIds)],
    staffNumbers,
    allegations: [...new Set(allegations)],
  };
}

export function parseStage2Form(body: unknown) {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const startedOn = dateField(input, 'stage2StartedOn', 'the date stage 2 was requested', errors);
  const data = finish(
    z
      .object({
        investigatingOfficer: requiredText('Enter the investigating officer', 200),
        independentPerson: requiredText('Enter the independent person', 200),
      })
      .safeParse(input),
    errors,
  );
  return { ...data, startedOn: startedOn! };
}

export function parseDateOnly(body: unknown, field: string, label: string) {
  const errors: FieldError[] = [];
  const on = dateField((body ?? {}) as Body, field, label, errors);
  if (errors.length) throw new ValidationError(errors);
  return on!;
}

export function parseExtensionForm(body: unknown) {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const to = dateField(input, 'extendTo', 'the new deadline', errors);
  const data = finish(
    z.object({ extensionReason: requiredText('Enter the reason for the extension', 2000) }).safeParse(input),
    errors,
  );
  return { reason: data.extensionReason, to: to! };
}

export function parseMilestoneForm(body: unknown): { what: 'responded' | 'panel' | 'report'; on: string } {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const on = dateField(input, 'milestoneOn', 'the date', errors);
  const data = finish(
    z.object({ what: z.enum(['responded', 'panel', 'report'], { error: 'Select what happened' }) }).safeParse(input),
    errors,
  );
  return { what: data.what, on: on! };
}

export function parseCloseForm(body: unknown): { kind: 'withdrawn' | 'not_investigated'; on: string; reason: string } {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const on = dateField(input, 'closeOn', 'the date', errors);
  const data = finish(
    z
      .object({
        closeKind: z.enum(['withdrawn', 'not_investigated'], {
          error: 'Select whether the complaint was withdrawn or will not be investigated',
        }),
        closeReason: requiredText('Enter the reason', 2000),
      })
      .safeParse(input),
    errors,
  );
  return { kind: data.closeKind, on: on!, reason: data.closeReason };
}

/** Findings: `finding-<allegationId>` for each allegation; the date they were decided. */
export function parseFindingsForm(
  body: unknown,
  allegationIds: number[],
): { on: string; findings: { id: number; finding: Finding }[] } {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const on = dateField(input, 'findingsOn', 'the date of the findings', errors);
  const findings: { id: number; finding: Finding }[] = [];
  for (const id of allegationIds) {
    const v = input[`finding-${id}`];
    if (typeof v === 'string' && v in FINDINGS) findings.push({ id, finding: v as Finding });
    else errors.push({ field: `finding-${id}`, message: 'Select upheld, partially upheld or not upheld' });
  }
  if (errors.length) throw new ValidationError(errors);
  return { on: on!, findings };
}

export interface ActionForm {
  kind: ActionKind;
  staffId: number | null;
  detail: string | null;
}
export function parseActionForm(body: unknown): ActionForm {
  const data = parseWith(
    z.object({
      actionKind: z.enum(keys(ACTION_KINDS), { error: 'Select the action' }),
      actionStaffId: optionalId('Select a member of staff from the list'),
      actionDetail: optionalText(2000),
    }),
    body,
  );
  return { kind: data.actionKind, staffId: data.actionStaffId, detail: data.actionDetail };
}

export function parseDisciplinaryForm(body: unknown, actionId: number): { outcome: DisciplinaryOutcome; on: string } {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const on = dateField(input, `outcomeOn-${actionId}`, 'the date of the outcome', errors);
  const outcome = input[`outcome-${actionId}`];
  if (!(typeof outcome === 'string' && outcome in DISCIPLINARY_OUTCOMES))
    errors.unshift({ field: `outcome-${actionId}`, message: 'Select the disciplinary outcome' });
  if (errors.length) throw new ValidationError(errors);
  return { outcome: outcome as DisciplinaryOutcome, on: on! };
}

export function parseReferralForm(body: unknown): {
  body: ReferralBody;
  referredOn: string;
  decision: string | null;
  decidedOn: string | null;
} {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const referredOn = dateField(input, 'referredOn', 'the date of the referral', errors);
  const decidedOn = dateField(input, 'decidedOn', 'the date of the decision', errors, false);
  const data = finish(
    z
      .object({
        referralBody: z.enum(keys(REFERRAL_BODIES), { error: 'Select who it was referred to' }),
        decision: optionalText(2000),
      })
      .safeParse(input),
    errors,
  );
  if (decidedOn && !data.decision) throw new ValidationError([{ field: 'decision', message: 'Enter the decision' }]);
  return { body: data.referralBody, referredOn: referredOn!, decision: data.decision, decidedOn };
}

export function parseReferralDecisionForm(body: unknown, referralId: number): { decision: string; on: string } {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const decision =
    typeof input[`decision-${referralId}`] === 'string' ? (input[`decision-${referralId}`] as string).trim() : '';
  if (!decision) errors.push({ field: `decision-${referralId}`, message: 'Enter the decision' });
  else if (decision.length > 2000)
    errors.push({ field: `decision-${referralId}`, message: 'Must be 2000 characters or fewer' });
  const on = dateField(input, `decidedOn-${referralId}`, 'the date of the decision', errors);
  if (errors.length) throw new ValidationError(errors);
  return { decision, on: on! };
}

export function parseLearningForm(body: unknown): { learning: string; closedOn: string | null } {
  const input = (body ?? {}) as Body;
  const errors: FieldError[] = [];
  const closedOn = dateField(input, 'closedOn', 'the date the complaint was closed', errors, false);
  const data = finish(
    z.object({ learning: requiredText('Enter the learning for the service', 5000) }).safeParse(input),
    errors,
  );
  return { learning: data.learning, closedOn };
}

const isoDay = (message: string) =>
  z
    .string()
    .trim()
    .optional()
    .refine(
      (v) => !v || (/^\d{4}-\d{2}-\d{2}$/.test(v) && isoDate(v.slice(8, 10), v.slice(5, 7), v.slice(0, 4)) !== null),
      message,
    )
    .transform((v) => (v ? v : null));

export const periodForm = z.object({
  from: isoDay('Enter the start of the period as a date, like 2016-04-01'),
  to: isoDay('Enter the end of the period as a date, like 2017-03-31'),
  teamId: optionalId('Select a team from the list'),
  status: z
    .enum(['', 'open', 'closed'])
    .optional()
    .transform((v) => (v ? v : null)),
});
export type PeriodForm = z.output<typeof periodForm>;
export const parsePeriod = (query: unknown) => parseWith(periodForm, query);

export const LIST_STATUSES = { open: 'Open', closed: 'Closed' } as const;
export const LIST_STAGES = { '1': 'Stage 1', '2': 'Stage 2', '3': 'Stage 3' } as const;
export const LIST_DEADLINES = { breached: 'Breached' } as const;
export interface ComplaintListFilter {
  from: string | null;
  to: string | null;
  teamId: number | null;
  status: keyof typeof LIST_STATUSES | null;
  stage: 1 | 2 | 3 | null;
  breached: boolean;
  q: string;
}
const one = (query: unknown, name: string) => {
  const v = (query as Record<string, unknown> | null | undefined)?.[name];
  return typeof v === 'string' ? v.trim() : '';
};
const BOX_PARTS = ['day', 'month', 'year'] as const;
/**
 * The complaints list's filters, every problem at once. The period is GOV.UK date boxes
 * (`from-day`, `from-month`, `from-year`), each error named by its day box; an older link's
 * `from=2026-01-31` still works. A repeated parameter, or a choice not in the list, is ignored.
 */
export function parseListFilter(query: unknown): ComplaintListFilter {
  const errors: FieldError[] = [];
  const period = (prefix: 'from' | 'to', label: string) => {
    const boxes = Object.fromEntries(BOX_PARTS.map((p) => [`${prefix}-${p}`, one(query, `${prefix}-${p}`)]));
    if (Object.values(boxes).some(Boolean)) return dateFrom(boxes, prefix, label, false, errors);
    const iso = one(query, prefix);
    if (!iso) return null;
    const ok = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? isoDate(iso.slice(8, 10), iso.slice(5, 7), iso.slice(0, 4)) : null;
    if (!ok) errors.push({ field: `${prefix}-day`, message: `The ${label} must be a real date, like 27 3 2026` });
    return ok;
  };
  const from = period('from', 'start of the period');
  const to = period('to', 'end of the period');
  if (from && to && to < from)
    errors.push({ field: 'to-day', message: `The end of the period must be on or after ${longDate(from)}` });
  const team = one(query, 'teamId');
  const teamId = /^\d{1,9}$/.test(team) && Number(team) > 0 ? Number(team) : null;
  if (team && teamId === null) errors.push({ field: 'teamId', message: 'Select a team from the list' });
  if (errors.length) throw new ValidationError(errors);
  const status = one(query, 'status');
  const stage = one(query, 'stage');
  return {
    from,
    to,
    teamId,
    status: Object.hasOwn(LIST_STATUSES, status) ? (status as keyof typeof LIST_STATUSES) : null,
    stage: Object.hasOwn(LIST_STAGES, stage) ? (Number(stage) as 1 | 2 | 3) : null,
    breached: one(query, 'deadline') === 'breached',
    q: one(query, 'q').slice(0, 100),
  };
}

/** The period's boxes for the page: as typed, or from an older link's `from=2026-01-31`. */
export function listFilterBoxes(query: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  for (const prefix of ['from', 'to']) {
    const typed = BOX_PARTS.some((p) => one(query, `${prefix}-${p}`));
    for (const p of BOX_PARTS) values[`${prefix}-${p}`] = one(query, `${prefix}-${p}`);
    const iso = one(query, prefix);
    if (!typed && /^\d{4}-\d{2}-\d{2}$/.test(iso))
      Object.assign(values, {
        [`${prefix}-day`]: String(Number(iso.slice(8, 10))),
        [`${prefix}-month`]: String(Number(iso.slice(5, 7))),
        [`${prefix}-year`]: iso.slice(0, 4),
      });
  }
  return values;
}

/** Naming another member of staff on a recorded complaint, by employee number. */
export const nameStaffForm = z.object({
  staffNumber: z
    .string()
    .trim()
    .min(1, 'Enter the employee number of the member of staff, like E1001')
    .max(40, 'Enter an employee number, like E1001')
    .transform((v) => v.toUpperCase()),
});
