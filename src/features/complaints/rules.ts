import { DateTime } from 'luxon';
import type { WorkingDayCalendar } from '../../time/working-days.ts';
import { financialYearLabel, financialYearOf } from '../../time/financial-year.ts';

/**
 * Complaints about staff: the statutory children's procedure (Children Act 1989 Representations
 * Procedure (England) Regulations 2006), the corporate procedure, staff grievances. Pure rules only.
 */

export const PROCEDURES = {
  statutory_children: 'Statutory children’s complaints procedure (2006 Regulations)',
  corporate: 'Corporate complaints procedure',
  staff_grievance: 'Staff grievance or harassment complaint',
} as const;
export type Procedure = keyof typeof PROCEDURES;

export const CHANNELS = {
  letter: 'Letter',
  email: 'Email',
  telephone: 'Telephone',
  online_form: 'Online form',
  in_person: 'In person',
  advocate: 'Through an advocate',
  other: 'Other',
} as const;
export type Channel = keyof typeof CHANNELS;

export const COMPLAINANT_TYPES = {
  child: 'Child or young person',
  parent_carer: 'Parent or carer',
  family_member: 'Other family member',
  professional: 'Professional',
  staff: 'Member of staff',
  advocate: 'Advocate on someone’s behalf',
} as const;
export type ComplainantType = keyof typeof COMPLAINANT_TYPES;

/** Seed 003 (Kent FOI/12/0179) Q1 a–p and Q2 a–e; the Kent Code (seed 002) conduct headings; other. */
export const ALLEGATION_GROUPS = [
  {
    label: 'Public-law failings',
    items: {
      pl_a: 'Acting beyond their powers',
      pl_b: 'Ignoring relevant information',
      pl_c: 'Failing to undertake a sufficient enquiry',
      pl_d: 'Misleading professionals',
      pl_e: 'Bias towards one parent',
      pl_f: 'Not informing a parent of the case against them',
      pl_g: 'Not taking into account evidence the person was not aware of',
      pl_h: 'Not allowing the person to put their case',
      pl_i: 'Not giving the person the facilities to put their case',
      pl_j: 'Refusing to hear evidence',
      pl_k: 'Denying access to relevant documents',
      pl_l: 'Holding a hearing in the person’s absence',
      pl_m: 'Changing a hearing without notice',
      pl_n: 'Grossly inaccurate or falsified records',
      pl_o: 'Covering up mistakes',
      pl_p: 'Bullying or intimidating a service user',
    },
  },
  {
    label: 'Children Act failings',
    items: {
      ca_a: 'Not putting the best interests of the child first',
      ca_b: 'Failing in the duty of care towards a child',
      ca_c: 'Ignoring imminent or future risk to a child',
      ca_d: 'Ignoring professional advice or concerns',
      ca_e: 'Ignoring the advice or concerns of parents, family or friends',
    },
  },
  {
    label: 'Conduct under the Kent Code',
    items: {
      kc_discrimination: 'Discrimination (Kent Code A.4)',
      kc_harassment: 'Harassment, intimidation or victimisation (Kent Code B)',
      kc_disclosure: 'Disclosure of information (Kent Code C)',
      kc_conflict: 'Conflict of interest (Kent Code H)',
      kc_gifts: 'Gifts and hospitality (Kent Code L)',
    },
  },
  { label: 'Other', items: { other: 'Other' } },
] as const;
export const ALLEGATION_CATEGORIES: Record<string, string> = Object.assign(
  {},
  ...ALLEGATION_GROUPS.map((g) => g.items),
) as Record<string, string>;
export const allegationLabel = (c: string) => ALLEGATION_CATEGORIES[c] ?? c;
export const allegationTheme = (c: string) => ALLEGATION_GROUPS.find((g) => c in g.items)?.label ?? 'Other';

export const FINDINGS = { upheld: 'Upheld', partially_upheld: 'Partially upheld', not_upheld: 'Not upheld' } as const;
export type Finding = keyof typeof FINDINGS;

export const ACTION_KINDS = {
  no_further_action: 'No further action',
  apology: 'Apology',
  practice_change: 'Practice change',
  training: 'Training',
  supervision: 'Supervision',
  disciplinary_investigation: 'Disciplinary investigation',
} as const;
export type ActionKind = keyof typeof ACTION_KINDS;

export const DISCIPLINARY_OUTCOMES = {
  none: 'No disciplinary action',
  warning: 'Warning',
  final_warning: 'Final warning',
  dismissal: 'Dismissal',
} as const;
export type DisciplinaryOutcome = keyof typeof DISCIPLINARY_OUTCOMES;

export const REFERRAL_BODIES = {
  swe: 'Social Work England',
  gscc: 'General Social Care Council (GSCC)',
  hcpc: 'Health and Care Professions Council (HCPC)',
  lgsco: 'Local Government and Social Care Ombudsman',
} as const;
export type ReferralBody = keyof typeof REFERRAL_BODIES;

export const STAGE_NAMES = {
  1: 'Stage 1: local resolution',
  2: 'Stage 2: investigation',
  3: 'Stage 3: review panel',
} as const;
export type StageNumber = 1 | 2 | 3;

// ---- Deadlines (working days per reg 2; the start date is day 0) ---------------------------------

export const LIMITS = {
  stage1: { days: 10, maxDays: 20 },
  stage2: { days: 25, maxDays: 65 },
  stage3Request: 20,
  panel: 30,
  panelReport: 5,
  councilResponse: 15,
} as const;

/** A complaint should be made within one year of the matter complained about (reg. 9). */
export function isLateComplaint(matterOn: string | null, receivedOn: string): boolean {
  if (!matterOn) return false;
  return receivedOn > DateTime.fromISO(matterOn, { zone: 'utc' }).plus({ years: 1 }).toISODate()!;
}

export function stage1Due(cal: WorkingDayCalendar, startedOn: string): string {
  return cal.addWorkingDays(startedOn, LIMITS.stage1.days);
}
export function stage1Latest(cal: WorkingDayCalendar, startedOn: string): string {
  return cal.addWorkingDays(startedOn, LIMITS.stage1.maxDays);
}
export function stage2Due(cal: WorkingDayCalendar, startedOn: string): string {
  return cal.addWorkingDays(startedOn, LIMITS.stage2.days);
}
export function stage2Latest(cal: WorkingDayCalendar, startedOn: string): string {
  return cal.addWorkingDays(startedOn, LIMITS.stage2.maxDays);
}
/** The complainant may ask for a review panel within 20 working days of the stage 2 response. */
export function stage3RequestBy(cal: WorkingDayCalendar, stage2RespondedOn: string): string {
  return cal.addWorkingDays(stage2RespondedOn, LIMITS.stage3Request);
}
export function panelDue(cal: WorkingDayCalendar, requestedOn: string): string {
  return cal.addWorkingDays(requestedOn, LIMITS.panel);
}
export function panelReportDue(cal: WorkingDayCalendar, panelHeldOn: string): string {
  return cal.addWorkingDays(panelHeldOn, LIMITS.panelReport);
}
export function councilResponseDue(cal: WorkingDayCalendar, reportOn: string): string {
  return cal.addWorkingDays(reportOn, LIMITS.councilResponse);
}

export interface StageRecord {
  stage: StageNumber;
  started_on: string;
  extended_to: string | null;
  responded_on: string | null;
  panel_held_on: string | null;
  report_on: string | null;
}

export interface Milestone {
  key: string;
  label: string;
  due: string;
  done: string | null;
}

/** Each deadline of a stage in order, with the date it was met (or null). */
export function milestones(cal: WorkingDayCalendar, s: StageRecord): Milestone[] {
  if (s.stage === 1)
    return [
      {
        key: 'response',
        label: 'Stage 1 response',
        due: s.extended_to ?? stage1Due(cal, s.started_on),
        done: s.responded_on,
      },
    ];
  if (s.stage === 2)
    return [
      {
        key: 'response',
        label: 'Stage 2 response',
        due: s.extended_to ?? stage2Due(cal, s.started_on),
        done: s.responded_on,
      },
    ];
  const out: Milestone[] = [
    {
      key: 'panel',
      label: 'Review panel meets',
      due: s.extended_to ?? panelDue(cal, s.started_on),
      done: s.panel_held_on,
    },
  ];
  if (s.panel_held_on)
    out.push({ key: 'report', label: 'Panel report', due: panelReportDue(cal, s.panel_held_on), done: s.report_on });
  if (s.report_on)
    out.push({
      key: 'response',
      label: 'Council response to the panel',
      due: councilResponseDue(cal, s.report_on),
      done: s.responded_on,
    });
  return out;
}

/** The next deadline still open on the stage, or null when all are met. */
export function openMilestone(cal: WorkingDayCalendar, s: StageRecord): Milestone | null {
  return milestones(cal, s).find((m) => m.done === null) ?? null;
}

/** A deadline is breached when it is past (today is after it) or was met late. */
export function breached(m: Milestone, today: string): boolean {
  return m.done ? m.done > m.due : today > m.due;
}

/** Why an extension to `to` is not allowed, or null. Stage 1 at most 20 working days, stage 2 at most 65. */
export function extensionProblem(cal: WorkingDayCalendar, s: StageRecord, to: string): string | null {
  if (s.responded_on) return 'The stage has already been responded to';
  const current = openMilestone(cal, s);
  if (!current) return 'The stage has no open deadline';
  if (to <= current.due) return `The new date must be after the current deadline, ${current.due}`;
  if (!cal.isWorkingDay(to)) return 'The new date must be a working day';
  if (s.stage === 1 && to > stage1Latest(cal, s.started_on))
    return `Stage 1 can be extended to at most 20 working days: ${stage1Latest(cal, s.started_on)}`;
  if (s.stage === 2 && to > stage2Latest(cal, s.started_on))
    return `Stage 2 can be extended to at most 65 working days: ${stage2Latest(cal, s.started_on)}`;
  if (s.stage === 3 && s.panel_held_on) return 'Only the date the panel meets can be extended at stage 3';
  return null;
}

/** Which reminders are due: 'due_soon' within `daysBefore` working days of the deadline, 'breached' the day after. */
export function reminderKind(
  cal: WorkingDayCalendar,
  due: string,
  today: string,
  daysBefore = 2,
): 'due_soon' | 'breached' | null {
  if (today > due) return 'breached';
  if (cal.workingDaysBetween(today, due) <= daysBefore) return 'due_soon';
  return null;
}

// ---- Outcomes --------------------------------------------------------------------------------

/** All upheld → upheld; none upheld or partly → not upheld; otherwise partially upheld. Null while any finding is missing. */
export function overallOutcome(findings: (string | null)[]): Finding | null {
  if (findings.length === 0 || findings.some((f) => f === null)) return null;
  if (findings.every((f) => f === 'upheld')) return 'upheld';
  if (findings.every((f) => f === 'not_upheld')) return 'not_upheld';
  return 'partially_upheld';
}

// ---- Related complainants ---------------------------------------------------------------------

export interface ComplaintForPattern {
  id: number;
  receivedOn: string;
  staffIds: number[];
  /** The household or family the complainant belongs to (free text, as recorded). */
  household: string | null;
  complainantName: string | null;
}

/** Complainants are related when they are of the same household or family; without one, the same person. */
export function complainantGroup(c: Pick<ComplaintForPattern, 'id' | 'household' | 'complainantName'>): string {
  const norm = (v: string) =>
    v
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
  if (c.household && norm(c.household)) return `household:${norm(c.household)}`;
  if (c.complainantName && norm(c.complainantName)) return `person:${norm(c.complainantName)}`;
  return `complaint:${c.id}`;
}

export interface RepeatStaff {
  staffId: number;
  complaints: number;
  unrelatedComplainants: number;
  complaintIds: number[];
}

/**
 * Seed 003 Q10: staff with two or more complaints from UNRELATED complainants within the period
 * (inclusive ISO dates). Several complaints from one household count once.
 */
export function staffWithUnrelatedComplaints(
  complaints: ComplaintForPattern[],
  period: { from: string; to: string },
  min = 2,
): RepeatStaff[] {
  const byStaff = new Map<number, { ids: number[]; groups: Set<string> }>();
  for (const c of complaints) {
    if (c.receivedOn < period.from || c.receivedOn > period.to) continue;
    for (const staffId of new Set(c.staffIds)) {
      const entry = byStaff.get(staffId) ?? { ids: [], groups: new Set<string>() };
      entry.ids.push(c.id);
      entry.groups.add(complainantGroup(c));
      byStaff.set(staffId, entry);
    }
  }
  return [...byStaff]
    .filter(([, e]) => e.groups.size >= min)
    .map(([staffId, e]) => ({
      staffId,
      complaints: e.ids.length,
      unrelatedComplainants: e.groups.size,
      complaintIds: e.ids.sort((a, b) => a - b),
    }))
    .sort(
      (a, b) =>
        b.unrelatedComplainants - a.unrelatedComplainants || b.complaints - a.complaints || a.staffId - b.staffId,
    );
}

// ---- Financial years -------------------------------------------------------------------------

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export { financialYearLabel, financialYearOf };

export interface YearBand {
  label: string;
  from: string;
  to: string;
  partYear: boolean;
}

/**
 * The financial years that cover [from, to]; one cut short by the period is a part-year labelled by
 * its months, like "Apr–Sep 2016" (or "Oct 2016–Mar 2017" across a new year).
 */
export function financialYearBands(from: string, to: string): YearBand[] {
  if (to < from) return [];
  const out: YearBand[] = [];
  for (let y = financialYearOf(from); y <= financialYearOf(to); y++) {
    const fyFrom = `${y}-04-01`,
      fyTo = `${y + 1}-03-31`;
    const bandFrom = from > fyFrom ? from : fyFrom;
    const bandTo = to < fyTo ? to : fyTo;
    const partYear = bandFrom !== fyFrom || bandTo !== fyTo;
    out.push({
      label: partYear ? partLabel(bandFrom, bandTo) : financialYearLabel(y),
      from: bandFrom,
      to: bandTo,
      partYear,
    });
  }
  return out;
}

function partLabel(from: string, to: string): string {
  const m = (d: string) => MONTHS[Number(d.slice(5, 7)) - 1]!;
  const [fy, ty] = [from.slice(0, 4), to.slice(0, 4)];
  if (fy === ty) return from.slice(0, 7) === to.slice(0, 7) ? `${m(from)} ${fy}` : `${m(from)}–${m(to)} ${fy}`;
  return `${m(from)} ${fy}–${m(to)} ${ty}`;
}

/** A complaint's reference: C-yyyy-nnnn. */
export const complaintReference = (receivedOn: string, id: number) =>
  `C-${receivedOn.slice(0, 4)}-${String(id).padStart(4, '0')}`;
