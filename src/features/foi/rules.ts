import type { WorkingDayCalendar } from '../../time/working-days.ts';

/**
 * Freedom of Information rules, pure: the s10 clock with its stops and extensions, the internal
 * review, the s12 cost limit, references, and timeliness. Dates are ISO `YYYY-MM-DD` London days.
 */

/**
 * How a request received on a non-working day is counted (a policy setting):
 * - `ico`: the day of receipt is day 0 whatever it is, so day 1 is the first working day after it;
 * - `council` (Code of Practice reading, seed 003): the request counts as received on the next
 *   working day, which is then day 0.
 * On a working day both readings agree.
 */
export const RECEIPT_READINGS = {
  council: 'Code of Practice / council reading: received on the next working day',
  ico: 'ICO reading: day 1 is the first working day after the day of receipt',
} as const;
export type ReceiptReading = keyof typeof RECEIPT_READINGS;

export const STATUTORY_DAYS = 20;
export const REVIEW_REQUEST_DAYS = 40;
export const REVIEW_TARGET_DAYS = 20;
export const REVIEW_EXCEPTIONAL_DAYS = 40;
/** EIR: reg. 7(1) extends 20 working days to 40; reg. 11(4) gives the reconsideration 40. */
export const EIR_EXTENDED_DAYS = 40;
export const EIR_REVIEW_DAYS = 40;
export type Regime = 'foi' | 'eir';

/** Day 0 of a clock started by something received on `date`. */
export function dayZero(date: string, cal: WorkingDayCalendar, reading: ReceiptReading): string {
  return reading === 'council' ? cal.nextWorkingDay(date, true) : date;
}

/** The 20th working day following receipt (FOIA s10(1)). */
export function statutoryDue(received: string, cal: WorkingDayCalendar, reading: ReceiptReading): string {
  return cal.addWorkingDays(dayZero(received, cal, reading), STATUTORY_DAYS);
}

export const EVENT_KINDS = {
  clarification_sought: 'Clarification sought (s1(3)): clock stopped',
  clarification_received: 'Clarification received: 20 working days start again',
  fees_notice: 'Fees notice issued (s9): clock paused',
  fee_paid: 'Fee paid: clock restarts',
  pi_extension: 'Public interest extension (s10(3)): new target date',
  eir_extension: 'Complex and voluminous (EIR reg. 7(1)): 40 working days',
  response_sent: 'Response sent',
  review_requested: 'Internal review requested',
  review_exceptional: 'Internal review: exceptional case (40 working days)',
  review_completed: 'Internal review completed',
  ico_complaint: 'Complaint to the Information Commissioner',
  decision_notice: 'ICO decision notice',
} as const;
export type EventKind = keyof typeof EVENT_KINDS;

export interface ClockEvent {
  kind: EventKind;
  on: string;
  targetDate?: string | null;
}

export interface Deadlines {
  /** Day 0 as the setting reads it. */
  dayZero: string;
  /** The statutory date: the 20th working day (after any restart or pause). Null while the clock is stopped. */
  due: string | null;
  /** The refusal notice (s17) is due by day 20 even when the public interest test is extended; under an EIR reg. 7 extension (reg. 14), by day 40. */
  s17Due: string | null;
  /** When the answer is due: the public interest extension's target, or `due`. */
  responseDue: string | null;
  /** Why the clock is not running, if it is not. */
  stopped: 'clarification' | 'fees' | null;
  /** Working days counted before a pause, when one has happened. */
  daysUsedBeforePause: number;
  responded: string | null;
  /** The last day to ask for an internal review: 40 working days after the response. */
  reviewRequestBy: string | null;
  reviewRequested: string | null;
  /** 20 working days from receipt of the review request, or 40 in exceptional cases. */
  reviewDue: string | null;
  reviewCompleted: string | null;
  icoComplaint: string | null;
  decisionNotice: string | null;
}

/**
 * Works the s10 clock through the request's events in date order:
 * - a clarification sought (s1(3)) stops the clock; its receipt starts 20 new working days;
 * - a fees notice (s9) pauses the clock: the working days after day 0 up to and including the day
 *   the notice was sent are used; when the fee is paid the clock resumes for the days left;
 * - a public interest extension (s10(3)) sets a new target for the answer, and the s17 notice is
 *   still due on day 20.
 * Anything received on a non-working day counts by the same receipt reading as the request.
 */
export function deadlines(
  received: string,
  events: readonly ClockEvent[],
  cal: WorkingDayCalendar,
  reading: ReceiptReading,
  regime: Regime = 'foi',
): Deadlines {
  const sorted = [...events].sort((a, b) => a.on.localeCompare(b.on) || order(a.kind) - order(b.kind));
  let zero = dayZero(received, cal, reading);
  let remaining = STATUTORY_DAYS;
  let stopped: Deadlines['stopped'] = null;
  let used = 0;
  let extension: string | null = null;
  let eirExtended = false;
  let responded: string | null = null,
    reviewRequested: string | null = null,
    reviewCompleted: string | null = null;
  let exceptional = false,
    icoComplaint: string | null = null,
    decisionNotice: string | null = null;
  for (const e of sorted) {
    switch (e.kind) {
      case 'clarification_sought':
        if (!responded) stopped = 'clarification';
        break;
      case 'clarification_received':
        if (stopped === 'clarification') {
          stopped = null;
          zero = dayZero(e.on, cal, reading);
          remaining = STATUTORY_DAYS;
          used = 0;
          extension = null;
          eirExtended = false;
        }
        break;
      case 'fees_notice':
        if (!stopped && !responded) {
          used = Math.min(remaining, cal.workingDaysBetween(zero, e.on));
          remaining -= used;
          stopped = 'fees';
        }
        break;
      case 'fee_paid':
        if (stopped === 'fees') {
          stopped = null;
          zero = dayZero(e.on, cal, reading);
        }
        break;
      case 'pi_extension':
        // The public interest extension is FOIA's alone; the EIR have no such test of time.
        if (regime === 'foi') extension = e.targetDate ?? null;
        break;
      case 'eir_extension':
        if (regime === 'eir') eirExtended = true;
        break;
      case 'response_sent':
        responded = e.on;
        break;
      case 'review_requested':
        reviewRequested = e.on;
        break;
      case 'review_exceptional':
        exceptional = true;
        break;
      case 'review_completed':
        reviewCompleted = e.on;
        break;
      case 'ico_complaint':
        icoComplaint = e.on;
        break;
      case 'decision_notice':
        decisionNotice = e.on;
        break;
    }
  }
  const due = stopped ? null : cal.addWorkingDays(zero, remaining);
  // EIR reg. 7(1): the information, and any refusal (reg. 14(3)), by the 40th working day instead.
  const eirDue = due && eirExtended ? cal.addWorkingDays(zero, remaining + EIR_EXTENDED_DAYS - STATUTORY_DAYS) : null;
  return {
    dayZero: zero,
    due,
    s17Due: eirDue ?? due,
    responseDue: eirDue ?? (due && extension && extension > due ? extension : due),
    stopped,
    daysUsedBeforePause: used,
    responded,
    reviewRequestBy: responded ? reviewRequestBy(responded, cal) : null,
    reviewRequested,
    reviewDue: reviewRequested
      ? regime === 'eir'
        ? cal.addWorkingDays(dayZero(reviewRequested, cal, reading), EIR_REVIEW_DAYS)
        : reviewDue(reviewRequested, cal, reading, exceptional)
      : null,
    reviewCompleted,
    icoComplaint,
    decisionNotice,
  };
}

/** Same-day events: the one that stops the clock before the one that restarts it. */
function order(kind: EventKind): number {
  return Object.keys(EVENT_KINDS).indexOf(kind);
}

/** Seed 000: "you have 40 working days from the date of this response to ask for a review". */
export function reviewRequestBy(responded: string, cal: WorkingDayCalendar): string {
  return cal.addWorkingDays(responded, REVIEW_REQUEST_DAYS);
}

/** Internal review target: 20 working days from receipt, 40 in exceptional cases. */
export function reviewDue(
  requested: string,
  cal: WorkingDayCalendar,
  reading: ReceiptReading,
  exceptional = false,
): string {
  return cal.addWorkingDays(
    dayZero(requested, cal, reading),
    exceptional ? REVIEW_EXCEPTIONAL_DAYS : REVIEW_TARGET_DAYS,
  );
}

/** Answered on time: the response went by the date it was due (the extension's target, if any). */
export function answeredOnTime(d: Pick<Deadlines, 'responded' | 'responseDue'>): boolean | null {
  if (!d.responded || !d.responseDue) return null;
  return d.responded <= d.responseDue;
}

// ---- s12 cost limit ------------------------------------------------------------------------------

/** The Fees Regulations 2004: £25 an hour, £450 for a local authority (18 hours). */
export const HOURLY_RATE_POUNDS = 25;
export const COST_LIMIT_POUNDS = 450;

export const COST_ACTIVITIES = {
  determining: 'Determining whether the information is held',
  locating: 'Locating the information',
  retrieving: 'Retrieving the information',
  extracting: 'Extracting the information',
} as const;
export type CostActivity = keyof typeof COST_ACTIVITIES;
export type CostEstimate = Record<CostActivity, number>;

export interface CostResult {
  hours: number;
  cost: number;
  limitHours: number;
  exceeds: boolean;
  lines: string[];
  wording: string;
}

const hoursText = (h: number) => `${Number.isInteger(h) ? h : h.toFixed(1)} hour${h === 1 ? '' : 's'}`;
const pounds = (n: number) => `£${Number.isInteger(n) ? n : n.toFixed(2)}`;

/** The arithmetic that goes into a s12 refusal: hours per permitted activity × £25 against £450. */
export function costLimit(estimate: CostEstimate): CostResult {
  const keys = Object.keys(COST_ACTIVITIES) as CostActivity[];
  const hours = keys.reduce((sum, k) => sum + (estimate[k] ?? 0), 0);
  const cost = hours * HOURLY_RATE_POUNDS;
  const limitHours = COST_LIMIT_POUNDS / HOURLY_RATE_POUNDS;
  const exceeds = cost > COST_LIMIT_POUNDS;
  const lines = keys.map((k) => `${COST_ACTIVITIES[k]}: ${hoursText(estimate[k] ?? 0)}`);
  const wording = exceeds
    ? `We estimate that determining whether we hold the information, locating, retrieving and extracting it would take ${hoursText(hours)}. At the £${HOURLY_RATE_POUNDS} hourly rate set by the Freedom of Information and Data Protection (Appropriate Limit and Fees) Regulations 2004, that is ${pounds(cost)}, which exceeds the £${COST_LIMIT_POUNDS} cost limit (${limitHours} hours). Therefore, under section 12 of the Freedom of Information Act 2000, we are not obliged to comply with this part of your request.`
    : `The estimated ${hoursText(hours)} (${pounds(cost)}) is within the £${COST_LIMIT_POUNDS} cost limit (${limitHours} hours): section 12 does not apply.`;
  return { hours, cost, limitHours, exceeds, lines, wording };
}

// ---- Outcomes and exemptions -----------------------------------------------------------------------

export const OUTCOMES = {
  provided: 'Information provided',
  not_held: 'Not held',
  exempt: 'Exempt',
  partly_provided: 'Partly provided',
} as const;
export type Outcome = keyof typeof OUTCOMES;

/** The usual sections, with the words each puts into the s17 refusal notice. */
export const EXEMPTIONS = {
  s12: 'section 12 (cost of compliance exceeds the appropriate limit)',
  s14: 'section 14 (vexatious or repeated request)',
  s21: 'section 21 (information reasonably accessible to you by other means)',
  s22: 'section 22 (information intended for future publication)',
  s30: 'section 30 (investigations and proceedings)',
  s31: 'section 31 (law enforcement)',
  s36: 'section 36 (prejudice to the effective conduct of public affairs)',
  s38: 'section 38 (health and safety)',
  s40: 'section 40(2) (personal information)',
  s41: 'section 41 (information provided in confidence)',
  s42: 'section 42 (legal professional privilege)',
  s43: 'section 43 (commercial interests)',
} as const;
export type Exemption = keyof typeof EXEMPTIONS;

/** The s17 refusal paragraph for a question refused under `section`. */
export function refusalWording(section: Exemption, reasons: string | null): string {
  const base = `This part of your request is refused under ${EXEMPTIONS[section]} of the Freedom of Information Act 2000. This letter is a refusal notice under section 17 of the Act.`;
  return reasons ? `${base} ${reasons}` : base;
}

// ---- References ----------------------------------------------------------------------------------

/**
 * A request reference from the configured pattern: `{yyyy}` and `{yy}` are the year received,
 * `{seq}` the sequence number within the year, `{seq:N}` zero-padded to N digits.
 * The default `FOI/{yy}/{seq:4}` gives seed 003's `FOI/12/0179`.
 */
export function formatReference(pattern: string, year: number, seq: number): string {
  return pattern
    .replace(/\{yyyy\}/g, String(year))
    .replace(/\{yy\}/g, String(year).slice(-2))
    .replace(/\{seq(?::(\d+))?\}/g, (_m, width?: string) => String(seq).padStart(width ? Number(width) : 1, '0'));
}

// ---- Reminders -----------------------------------------------------------------------------------

export type ReminderKind = 'due_in_5_days' | 'due_tomorrow' | 'overdue';

/**
 * The reminder to send the assignee today for a deadline, or null: 5 working days before, the
 * working day before, and once overdue. Only the most urgent unsent one is sent.
 */
export function reminderDue(
  due: string,
  today: string,
  cal: WorkingDayCalendar,
  sent: readonly ReminderKind[],
): ReminderKind | null {
  let kind: ReminderKind | null = null;
  if (today > due) kind = 'overdue';
  else if (cal.workingDaysBetween(today, due) <= 1) kind = 'due_tomorrow';
  else if (cal.workingDaysBetween(today, due) <= 5) kind = 'due_in_5_days';
  if (!kind || sent.includes(kind)) return null;
  return kind;
}

// ---- Dashboard -----------------------------------------------------------------------------------

export interface TimelinessRow {
  responseDue: string | null;
  responded: string | null;
}

/** Percentage answered on time, by month the answer was due (the figure the ICO monitors). */
export function onTimeByMonth(
  rows: readonly TimelinessRow[],
): { month: string; due: number; onTime: number; percent: number }[] {
  const months = new Map<string, { due: number; onTime: number }>();
  for (const r of rows) {
    if (!r.responded || !r.responseDue) continue;
    const m = r.responseDue.slice(0, 7);
    const v = months.get(m) ?? { due: 0, onTime: 0 };
    v.due++;
    if (r.responded <= r.responseDue) v.onTime++;
    months.set(m, v);
  }
  return [...months]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, v]) => ({ month, ...v, percent: Math.round((v.onTime / v.due) * 100) }));
}
