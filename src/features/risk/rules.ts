/**
 * Pure rules of the risk gate (seed 001 Appendix E and section 6, Home Visits). The service loads
 * the facts and asks these; unit tests cover them without a database.
 */
import type { FieldError } from '../../errors.ts';
import { REFERRAL_TYPES, rateSession, type Rating, type ReferralType } from './rating.ts';

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

export const isHighRisk = (category: string) =>
  (FLAG_CATEGORIES as Record<string, { highRisk: boolean }>)[category]?.highRisk ?? true;
export const categoryLabel = (category: string) =>
  (FLAG_CATEGORIES as Record<string, { label: string }>)[category]?.label ?? category;

/** "tn231pl", "TN23  1PL" → "TN23 1PL". Null for nothing; anything not postcode-shaped is upper-cased only. */
export function normalisePostcode(value: string | null | undefined): string | null {
  if (!value) return null;
  const compact = value.replace(/\s+/g, '').toUpperCase();
  if (!compact) return null;
  if (!/^[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}$/.test(compact)) return value.trim().toUpperCase();
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
}

/** Case ids are stored as typed (upper case, trimmed); they are compared by their case key. */
export function normaliseCaseId(value: string | null | undefined): string | null {
  const v = value?.trim().toUpperCase();
  return v ? v : null;
}

/**
 * The canonical case key: letters and digits only, upper case. "AB 12345", "ab-12345" and
 * "AB  12345" are all "AB12345"; "LB 99 001" is "LB99001". The database keeps the same key in a
 * generated column (migration 0026) on flags, visits and assessments.
 */
export function caseKey(value: string | null | undefined): string | null {
  const v = (value ?? '').replace(/[^A-Za-z0-9]/g, '').toUpperCase();
  return v ? v : null;
}

/** The last day a flag applies (London), from the instant it stops: a flag ending at 00:00 on 11 December lasts to 10 December. */
export function lastDayOf(expiresAt: Date | string | null): string | null {
  if (!expiresAt) return null;
  return londonDate(new Date(new Date(expiresAt).getTime() - 1));
}

export interface FlagFacts {
  withdrawn_at: Date | null;
  expires_at: Date | null;
}

/** A flag counts until it is withdrawn or its expiry passes. */
export function isLive(flag: FlagFacts, now: Date): boolean {
  return (
    flag.withdrawn_at === null && (flag.expires_at === null || new Date(flag.expires_at).getTime() > now.getTime())
  );
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
  if (!f.caseId && !f.postcode)
    errors.push({ field: 'postcode', message: 'Enter a postcode or a case ID for the warning' });
  if (f.caseId && !f.caseSystem)
    errors.push({ field: 'caseSystem', message: 'Select the case system for the case ID' });
  if (f.caseSystem && !f.caseId)
    errors.push({ field: 'caseId', message: 'Enter the case ID, or leave the case system blank' });
  if (f.expiresOn !== null && f.expiresOn <= today)
    errors.push({ field: 'expires-day', message: 'The expiry date must be in the future' });
  return errors;
}

// ---- Rating and its reasons ---------------------------------------------------------------------

export interface MatchedFlag {
  category: string;
  description: string;
  /** How it matched the visit. */
  matchedBy: 'case' | 'postcode';
}

export interface RatingExplained {
  rating: Rating | null;
  reasons: string[];
}

/** Appendix E: the traffic light, and why, in words a worker can check against the case. */
export function explainRating(
  referralType: ReferralType | null,
  flags: readonly MatchedFlag[],
  kind = 'visit',
  hasPlace = true,
): RatingExplained & { rating: Rating | null } {
  const highRisk = flags.filter((f) => isHighRisk(f.category));
  const rating = rateSession(kind, { referralType, highRiskFlags: highRisk.length, hasPlace });
  if (rating === null) return { rating, reasons: [] };
  const reasons: string[] = [];
  for (const f of flags) {
    const where = f.matchedBy === 'case' ? 'on the case' : 'at the postcode';
    reasons.push(
      `Warning ${where}: ${categoryLabel(f.category)} (${f.description})${isHighRisk(f.category) ? '' : ', a hazard to plan for'}`,
    );
  }
  if (kind === 'visit' || referralType)
    reasons.push(
      referralType
        ? `Referral type: ${REFERRAL_TYPES[referralType]}`
        : 'No referral type recorded, so it is treated as a new referral',
    );
  else if (!highRisk.length) reasons.push('No warning on its address or case');
  return { rating, reasons };
}

// ---- Dates --------------------------------------------------------------------------------------

// Shared London date helpers, re-exported for the risk feature's callers.
export { addDays, endOfLondonDay, isoDate, londonToday, longDate } from '../../time/london.ts';
import { addDays, londonDate, longDate } from '../../time/london.ts';

/** Step 5 of a risk assessment: the review date is today or later, and within a year. */
export function reviewDateProblem(reviewDate: string, today: string): string | null {
  if (reviewDate < today) return 'The review date must be today or in the future';
  if (reviewDate > addDays(today, 366)) return 'The review date must be within a year';
  return null;
}

/** A current assessment counts until the end of its review date. */
export const assessmentCurrent = (reviewDate: string, today: string) => reviewDate >= today;

/** Due for review: overdue, or within `windowDays` from today. */
export const reviewDue = (reviewDate: string, today: string, windowDays = 30) =>
  reviewDate <= addDays(today, windowDays);

// ---- RED: assessment and a control --------------------------------------------------------------

export type Control = 'joint_visit' | 'council_building' | 'manager_approval';
export const CONTROL_LABELS: Record<Control, string> = {
  joint_visit: 'Joint visit',
  council_building: 'Meeting in a council building',
  manager_approval: 'Manager’s approval',
};

export interface RedFacts {
  /** The newest assessment for the case or the visit, if any; countersigned = completed or countersigned by a manager. */
  assessment: { reviewDate: string; countersigned?: boolean } | null;
  today: string;
  hasJointPartner: boolean;
  /** The joint partner said they are going. */
  partnerConfirmed?: boolean;
  control: Control | null;
  /** The session is itself in a council building (an office or building session). */
  atCouncilBuilding?: boolean;
}

/**
 * Appendix E RED (STOP) and §6: an individual risk assessment that is not past review and that a
 * manager completed or countersigned ("should be completed by managers"); and a control that is not
 * one person's word: the meeting moved to a council building, the line manager's approval, or a joint
 * visit between two field workers that the partner confirmed and the manager agreed.
 */
export function redProblems(f: RedFacts): string[] {
  const problems: string[] = [];
  if (!f.assessment) {
    problems.push('This visit is rated RED: record an individual risk assessment (the 5 steps) before it can start');
  } else if (!assessmentCurrent(f.assessment.reviewDate, f.today)) {
    problems.push(
      `This visit is rated RED: the risk assessment was due for review on ${longDate(f.assessment.reviewDate)}; review it before the visit can start`,
    );
  } else if (f.assessment.countersigned === false) {
    problems.push(
      'This visit is rated RED: the risk assessment must be completed or countersigned by the worker’s line manager, or a manager above them',
    );
  }
  if (f.atCouncilBuilding || f.control === 'council_building' || f.control === 'manager_approval') return problems;
  if (f.hasJointPartner) {
    if (!f.partnerConfirmed)
      problems.push('This visit is rated RED: the joint visit partner has not yet confirmed they are going');
    if (f.control !== 'joint_visit')
      problems.push(
        'This visit is rated RED: the line manager, or a manager above them, must agree to the joint visit',
      );
    return problems;
  }
  problems.push(
    'This visit is rated RED: it needs a joint visit agreed by the line manager, a meeting in a council building, or the line manager’s approval before it can start',
  );
  return problems;
}

/** A joint visit partner: "two trained staff" — someone else, current, a field worker, in the worker's team. */
export function jointPartnerProblem(
  p: { id: number; active: boolean; teamId: number | null; roles: readonly string[] } | null,
  worker: { id: number; teamId: number | null },
): string | null {
  if (!p) return 'Select a colleague from the list';
  if (p.id === worker.id) return 'The joint visit partner must be someone else';
  if (!p.active) return 'The joint visit partner must be a current member of staff';
  if (!p.roles.includes('worker'))
    return 'The joint visit partner must be a field worker (a practitioner who makes visits)';
  if (worker.teamId === null || p.teamId !== worker.teamId)
    return 'The joint visit partner must be a field worker in the same team';
  return null;
}

/** Only the worker's line manager, or someone above them in the chain, may approve a RED lone visit. */
export function approvalProblem(
  actorStaffId: number | null,
  workerId: number,
  chainIds: readonly number[],
): string | null {
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
export interface PrecautionRecord {
  status: PrecautionStatus;
  reason: string | null;
}

/** A waiver needs a real reason: at least this many characters (not ".", not "n/a"). */
export const MIN_WAIVER_REASON = 15;

/**
 * Appendix E's own AMBER actions, which cannot be waived: "Check all data management systems and
 * referral information" always; "Discuss joint visit with line manager or meet in a KCC building" for
 * a new referral or first visit (also when no referral type is recorded, which is treated as one).
 */
export function requiredPrecautions(referralType: ReferralType | null): Precaution[] {
  const required: Precaution[] = ['records_checked'];
  if (referralType === 'new_referral' || referralType === null) required.push('joint_visit_discussed');
  return required;
}

/** The precautions still to confirm or waive before an AMBER visit may start. */
export function outstandingPrecautions(
  recorded: ReadonlyMap<string, PrecautionRecord>,
  required: readonly Precaution[] = [],
): Precaution[] {
  return PRECAUTION_KEYS.filter((k) => {
    const r = recorded.get(k);
    if (!r) return true;
    if (r.status === 'waived') return required.includes(k) || (r.reason?.trim().length ?? 0) < MIN_WAIVER_REASON;
    return false;
  });
}

export interface AmberFacts {
  referralType: ReferralType | null;
  /** How the visit is controlled, if at all (an agency referral without an assessment must meet in a council building). */
  control: Control | null;
  atCouncilBuilding?: boolean;
}

/** One message for the checklist (all outstanding, or the ones still to do by name), and Appendix E's "Meet in a KCC building". */
export function amberProblems(
  recorded: ReadonlyMap<string, PrecautionRecord>,
  facts: AmberFacts = { referralType: 'previously_known', control: null },
): string[] {
  const problems: string[] = [];
  if (
    facts.referralType === 'agency_no_assessment' &&
    !facts.atCouncilBuilding &&
    facts.control !== 'council_building' &&
    facts.control !== 'manager_approval'
  ) {
    problems.push(
      'This visit is rated AMBER (a referral from another agency with no risk assessment): meet in a council building, or get the line manager’s approval',
    );
  }
  const left = outstandingPrecautions(recorded, requiredPrecautions(facts.referralType));
  if (left.length === PRECAUTION_KEYS.length)
    problems.push('This visit is rated AMBER: confirm each precaution, or waive it with a reason, before it can start');
  else if (left.length)
    problems.push(
      `This visit is rated AMBER: still to confirm, or waive with a reason: ${left.map((k) => `“${PRECAUTIONS[k]}”`).join('; ')}`,
    );
  return problems;
}

export interface PrecautionAnswer {
  key: Precaution;
  status: PrecautionStatus | null;
  reason: string | null;
}

/**
 * What a confirm-or-waive submission records: each answered precaution. Appendix E's own actions
 * (`required`) can only be confirmed; any other waiver needs a reason of at least MIN_WAIVER_REASON
 * characters. At least one must be answered.
 */
export function precautionEntries(
  answers: readonly PrecautionAnswer[],
  required: readonly Precaution[] = [],
): { entries: { key: Precaution; status: PrecautionStatus; reason: string | null }[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const entries: { key: Precaution; status: PrecautionStatus; reason: string | null }[] = [];
  for (const a of answers) {
    if (a.status === null) continue;
    if (a.status === 'waived' && required.includes(a.key)) {
      errors.push({
        field: `status-${a.key}`,
        message: `This cannot be waived: it is one of Appendix E’s actions for this visit: ${PRECAUTIONS[a.key]}`,
      });
      continue;
    }
    if (a.status === 'waived' && !a.reason?.trim()) {
      errors.push({ field: `reason-${a.key}`, message: `Enter why you are waiving: ${PRECAUTIONS[a.key]}` });
      continue;
    }
    if (a.status === 'waived' && a.reason!.trim().length < MIN_WAIVER_REASON) {
      errors.push({
        field: `reason-${a.key}`,
        message: `The reason for waiving must be ${MIN_WAIVER_REASON} characters or more, and say why: ${PRECAUTIONS[a.key]}`,
      });
      continue;
    }
    entries.push({ key: a.key, status: a.status, reason: a.status === 'waived' ? a.reason!.trim() : null });
  }
  if (!errors.length && !entries.length)
    errors.push({ field: `status-${PRECAUTION_KEYS[0]}`, message: 'Confirm or waive at least one precaution' });
  return { entries: errors.length ? [] : entries, errors };
}

/** What still stands between a visit and its start, by rating. */
export function startProblemsFor(
  rating: Rating | null,
  red: RedFacts,
  precautions: ReadonlyMap<string, PrecautionRecord>,
  amber?: AmberFacts,
): string[] {
  if (rating === 'RED') return redProblems(red);
  if (rating === 'AMBER') return amberProblems(precautions, amber);
  return [];
}
