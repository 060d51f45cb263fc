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
export const SUPPORT_STATUSES: Record<SupportStatus, string> = { offered: 'Offered', accepted: 'Accepted', declined: 'Declined' };

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

const longWhen = (d: Date) => DateTime.fromJSDate(d, { zone: ZONE }).toFormat("d MMMM yyyy 'at' h:mma").replace('AM', 'am').replace('PM', 'pm');

/** Why a debrief time is refused, or null if it is inside the window. */
export function debriefProblem(occurredAt: Date, debriefAt: Date): string | null {
  const { earliest, latest } = debriefWindow(occurredAt);
  if (debriefAt < earliest) return `The Support Line debrief must be at least 48 hours after the incident, so no sooner than ${longWhen(earliest)}`;
  if (debriefAt > latest) return `The Support Line debrief must be no later than 2 weeks after the incident, so by ${longWhen(latest)}`;
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
    return { reportable: false, kind: 'not_physical', explanation: 'Not reportable under RIDDOR: verbal abuse and threats are never reportable; only physical violence can be.' };
  }
  if (f.specifiedInjury) {
    return { reportable: true, kind: 'specified_injury', notifyWithoutDelay: true, reportBy: addLondonDays(occurredAt, 10), explanation: 'A specified injury: notify the HSE without delay and report within 10 days.' };
  }
  const days = f.daysIncapacitated ?? 0;
  if (days > 7) {
    return { reportable: true, kind: 'over_seven_day', notifyWithoutDelay: false, reportBy: addLondonDays(occurredAt, 15), explanation: 'More than 7 consecutive days off normal work (not counting the day of the incident): report within 15 days of the incident.' };
  }
  if (days > 3) return { reportable: false, kind: 'over_three_day', explanation: 'More than 3 days off normal work: record it. It is not reportable.' };
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
