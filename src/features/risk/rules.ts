/**
 * Pure rules of the risk gate (seed 001 Appendix E and section 6, Home Visits). The service loads
 * the facts and asks these; unit tests cover them without a database.
 */
import type { FieldError } from '../../errors.ts';
import { REFERRAL_TYPES, rateVisit, type Rating, type ReferralType } from './rating.ts';


// ---- Warning flags ------------------------------------------------------------------------------

export const FLAG_CATEGORIES = {
  violence: { label: 'History of violence or aggression', highRisk: true },
  weapons: { label: 'Weapons', highRisk: true },
  other_high_risk: { label: 'Other high-risk factor', highRisk: true },
  // A hazard to plan for (seed 001 §6: ask for the dog to be shut in another room), not by itself
  // a reason to stop a lone visit.
  dogs: { label: 'Dogs', highRisk: false },
} as const;
export type FlagCategory = keyof typeof FLAG_CATEGORIES;

export const isHighRisk = (category: string) => (FLAG_CATEGORIES as Record<string, { highRisk: boolean }>)[category]?.highRisk ?? true;
export const categoryLabel = (category: string) => (FLAG_CATEGORIES as Record<string, { label: string }>)[category]?.label ?? category;

/** "tn231pl", "TN23  1PL" → "TN23 1PL". Null for nothing; anything not postcode-shaped is upper-cased only. */
export function normalisePostcode(value: string | null | undefined): string | null {
  if (!value) return null;
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!compact) return null;
  if (!/^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(compact)) return value.trim().toUpperCase();
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** Case ids are compared without regard to case or surrounding space. */
export function normaliseCaseId(value: string | null | undefined): string | null {
  const v = value?.trim().toUpperCase();
  return v ? v : null;
}

export interface FlagFacts { withdrawn_at: Date | null; expires_at: Date | null }

/** A flag counts until it is withdrawn or its expiry passes. */
export function isLive(flag: FlagFacts, now: Date): boolean {
  return flag.withdrawn_at === null && (flag.expires_at === null || new Date(flag.expires_at).getTime() > now.getTime());
}

export interface FlagInput {
  caseSystem: string | null;
  caseId: string | null;
  postcode: string | null;
  expiresOn: string | null;
}

/** What is wrong with a new flag: it must name a case or a postcode, a whole case, and expire in the future. */
export function flagProblems(f: FlagInput, today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!f.caseId && !f.postcode) errors.push({ field: 'postcode', message: 'Enter a postcode or a case ID for the warning' });
  if (f.caseId && !f.caseSystem) errors.push({ field: 'caseSystem', message: 'Select the case system for the case ID' });
  if (f.caseSystem && !f.caseId) errors.push({ field: 'caseId', message: 'Enter the case ID, or leave the case system blank' });
  if (f.expiresOn !== null && f.expiresOn <= today) errors.push({ field: 'expires-day', message: 'The expiry date must be in the future' });
  return errors;
}

// ---- Rating and its reasons ---------------------------------------------------------------------

export interface MatchedFlag {
  category: string;
  description: string;
  /** How it matched the visit. */
  matchedBy: 'case' | 'postcode';
}

export interface RatingExplained { rating: Rating; reasons: string[] }

/** Appendix E: the traffic light, and why, in words a worker can check against the case. */
export function explainRating(referralType: ReferralType | null, flags: readonly MatchedFlag[]): RatingExplained {
  const highRisk = flags.filter((f) => isHighRisk(f.category));
  const rating = rateVisit({ referralType, highRiskFlags: highRisk.length });
  const reasons: string[] = [];
  for (const f of flags) {
    const where = f.matchedBy === 'case' ? 'on the case' : 'at the postcode';
    reasons.push(`Warning ${where}: ${categoryLabel(f.category)} (${f.description})${isHighRisk(f.category) ? '' : ', a hazard to plan for'}`);
  }
  reasons.push(referralType ? `Referral type: ${REFERRAL_TYPES[referralType]}` : 'No referral type recorded, so it is treated as a new referral');
  return { rating, reasons };
}

// ---- Dates --------------------------------------------------------------------------------------

// Shared London date helpers, re-exported for the risk feature's callers.
export { addDays, endOfLondonDay, isoDate, londonToday, longDate } from '../../time/london.ts';
import { addDays, longDate } from '../../time/london.ts';

/** Step 5 of a risk assessment: the review date is today or later, and within a year. */
export function reviewDateProblem(reviewDate: string, today: string): string | null {
  if (reviewDate < today) return 'The review date must be today or in the future';
  if (reviewDate > addDays(today, 366)) return 'The review date must be within a year';
  return null;
}

/** A current assessment counts until the end of its review date. */
export const assessmentCurrent = (reviewDate: string, today: string) => reviewDate >= today;

/** Due for review: overdue, or within `windowDays` from today. */
export const reviewDue = (reviewDate: string, today: string, windowDays = 30) => reviewDate <= addDays(today, windowDays);

// ---- RED: assessment and a control --------------------------------------------------------------

export type Control = 'joint_visit' | 'council_building' | 'manager_approval';
export const CONTROL_LABELS: Record<Control, string> = {
  joint_visit: 'Joint visit',
  council_building: 'Meeting in a council building',
  manager_approval: 'Manager’s approval',
};

export interface RedFacts {
  /** The newest assessment for the case or the visit, if any. */
  assessment: { reviewDate: string } | null;
  today: string;
  hasJointPartner: boolean;
  control: Control | null;
}

/** Appendix E RED (STOP): an individual risk assessment that is not past review, and a control. */
export function redProblems(f: RedFacts): string[] {
  const problems: string[] = [];
  if (!f.assessment) {
    problems.push('This visit is rated RED: record an individual risk assessment (the 5 steps) before it can start');
  } else if (!assessmentCurrent(f.assessment.reviewDate, f.today)) {
    problems.push(`This visit is rated RED: the risk assessment was due for review on ${longDate(f.assessment.reviewDate)}; review it before the visit can start`);
  }
  const controlled = f.hasJointPartner || f.control === 'council_building' || f.control === 'manager_approval';
  if (!controlled) {
    problems.push('This visit is rated RED: it needs a joint visit, a meeting in a council building, or the line manager’s approval before it can start');
  }
  return problems;
}

/** Only the worker's line manager, or someone above them in the chain, may approve a RED lone visit. */
export function approvalProblem(actorStaffId: number | null, workerId: number, chainIds: readonly number[]): string | null {
  if (actorStaffId === null || actorStaffId === workerId || !chainIds.includes(actorStaffId)) {
    return 'Only the worker’s line manager, or a manager above them, can approve this visit';
  }
  return null;
}

// ---- AMBER: the precautions ---------------------------------------------------------------------

/**
 * The AMBER checklist, from Appendix E (check the systems; discuss a joint visit or meet in a council
 * building) and section 6 (buddy, phone, Purple File, parking, a way out).
 */
export const PRECAUTIONS = {
  records_checked: 'I have checked all data management systems and the referral information',
  joint_visit_discussed: 'I have discussed a joint visit, or a meeting in a council building, with my line manager',
  buddy_informed: 'My buddy knows where I am going and when I am due back',
  phone_ready: 'My phone is charged and working, and the office number is saved in it',
  purple_file: 'The Purple File procedure is agreed: a call to the office, or from my buddy, during the visit',
  parked_for_exit: 'I will park where I can leave quickly',
  exit_plan: 'I have a plan to leave if the situation changes, such as an excuse to go back to the car',
} as const;
export type Precaution = keyof typeof PRECAUTIONS;
export const PRECAUTION_KEYS = Object.keys(PRECAUTIONS) as Precaution[];
export const isPrecaution = (key: string): key is Precaution => (PRECAUTION_KEYS as string[]).includes(key);

export type PrecautionStatus = 'confirmed' | 'waived';
export interface PrecautionRecord { status: PrecautionStatus; reason: string | null }

/** The precautions still to confirm or waive before an AMBER visit may start. */
export function outstandingPrecautions(recorded: ReadonlyMap<string, PrecautionRecord>): Precaution[] {
  return PRECAUTION_KEYS.filter((k) => {
    const r = recorded.get(k);
    return !r || (r.status === 'waived' && !r.reason?.trim());
  });
}

/** One message: all precautions outstanding, or the ones still to do by name. */
export function amberProblems(recorded: ReadonlyMap<string, PrecautionRecord>): string[] {
  const left = outstandingPrecautions(recorded);
  if (left.length === 0) return [];
  if (left.length === PRECAUTION_KEYS.length) return ['This visit is rated AMBER: confirm each precaution, or waive it with a reason, before it can start'];
  return [`This visit is rated AMBER: still to confirm, or waive with a reason: ${left.map((k) => `“${PRECAUTIONS[k]}”`).join('; ')}`];
}

export interface PrecautionAnswer { key: Precaution; status: PrecautionStatus | null; reason: string | null }

/**
 * What a confirm-or-waive submission records: each answered precaution; a waiver needs a reason.
 * At least one must be answered.
 */
export function precautionEntries(answers: readonly PrecautionAnswer[]): { entries: { key: Precaution; status: PrecautionStatus; reason: string | null }[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const entries: { key: Precaution; status: PrecautionStatus; reason: string | null }[] = [];
  for (const a of answers) {
    if (a.status === null) continue;
    if (a.status === 'waived' && !a.reason?.trim()) {
      errors.push({ field: `reason-${a.key}`, message: `Enter why you are waiving: ${PRECAUTIONS[a.key]}` });
      continue;
    }
    entries.push({ key: a.key, status: a.status, reason: a.status === 'waived' ? a.reason!.trim() : null });
  }
  if (!errors.length && !entries.length) errors.push({ field: `status-${PRECAUTION_KEYS[0]}`, message: 'Confirm or waive at least one precaution' });
  return { entries: errors.length ? [] : entries, errors };
}

/** What still stands between a visit and its start, by rating. */
export function startProblemsFor(rating: Rating | null, red: RedFacts, precautions: ReadonlyMap<string, PrecautionRecord>): string[] {
  if (rating === 'RED') return redProblems(red);
  if (rating === 'AMBER') return amberProblems(precautions);
  return [];
}
