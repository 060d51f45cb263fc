import { DateTime } from 'luxon';
import { ZONE, londonDate } from '../../time/london.ts';

/**
 * The retention schedule (issue 20): for each kind of record, how long it is kept, the event the
 * period runs from, and what happens at the end. Pure: the repository finds candidates, these rules
 * decide, so each rule is tested on its own (rules.test.ts).
 */
export interface RetentionSettings {
  /** Lone-working session locations and check-in detail: days after the session ends (90). */
  locationDays: number;
  /** Incidents and investigations: years after closure (6). */
  incidentYears: number;
  /** RIDDOR-reportable incidents: at least this many years after the report to HSE (3). */
  riddorYears: number;
  /** Complaints about staff: years after closure (6). */
  complaintYears: number;
  /** Allegations about staff who work with children: at least this many years after closure (10)... */
  allegationYears: number;
  /** ...or until the member of staff's normal retirement age, whichever is longer (67). */
  retirementAge: number;
  /** Warning flags: years after withdrawal or expiry (1). */
  flagYears: number;
  /** Register entries (declarations of interest, gifts and hospitality): years after the entry's year (6). */
  registerYears: number;
  /** FOI requester details: years after the request closes (FOI_RETENTION_YEARS, 3). */
  foiYears: number;
}

export const DEFAULT_RETENTION: RetentionSettings = {
  locationDays: 90,
  incidentYears: 6,
  riddorYears: 3,
  complaintYears: 6,
  allegationYears: 10,
  retirementAge: 67,
  flagYears: 1,
  registerYears: 6,
  foiYears: 3,
};

export const KINDS = [
  'session',
  'incident',
  'complaint',
  'warning_flag',
  'register_entry',
  'emergency_pack',
  'foi_request',
  'idempotency_key',
  'sign_in_session',
] as const;
export type Kind = (typeof KINDS)[number];
/** Kinds a legal hold may be placed on (the last two hold nothing anyone needs to keep). */
export const HOLDABLE_KINDS = [
  'session',
  'incident',
  'complaint',
  'warning_flag',
  'register_entry',
  'emergency_pack',
  'foi_request',
] as const;
export type HoldableKind = (typeof HOLDABLE_KINDS)[number];
export type Action = 'erase' | 'anonymise' | 'existing';

export interface ScheduleRow {
  kind: Kind;
  label: string;
  period: string;
  runsFrom: string;
  action: Action;
  actionText: string;
  source: string;
}

const years = (n: number) => `${n} year${n === 1 ? '' : 's'}`;

/** The schedule as people read it, from the configured periods. */
export function schedule(s: RetentionSettings): ScheduleRow[] {
  return [
    {
      kind: 'session',
      label: 'Lone-working session locations and check-in detail',
      period: `${s.locationDays} days`,
      runsFrom: 'The session ends',
      action: 'anonymise',
      actionText: 'Coordinates removed; the session and its timeline stay',
      source: 'ICO employment practices: monitoring workers (2023); RETENTION_LOCATION_DAYS',
    },
    {
      kind: 'incident',
      label: 'Incidents and investigations',
      period: `${years(s.incidentYears)} (RIDDOR-reportable: also at least ${years(s.riddorYears)} after the report, whichever is longer)`,
      runsFrom: 'The incident is closed',
      action: 'anonymise',
      actionText: 'Narrative, witnesses, places and notes removed; the counts the statistics need stay',
      source:
        'IRMS Local Government Retention Schedule (health and safety: accident and incident records); RIDDOR 2013 reg. 12; RETENTION_INCIDENT_YEARS, RETENTION_RIDDOR_YEARS',
    },
    {
      kind: 'complaint',
      label: 'Complaints about staff',
      period: `${years(s.complaintYears)}; allegations about staff who work with children: until retirement age ${s.retirementAge} or ${years(s.allegationYears)}, whichever is longer`,
      runsFrom: 'The complaint is closed',
      action: 'anonymise',
      actionText: 'Complainant, contact, details and attachments removed; the counts the statistics need stay',
      source:
        'IRMS Local Government Retention Schedule (complaints); Working Together to Safeguard Children / Keeping Children Safe in Education (allegations); RETENTION_COMPLAINT_YEARS, RETENTION_ALLEGATION_YEARS, RETENTION_RETIREMENT_AGE',
    },
    {
      kind: 'warning_flag',
      label: 'Warning flags',
      period: `Until withdrawn or expired, plus ${years(s.flagYears)}`,
      runsFrom: 'The flag is withdrawn or expires',
      action: 'erase',
      actionText: 'Person, case, postcode and description erased',
      source: 'UK GDPR Article 5(1)(e); RETENTION_FLAG_YEARS',
    },
    {
      kind: 'register_entry',
      label: 'Register entries (declarations of interest, gifts and hospitality)',
      period: years(s.registerYears),
      runsFrom: 'The end of the year of the entry',
      action: 'erase',
      actionText: 'Entry deleted',
      source:
        'IRMS Local Government Retention Schedule (registers of interests, gifts and hospitality); RETENTION_REGISTER_YEARS',
    },
    {
      kind: 'emergency_pack',
      label: 'Emergency contact and medical details',
      period: 'None after leaving',
      runsFrom: 'The member of staff leaves',
      action: 'erase',
      actionText: 'Pack deleted (the record of who viewed it stays)',
      source: 'UK GDPR Article 5(1)(e) and Article 9 (health data)',
    },
    {
      kind: 'foi_request',
      label: 'FOI requester details',
      period: years(s.foiYears),
      runsFrom: 'The request is closed',
      action: 'erase',
      actionText: 'Requester name and contact erased; the request and answer stay',
      source: 'ICO guidance; FOI_RETENTION_YEARS',
    },
    {
      kind: 'idempotency_key',
      label: 'Idempotency keys (replayed taps)',
      period: '7 days',
      runsFrom: 'The tap',
      action: 'existing',
      actionText: 'Deleted by the existing purge job',
      source: 'As now',
    },
    {
      kind: 'sign_in_session',
      label: 'Sign-in sessions',
      period: 'Until they expire',
      runsFrom: 'Sign-in',
      action: 'existing',
      actionText: 'Deleted by the existing housekeeping job',
      source: 'As now (SESSION_TTL_HOURS)',
    },
  ];
}

function plusYears(date: string, n: number): string {
  return DateTime.fromISO(date, { zone: ZONE }).plus({ years: n }).toISODate()!;
}
function later(a: string, b: string | null): string {
  return b !== null && b > a ? b : a;
}
/** A date (London) from an instant or an ISO date. */
function day(v: Date | string): string {
  return typeof v === 'string' ? v.slice(0, 10) : londonDate(v);
}

/** When a session's coordinates are due to go: the period after it ended. Null while it runs. */
export function sessionLocationsDueAt(s: RetentionSettings, endedAt: Date | null): Date | null {
  return endedAt === null ? null : new Date(endedAt.getTime() + s.locationDays * 86_400_000);
}

/** Incidents: the period after closure; a RIDDOR-reportable one also at least riddorYears after its report to HSE. */
export function incidentDueOn(
  s: RetentionSettings,
  i: { closedAt: Date | null; riddor: boolean; hseReportedOn: string | null; riddorReportBy: string | null },
): string | null {
  if (i.closedAt === null) return null;
  const due = plusYears(day(i.closedAt), s.incidentYears);
  if (!i.riddor) return due;
  // Not yet reported (or the date not recorded): the deadline it had to be reported by, at the latest.
  const reported = i.hseReportedOn ?? i.riddorReportBy;
  return later(due, reported ? plusYears(reported, s.riddorYears) : null);
}

/** Normal retirement date from a date of birth. */
export function retirementDate(s: RetentionSettings, dateOfBirth: string): string {
  return plusYears(dateOfBirth, s.retirementAge);
}

/**
 * Complaints: the period after closure. With allegations about a member of staff who works with
 * children (every member of Harbour's staff: children's services), until their normal retirement
 * date or allegationYears, whichever is longer. Without a retirement date (from HR's staff import)
 * it is not known, so the complaint is kept (`unknownRetirement`), never erased early.
 */
export function complaintDueOn(
  s: RetentionSettings,
  c: { closedOn: string | null; allegationsAboutStaff: boolean; staffRetirementOn: (string | null)[] },
): { dueOn: string | null; unknownRetirement: boolean } {
  if (c.closedOn === null) return { dueOn: null, unknownRetirement: false };
  const base = plusYears(c.closedOn, s.complaintYears);
  if (!c.allegationsAboutStaff) return { dueOn: base, unknownRetirement: false };
  if (c.staffRetirementOn.length === 0 || c.staffRetirementOn.some((d) => d === null))
    return { dueOn: null, unknownRetirement: true };
  let due = later(base, plusYears(c.closedOn, s.allegationYears));
  for (const retires of c.staffRetirementOn) due = later(due, retires!);
  return { dueOn: due, unknownRetirement: false };
}

/** Warning flags: live until withdrawn or expired; then the period. */
export function flagDueOn(
  s: RetentionSettings,
  f: { withdrawnAt: Date | null; expiresAt: Date | null },
  now: Date,
): string | null {
  const ended = f.withdrawnAt ?? (f.expiresAt !== null && f.expiresAt <= now ? f.expiresAt : null);
  return ended === null ? null : plusYears(day(ended), s.flagYears);
}

/** Register entries: the period after the end of the (calendar) year of the entry. */
export function registerDueOn(s: RetentionSettings, year: number): string {
  return `${year + s.registerYears + 1}-01-01`;
}

/** Emergency packs: deleted once the person has left. */
export function emergencyPackDue(person: { active: boolean }): boolean {
  return !person.active;
}

/**
 * A due record is acted on only when nothing keeps it: a legal hold, or a link to an open
 * complaint, claim or investigation. The reason is shown on the schedule page.
 */
export function keptBecause(r: {
  held: boolean;
  openComplaint?: boolean;
  openClaim?: boolean;
  openInvestigation?: boolean;
}): string | null {
  if (r.held) return 'legal hold';
  if (r.openComplaint) return 'linked to an open complaint';
  if (r.openClaim) return 'linked to an open claim';
  if (r.openInvestigation) return 'linked to an open investigation';
  return null;
}

/** Due when the due date has come (a date due on today is due). */
export function isDue(dueOn: string | null, today: string): boolean {
  return dueOn !== null && dueOn <= today;
}

/**
 * Complaints are anonymised a whole complainant group at a time (the same household, else the same
 * complainant): the repeat-complaints statistic counts distinct groups, and a group split between
 * its real name and a pseudonym would count twice.
 */
export function dueGroups<T extends { group: string; due: boolean }>(rows: T[]): Set<string> {
  const blocked = new Set(rows.filter((r) => !r.due).map((r) => r.group));
  return new Set(rows.filter((r) => r.due && !blocked.has(r.group)).map((r) => r.group));
}
