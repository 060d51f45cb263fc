import { DateTime } from 'luxon';

/** Incident rules (seed 001 §12–13, seed 002 Violence and Reporting), pure, in London time. */
import { ZONE } from '../../time/london.ts';

/** The HS157 categories, more than one allowed (seed 001 §1, seed 002 definitions). */
export const CATEGORIES = {
  physical_assault: 'Physical assault',
  verbal_abuse: 'Verbal abuse or harassment',
  threats: 'Threats of violence to staff or their families',
  sexual_harassment: 'Sexual harassment',
  racial_harassment: 'Racial harassment',
  disability_harassment: 'Disability harassment',
  homophobic_transphobic_harassment: 'Homophobic or transphobic harassment',
  religion_harassment: 'Religion or belief harassment',
  age_harassment: 'Age harassment',
  other_discrimination: 'Other discriminatory behaviour',
  animal_attack: 'Attack by an animal incited by its owner',
  council_property_damage: 'Damage to council property',
  personal_property_damage: 'Damage to personal property',
  restraint: 'Unplanned physical intervention (restraint)',
  weapon: 'Weapon involved or suspected',
} as const;
export type Category = keyof typeof CATEGORIES;
export const CATEGORY_KEYS = Object.keys(CATEGORIES) as Category[];

export const VERBAL_CHANNELS = {
  face_to_face: 'Face to face',
  telephone: 'Telephone',
  email: 'Email',
  text: 'Text message',
  social_media: 'Social media',
  letter: 'Letter',
} as const;
export type VerbalChannel = keyof typeof VERBAL_CHANNELS;

export const PERPETRATOR_TYPES = {
  child: 'Child or young person',
  parent_carer: 'Parent or carer',
  family: 'Other family member',
  public: 'Member of the public',
  contractor: 'Contractor',
  partner_agency: 'Partner-agency worker',
  staff: 'Staff',
} as const;
export type PerpetratorType = keyof typeof PERPETRATOR_TYPES;

/** Support the manager offers (seed 001 §13, seed 002), each offered, accepted or declined. */
export const SUPPORT_ITEMS = {
  support_line: 'Support Line',
  occupational_health: 'Occupational health referral',
  gp: 'GP',
  trade_union: 'Trade union',
  victim_support: 'Victim Support',
  temporary_adjustments: 'Temporary adjustments',
  compassionate_leave: 'Compassionate leave',
  legal_assistance: 'Legal assistance',
  refresher_training: 'Refresher training',
} as const;
export type SupportItem = keyof typeof SUPPORT_ITEMS;
export const SUPPORT_KEYS = Object.keys(SUPPORT_ITEMS) as SupportItem[];
export type SupportStatus = 'offered' | 'accepted' | 'declined';
export const SUPPORT_STATUSES: Record<SupportStatus, string> = {
  offered: 'Offered',
  accepted: 'Accepted',
  declined: 'Declined',
};

/** Categories that mean physical contact or a significant threat: the manager meets within 24 hours. */
const URGENT: readonly Category[] = ['physical_assault', 'threats', 'animal_attack', 'restraint', 'weapon'];

export function isUrgent(categories: readonly string[]): boolean {
  return categories.some((c) => (URGENT as readonly string[]).includes(c));
}

/**
 * The manager's meeting deadline (seed 002): within 24 hours where there was physical contact or a
 * significant threat, otherwise within 3 days (calendar days in London, so a clock change keeps the hour).
 */
export function meetingDeadline(occurredAt: Date, categories: readonly string[]): Date {
  const at = DateTime.fromJSDate(occurredAt, { zone: ZONE });
  return (isUrgent(categories) ? at.plus({ hours: 24 }) : at.plus({ days: 3 })).toJSDate();
}

/** The Support Line debrief window (seed 001 §13): no sooner than 48 hours, no later than two weeks. */
export function debriefWindow(occurredAt: Date): { earliest: Date; latest: Date } {
  const at = DateTime.fromJSDate(occurredAt, { zone: ZONE });
  return { earliest: at.plus({ hours: 48 }).toJSDate(), latest: at.plus({ weeks: 2 }).toJSDate() };
}

const longWhen = (d: Date) =>
  DateTime.fromJSDate(d, { zone: ZONE }).toFormat("d MMMM yyyy 'at' h:mma").replace('AM', 'am').replace('PM', 'pm');

/** Why a debrief time is refused, or null if it is inside the window. */
export function debriefProblem(occurredAt: Date, debriefAt: Date): string | null {
  const { earliest, latest } = debriefWindow(occurredAt);
  if (debriefAt < earliest)
    return `The Support Line debrief must be at least 48 hours after the incident, so no sooner than ${longWhen(earliest)}`;
  if (debriefAt > latest)
    return `The Support Line debrief must be no later than 2 weeks after the incident, so by ${longWhen(latest)}`;
  return null;
}

// ---- RIDDOR 2013, for work-related physical violence against a worker ----------------------------

export interface RiddorFacts {
  categories: readonly string[];
  /** A specified injury under regulation 4(1) (fracture other than fingers/toes, amputation, loss of sight, …). */
  specifiedInjury: boolean;
  /** Consecutive days the worker could not do their normal work, not counting the day of the incident. */
  daysIncapacitated: number | null;
}

export type RiddorOutcome =
  | { reportable: true; kind: 'specified_injury'; notifyWithoutDelay: true; reportBy: string; explanation: string }
  | { reportable: true; kind: 'over_seven_day'; notifyWithoutDelay: false; reportBy: string; explanation: string }
  | { reportable: false; kind: 'over_three_day' | 'not_physical' | 'not_reportable'; explanation: string };

/** Physical violence: only this can be RIDDOR-reportable. Verbal abuse and threats never are. */
export const isPhysicalViolence = (categories: readonly string[]) =>
  categories.some((c) => c === 'physical_assault' || c === 'animal_attack' || c === 'restraint');

const addLondonDays = (d: Date, days: number) => DateTime.fromJSDate(d, { zone: ZONE }).plus({ days }).toISODate()!;

/** Whether RIDDOR applies and by when the report is due (yyyy-mm-dd, London). */
export function riddor(occurredAt: Date, f: RiddorFacts): RiddorOutcome {
  if (!isPhysicalViolence(f.categories)) {
    return {
      reportable: false,
      kind: 'not_physical',
      explanation:
        'Not reportable under RIDDOR: verbal abuse and threats are never reportable; only physical violence can be.',
    };
  }
  if (f.specifiedInjury) {
    return {
      reportable: true,
      kind: 'specified_injury',
      notifyWithoutDelay: true,
      reportBy: addLondonDays(occurredAt, 10),
      explanation: 'A specified injury: notify the HSE without delay and report within 10 days.',
    };
  }
  const days = f.daysIncapacitated ?? 0;
  if (days > 7) {
    return {
      reportable: true,
      kind: 'over_seven_day',
      notifyWithoutDelay: false,
      reportBy: addLondonDays(occurredAt, 15),
      explanation:
        'More than 7 consecutive days off normal work (not counting the day of the incident): report within 15 days of the incident.',
    };
  }
  if (days > 3)
    return {
      reportable: false,
      kind: 'over_three_day',
      explanation: 'More than 3 days off normal work: record it. It is not reportable.',
    };
  return { reportable: false, kind: 'not_reportable', explanation: 'Not reportable under RIDDOR.' };
}

// ---- Serious by rule (HS160 investigation) --------------------------------------------------------

export interface SeriousFacts {
  categories: readonly string[];
  injured: boolean;
  riddorReportable: boolean;
  majorIncident: boolean;
  markedSerious: boolean;
}

/** Any assault causing injury, a weapon, a RIDDOR-reportable injury or a major incident; or a manager says so. */
export function seriousReasons(f: SeriousFacts): string[] {
  const reasons: string[] = [];
  if (f.injured && isPhysicalViolence(f.categories)) reasons.push('An assault caused injury');
  if (f.categories.includes('weapon')) reasons.push('A weapon was involved or suspected');
  if (f.riddorReportable) reasons.push('A RIDDOR-reportable injury');
  if (f.majorIncident) reasons.push('A major incident');
  if (f.markedSerious) reasons.push('A manager marked it serious');
  return reasons;
}
export const isSerious = (f: SeriousFacts) => seriousReasons(f).length > 0;

// ---- Escalation of a missed meeting ---------------------------------------------------------------

/**
 * Who a missed meeting deadline escalates to: the next manager above the line manager (the chain
 * is line manager first). Null when there is nobody above: health and safety are told instead.
 */
export function escalationTarget(chain: readonly { id: number }[]): number | null {
  return chain[1]?.id ?? null;
}

/** Whether the meeting deadline has passed with no meeting recorded and nobody told yet. */
export function meetingMissed(
  i: { status: string; meeting_due_at: Date | null; meeting_held_at: Date | null; meeting_escalated_at: Date | null },
  now: Date,
): boolean {
  return (
    i.status === 'open' &&
    i.meeting_due_at !== null &&
    i.meeting_held_at === null &&
    i.meeting_escalated_at === null &&
    i.meeting_due_at.getTime() < now.getTime()
  );
}

// ---- RIDDOR alerts to health and safety before each deadline -------------------------------------

export type RiddorAlert = 'riddor.notify_now' | 'riddor.due_in_3_days' | 'riddor.due_tomorrow' | 'riddor.overdue';
const ALERT_ORDER: RiddorAlert[] = [
  'riddor.notify_now',
  'riddor.due_in_3_days',
  'riddor.due_tomorrow',
  'riddor.overdue',
];

/**
 * The RIDDOR alerts due today (yyyy-mm-dd, London) for a report due by `reportBy`, not yet sent.
 * A specified injury is notified without delay; every reportable case is alerted 3 days before,
 * the day before, and once it is overdue. Only the most urgent is sent; the earlier ones it
 * overtakes are recorded as sent with it, so nobody gets a stale reminder after a later one.
 */
export function riddorAlertsDue(
  f: { kind: string | null; reportBy: string | null; reported: boolean },
  today: string,
  sent: readonly string[],
): { send: RiddorAlert | null; record: RiddorAlert[] } {
  if (f.reported || !f.reportBy || (f.kind !== 'specified_injury' && f.kind !== 'over_seven_day'))
    return { send: null, record: [] };
  const daysLeft = Math.round((Date.parse(`${f.reportBy}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  const due: RiddorAlert[] = [];
  if (f.kind === 'specified_injury') due.push('riddor.notify_now');
  if (daysLeft <= 3) due.push('riddor.due_in_3_days');
  if (daysLeft <= 1) due.push('riddor.due_tomorrow');
  if (daysLeft < 0) due.push('riddor.overdue');
  const unsent = due.filter((k) => !sent.includes(k));
  if (!unsent.length) return { send: null, record: [] };
  const send = unsent.sort((a, b) => ALERT_ORDER.indexOf(a) - ALERT_ORDER.indexOf(b)).at(-1)!;
  return { send, record: unsent };
}

// ---- Police and prosecution -----------------------------------------------------------------------

export const POLICE_OUTCOMES = {
  no_further_action: 'No further action',
  community_resolution: 'Community resolution',
  caution: 'Caution',
  charged: 'Charged',
} as const;
export type PoliceOutcome = keyof typeof POLICE_OUTCOMES;

export const COURT_OUTCOMES = {
  pending: 'Pending',
  convicted: 'Convicted',
  acquitted: 'Acquitted',
  discontinued: 'Discontinued',
} as const;
export type CourtOutcome = keyof typeof COURT_OUTCOMES;

/** A prosecution: the perpetrator was charged (or a court outcome is recorded). Successful: convicted. */
export const prosecuted = (i: { police_outcome: string | null; court_outcome: string | null }) =>
  i.police_outcome === 'charged' || i.court_outcome !== null;
export const successfulProsecution = (i: { court_outcome: string | null }) => i.court_outcome === 'convicted';

export interface PoliceFacts {
  reported: boolean | null;
  reportedOn: string | null;
  crimeReference: string | null;
  outcome: PoliceOutcome | null;
  courtOutcome: CourtOutcome | null;
  courtAttended: boolean | null;
}

/** Consistency of the police record: a date, outcome or court result only once reported, a court result only once charged. */
export function policeProblems(
  p: PoliceFacts,
  occurredOn: string,
  today: string,
): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  if (p.reported !== true) {
    if (p.reportedOn || p.crimeReference || p.outcome || p.courtOutcome)
      errors.push({
        field: 'policeReported',
        message: 'Select yes if it was reported to the police: a date, crime reference or outcome is recorded',
      });
    return errors;
  }
  if (p.reportedOn && p.reportedOn < occurredOn)
    errors.push({
      field: 'policeOn-day',
      message: 'The date reported to the police must be on or after the day of the incident',
    });
  if (p.reportedOn && p.reportedOn > today)
    errors.push({ field: 'policeOn-day', message: 'The date reported to the police must be today or in the past' });
  if (p.courtOutcome && p.outcome !== 'charged')
    errors.push({
      field: 'courtOutcome',
      message: 'A court outcome can only be recorded once the perpetrator has been charged',
    });
  if (p.courtAttended && !p.courtOutcome)
    errors.push({ field: 'courtOutcome', message: 'Select the court outcome (pending if the case is still going)' });
  return errors;
}

// ---- Warning flags and legal action ---------------------------------------------------------------

export const FLAG_SUBJECTS = {
  person: 'The person (by their case record)',
  case: 'The case',
  address: 'The address',
} as const;
export type FlagSubject = keyof typeof FLAG_SUBJECTS;

export const LEGAL_ACTIONS = {
  warning_letter: 'Warning letter',
  contact_ban: 'Ban on contact',
  injunction: 'Injunction',
  asbo: 'Anti-social behaviour order or injunction',
  service_withdrawal: 'Withdrawal of services',
} as const;
export type LegalAction = keyof typeof LEGAL_ACTIONS;

// ---- Closing ----------------------------------------------------------------------------------------

/** Why an incident cannot be closed yet: a serious one needs its investigation's findings and every action done. */
export function closeProblems(f: {
  status: string;
  serious: boolean;
  findings: string | null;
  openActions: number;
}): string[] {
  const problems: string[] = [];
  if (f.status === 'draft' || f.status === 'awaiting_confirmation')
    problems.push('The report must be submitted and confirmed before it can be closed');
  if (f.serious && !f.findings)
    problems.push('This is a serious incident: record the findings of the HS160 investigation before closing it');
  if (f.openActions > 0)
    problems.push(
      `${f.openActions === 1 ? '1 action is' : `${f.openActions} actions are`} not done yet: finish ${f.openActions === 1 ? 'it' : 'them'} before closing`,
    );
  return problems;
}

/** An action is overdue once its due day (London) has passed and it is not done. */
export const actionOverdue = (a: { due_on: string; done_at: Date | null }, today: string) =>
  a.done_at === null && a.due_on < today;

/**
 * The review alert due for a flag raised from an incident: 7 days before its review date, and once
 * it has expired unrenewed. Keyed by the review date, so a renewed flag is alerted afresh.
 */
export function flagReviewAlert(
  reviewOn: string,
  today: string,
  sent: readonly string[],
  flagId: number,
): string | null {
  const daysLeft = Math.round((Date.parse(`${reviewOn}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  const kind =
    daysLeft < 0
      ? `flag.expired:${flagId}:${reviewOn}`
      : daysLeft <= 7
        ? `flag.review_due:${flagId}:${reviewOn}`
        : null;
  return kind && !sent.includes(kind) ? kind : null;
}

/**
 * When the line manager is reminded of the meeting deadline: 4 hours before a 24-hour deadline,
 * 12 hours before a 3-day one, while no meeting is recorded and nothing has been escalated.
 */
export function meetingReminderDue(
  i: {
    status: string;
    categories: readonly string[];
    meeting_due_at: Date | null;
    meeting_held_at: Date | null;
    meeting_escalated_at: Date | null;
  },
  now: Date,
): boolean {
  if (i.status !== 'open' || !i.meeting_due_at || i.meeting_held_at || i.meeting_escalated_at) return false;
  const lead = (isUrgent(i.categories) ? 4 : 12) * 3_600_000;
  return now.getTime() >= i.meeting_due_at.getTime() - lead && now.getTime() < i.meeting_due_at.getTime();
}
