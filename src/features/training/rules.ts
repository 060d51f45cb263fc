/**
 * Pure rules of training (issue 19, seed 001 §11): who needs a course, when a completion expires,
 * whether someone's required training is current, and what the risk gate asks of it. The service
 * loads the facts and asks these; unit tests cover them without a database.
 */
import { DateTime } from 'luxon';
import { addDays, longDate } from '../../time/london.ts';

export const CATEGORIES = {
  lone_working: 'Lone working',
  personal_safety: 'Personal safety',
  key_holder: 'Key holder',
  physical_intervention: 'Physical intervention (Team Teach)',
  other: 'Other',
} as const;
export type Category = keyof typeof CATEGORIES;
/** The courses the team's 'require' policy and the FOI statistic read as lone-working training. */
export const LONE_WORKING_CATEGORIES: readonly string[] = ['lone_working', 'personal_safety'];

export const POLICIES = { warn: 'Warn', require: 'Require' } as const;
export type Policy = keyof typeof POLICIES;

/** Items falling due this many days ahead show on the manager's home and are reminded. */
export const DUE_WINDOW_DAYS = 30;
/** Each person is reminded at most this often. */
export const REMINDER_INTERVAL_DAYS = 7;

/** How an imported file may name a course: case, spaces and punctuation are ignored. */
export function courseKey(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

export interface CourseFacts {
  id: number;
  name: string;
  category: string;
  validity_months: number | null;
  everyone: boolean;
  job_roles: readonly string[];
  team_ids: readonly number[];
  service_ids: readonly number[];
  key_holders: boolean;
}

export interface PersonFacts {
  jobRole: string;
  teamId: number | null;
  serviceId: number | null;
  keyHolder: boolean;
}

/** Does this person need the course? */
export function requiredFor(course: CourseFacts, p: PersonFacts): boolean {
  return (
    course.everyone ||
    course.job_roles.includes(p.jobRole) ||
    (p.teamId !== null && course.team_ids.includes(p.teamId)) ||
    (p.serviceId !== null && course.service_ids.includes(p.serviceId)) ||
    (course.key_holders && p.keyHolder)
  );
}

/** Adds whole months to a date, keeping to the month's last day (31 Jan + 1 month = 28 or 29 Feb). */
export function addMonths(date: string, months: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ months }).toISODate()!;
}

/** The record's own expiry, else completed + the course's validity; null: it does not expire. */
export function expiryOf(
  record: { completed_on: string; expires_on: string | null },
  validityMonths: number | null,
): string | null {
  if (record.expires_on) return record.expires_on;
  return validityMonths ? addMonths(record.completed_on, validityMonths) : null;
}

export type Currency = 'current' | 'expiring' | 'expired' | 'missing';
export interface CourseStatus {
  state: Currency;
  expiresOn: string | null;
  completedOn: string | null;
}

/**
 * A course's standing for one person on `today`: the completion that lasts longest counts. A
 * completion is current up to the day before its expiry; on the expiry date it has expired.
 * 'expiring' is current but expiring within DUE_WINDOW_DAYS.
 */
export function courseStatus(
  records: readonly { completed_on: string; expires_on: string | null }[],
  validityMonths: number | null,
  today: string,
): CourseStatus {
  const done = records.filter((r) => r.completed_on <= today);
  if (!done.length) return { state: 'missing', expiresOn: null, completedOn: null };
  let best = done[0]!;
  let bestExpiry = expiryOf(best, validityMonths);
  for (const r of done.slice(1)) {
    const e = expiryOf(r, validityMonths);
    if (
      bestExpiry !== null &&
      (e === null || e > bestExpiry || (e === bestExpiry && r.completed_on > best.completed_on))
    ) {
      best = r;
      bestExpiry = e;
    }
  }
  const state: Currency =
    bestExpiry !== null && bestExpiry <= today
      ? 'expired'
      : bestExpiry !== null && bestExpiry <= addDays(today, DUE_WINDOW_DAYS)
        ? 'expiring'
        : 'current';
  return { state, expiresOn: bestExpiry, completedOn: best.completed_on };
}

export const isCurrent = (s: Currency) => s === 'current' || s === 'expiring';

export interface RequiredCourse {
  course: CourseFacts;
  status: CourseStatus;
}
export interface DueItemFacts {
  id: number;
  course_id: number;
  course_name: string;
  reason: string;
  created_on: string;
  due_on: string;
}

export interface PersonTraining {
  required: RequiredCourse[];
  /** Every required course is current. */
  current: boolean;
  /** The soonest expiry among required courses that are current. */
  nextExpiry: string | null;
  /** Required courses missing or expired, by name. */
  lacking: string[];
  /** Refresher items not yet done by a completion on or after the day they were raised. */
  outstanding: DueItemFacts[];
}

/** A person's training against the courses they need, and their outstanding refresher items. */
export function personTraining(
  person: PersonFacts,
  courses: readonly CourseFacts[],
  records: readonly { course_id: number; completed_on: string; expires_on: string | null }[],
  dueItems: readonly DueItemFacts[],
  today: string,
): PersonTraining {
  const required = courses
    .filter((c) => requiredFor(c, person))
    .map((course) => ({
      course,
      status: courseStatus(
        records.filter((r) => r.course_id === course.id),
        course.validity_months,
        today,
      ),
    }));
  const lacking = required.filter((r) => !isCurrent(r.status.state)).map((r) => r.course.name);
  const expiries = required
    .filter((r) => isCurrent(r.status.state) && r.status.expiresOn)
    .map((r) => r.status.expiresOn!)
    .sort();
  const outstanding = dueItems.filter(
    (d) =>
      !records.some((r) => r.course_id === d.course_id && r.completed_on >= d.created_on && r.completed_on <= today),
  );
  return { required, current: lacking.length === 0, nextExpiry: expiries[0] ?? null, lacking, outstanding };
}

/** Required courses of these categories that are missing or expired. */
export function lackingIn(t: PersonTraining, categories: readonly string[]): string[] {
  return t.required
    .filter((r) => categories.includes(r.course.category) && !isCurrent(r.status.state))
    .map((r) => r.course.name);
}

/** What falls due within the window (expiring, expired, missing, refresher items): for homes and reminders. */
export function dueSoon(t: PersonTraining, today: string): { text: string; on: string | null }[] {
  const items: { text: string; on: string | null }[] = [];
  for (const r of t.required) {
    if (r.status.state === 'missing') items.push({ text: `${r.course.name}: not done`, on: null });
    else if (r.status.state === 'expired')
      items.push({ text: `${r.course.name}: expired on ${longDate(r.status.expiresOn!)}`, on: r.status.expiresOn });
    else if (r.status.state === 'expiring')
      items.push({ text: `${r.course.name}: expires on ${longDate(r.status.expiresOn!)}`, on: r.status.expiresOn });
  }
  for (const d of t.outstanding) {
    if (d.due_on <= addDays(today, DUE_WINDOW_DAYS))
      items.push({
        text: `${d.course_name}: refresher advised (${d.reason}), due ${longDate(d.due_on)}`,
        on: d.due_on,
      });
  }
  return items;
}

/** Should this person be reminded now, given when they last were? */
export function reminderDue(lastSent: Date | null, now: Date): boolean {
  return !lastSent || now.getTime() - lastSent.getTime() >= REMINDER_INTERVAL_DAYS * 86_400_000;
}

// ---- The risk gate ------------------------------------------------------------------------------

export interface GateFacts {
  kind: string;
  /** The visit's traffic light (null for other kinds of lone working). */
  rating: string | null;
  policy: Policy;
  /** Required lone-working and personal safety courses missing or expired. */
  loneWorkingLacking: string[];
  /** Required key-holder courses missing or expired, or 'no course' when none is kept. */
  keyHolderLacking: string[];
  hasJointPartner: boolean;
  managerApproved: boolean;
  /** A risk assessment for this session that is not past review. */
  assessmentCurrent: boolean;
}

/**
 * What training stops a session starting. A team that requires training: a RED or AMBER lone visit
 * by someone whose lone-working training is missing or expired needs a joint visit or a manager's
 * approval, as RED does. A key-holder call-out always needs the key-holder training and a risk
 * assessment (seed 001 §11).
 */
export function trainingStartProblems(f: GateFacts): string[] {
  const problems: string[] = [];
  if (
    f.kind === 'visit' &&
    f.policy === 'require' &&
    (f.rating === 'RED' || f.rating === 'AMBER') &&
    f.loneWorkingLacking.length &&
    !f.hasJointPartner &&
    !f.managerApproved
  ) {
    problems.push(
      `This team requires lone-working training for ${f.rating} visits: ${f.loneWorkingLacking.join(' and ')} ${f.loneWorkingLacking.length === 1 ? 'is' : 'are'} missing or expired, so it needs a joint visit or the line manager’s approval before it can start`,
    );
  }
  if (f.kind === 'key_holder_callout') {
    if (f.keyHolderLacking.length)
      problems.push(
        `A key-holder call-out needs current key-holder training: ${f.keyHolderLacking.join(' and ')} ${f.keyHolderLacking.length === 1 ? 'is' : 'are'} missing or expired`,
      );
    if (!f.assessmentCurrent)
      problems.push(
        'A key-holder call-out needs a risk assessment: record one on the call-out’s risk page before it can start',
      );
  }
  return problems;
}

/** Warn policy (or any team): what to show on the session page and to the manager. */
export function trainingWarning(loneWorkingLacking: readonly string[]): string | null {
  return loneWorkingLacking.length
    ? `Lone-working training missing or expired: ${loneWorkingLacking.join(', ')}`
    : null;
}
