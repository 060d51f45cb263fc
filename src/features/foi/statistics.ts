import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { ComplaintStatistics, ComplaintStatisticsQuery } from '../complaints/index.ts';
import { ZONE, longDate } from '../../time/london.ts';
import type { NoteCount, Period, StatTable } from './disclosure.ts';
import { financialYearOf as financialYear, financialYearLabel as fyLabel } from '../../time/financial-year.ts';
import { JOB_ROLES } from '../people/job-roles.ts';
import {
  actionCounts,
  alertCounts,
  complaintCounts,
  dismissalCount,
  measureCounts,
  repeatComplaintStaffCount,
  staffAssaultedCounts,
  trainedStaffCounts,
  type Counted,
} from './statistics-repository.ts';

export { wholeMonths } from './statistics-repository.ts';

const jobRoleLabel = (role: string) => (JOB_ROLES as Record<string, string>)[role] ?? role;

/**
 * Ready-made statistics that answer the seeds' FOI questions from Harbour's live records. Each is
 * a named, parameterised definition with its own read-only query over the other features' tables
 * (incidents 0006/0010, lone working 0002, complaints 0012). Every result goes through disclosure
 * control (`disclosure.ts`) before anyone outside sees it.
 */

export interface StatParams {
  /** Inclusive London dates. */
  from: string;
  to: string;
  teamId: number | null;
  serviceId: number | null;
  /** A job role key, or `social_workers` for social workers and senior practitioners. */
  jobRole: string | null;
  /**
   * Whether concerns raised by staff (the staff grievance procedure) count beside complaints from service
   * users, for the statistics that offer the choice (`staffConcernsOption`). Absent: they count.
   */
  staffConcerns?: boolean;
}

/** Whether an FOI question asks about concerns from staff as well as service users: the option's default. */
export function questionCoversStaff(question: string): boolean {
  return /\b(staff or (?:the )?service users|service users or (?:other )?staff)\b/i.test(question);
}

/** What a statistic reads: the database, and the complaints feature's own statistics when it is there. */
export interface StatSources {
  db: Kysely<DB>;
  /** `services.complaints.statistics` (issue 6); null where it is not wired. */
  complaints: ((actor: Actor, q: ComplaintStatisticsQuery) => Promise<ComplaintStatistics>) | null;
  actor: Actor | null;
}

export interface StatisticDefinition {
  name: string;
  title: string;
  seed: '000' | '003' | '004' | null;
  /** The FOI question it answers, in the requester's words where there is one. */
  question: string;
  source: 'incidents' | 'lone working' | 'complaints';
  /** The staff job role the question names, preset on the statistic page. */
  jobRole?: string;
  /** Offers the choice to count concerns raised by staff (`StatParams.staffConcerns`). */
  staffConcernsOption?: true;
  compute(src: StatSources, p: StatParams): Promise<StatTable>;
}

// ---- Periods ---------------------------------------------------------------------------------------

/** The financial year (April to March) a London date falls in, by its starting year; its label. */
export { financialYearOf as financialYear, financialYearLabel as fyLabel } from '../../time/financial-year.ts';

/** The financial years a period touches, oldest first. */
export function financialYears(from: string, to: string): number[] {
  const out: number[] = [];
  for (let y = financialYear(from); y <= financialYear(to); y++) out.push(y);
  return out;
}

export type PeriodInput =
  | { period: 'last_years'; years: number }
  | { period: 'financial_years'; fromYear: number; toYear: number }
  | { period: 'custom'; from: string; to: string };

/** Resolves a period choice to inclusive dates, as of `today`. */
export function resolvePeriod(p: PeriodInput, today: string): { from: string; to: string } {
  if (p.period === 'last_years')
    return {
      from: DateTime.fromISO(today, { zone: ZONE }).minus({ years: p.years }).plus({ days: 1 }).toISODate()!,
      to: today,
    };
  if (p.period === 'financial_years') return { from: `${p.fromYear}-04-01`, to: `${p.toYear + 1}-03-31` };
  return { from: p.from, to: p.to };
}

/**
 * The financial years of a period with the dates each covers; a part year is labelled with its
 * dates ("2024/25 (6 December 2024 to 31 March 2025)"), never as the whole year.
 */
export function yearBands(p: { from: string; to: string }): { fy: number; label: string; period: Period }[] {
  return financialYears(p.from, p.to).map((fy) => {
    const from = p.from > `${fy}-04-01` ? p.from : `${fy}-04-01`;
    const to = p.to < `${fy + 1}-03-31` ? p.to : `${fy + 1}-03-31`;
    const whole = from === `${fy}-04-01` && to === `${fy + 1}-03-31`;
    return {
      fy,
      period: { from, to },
      label: whole ? fyLabel(fy) : `${fyLabel(fy)} (${longDate(from)} to ${longDate(to)})`,
    };
  });
}

const total = (counted: Counted[], fy: number, key: string) =>
  counted.filter((c) => c.fy === fy && c.key === key).reduce((a, c) => a + Number(c.n), 0);

/** Rows by financial year, one column per key, from (fy, key, n) rows. */
function byYear(
  p: StatParams,
  columns: [key: string, label: string][],
  counted: Counted[],
): Pick<StatTable, 'rowHeader' | 'columns' | 'rows' | 'rowPeriods'> {
  const bands = yearBands(p);
  return {
    rowHeader: 'Financial year',
    columns: columns.map(([, label]) => label),
    rows: bands.map((b) => ({ label: b.label, cells: columns.map(([key]) => total(counted, b.fy, key)) })),
    rowPeriods: bands.map((b) => b.period),
  };
}

/** Rows by key, one column per financial year. */
function byKeyThenYear(
  p: StatParams,
  rowHeader: string,
  keys: [key: string, label: string][],
  counted: Counted[],
): Pick<StatTable, 'rowHeader' | 'columns' | 'rows' | 'columnPeriods'> {
  const bands = yearBands(p);
  return {
    rowHeader,
    columns: bands.map((b) => b.label),
    rows: keys.map(([key, label]) => ({ label, cells: bands.map((b) => total(counted, b.fy, key)) })),
    columnPeriods: bands.map((b) => b.period),
  };
}

const periodNote = (p: StatParams) =>
  `Period: ${longDate(p.from)} to ${longDate(p.to)} (financial years run April to March; a part year is labelled with its dates).`;

/** The outcome keys of `complaint_outcome_key` (migration 0016): exactly one per complaint. */
const OUTCOME_KEYS = ['withdrawn', 'not_investigated', 'upheld', 'partially_upheld', 'not_upheld', 'open'];

/** Counted rows under new keys: each source key may feed several (received, investigated, …). */
function rekey(rows: Counted[], map: (key: string) => string[]): Counted[] {
  return rows.flatMap((r) => map(r.key).map((key) => ({ fy: r.fy, key, n: Number(r.n) })));
}

/** The HS157 categories that answer "physical, verbal and sexual assaults" (seed 000). */
const ASSAULT_TYPES: [string, string][] = [
  ['physical_assault', 'Physical assault'],
  ['verbal_abuse', 'Verbal abuse or harassment'],
  ['threats', 'Threats of violence'],
  ['sexual_harassment', 'Sexual assault or harassment'],
];
const ASSAULT_KEYS = ASSAULT_TYPES.map(([k]) => k);

// ---- The registry ----------------------------------------------------------------------------------

export const STATISTICS: StatisticDefinition[] = [
  {
    name: 'staff-assaulted',
    title: 'Staff assaulted',
    seed: '000',
    question: 'How many social workers have been assaulted whilst working for the council in the last two years?',
    source: 'incidents',
    jobRole: 'social_workers',
    async compute({ db }, p) {
      // Per member of staff per month or day, so the staff assaulted are counted distinct over any span.
      const rows = await staffAssaultedCounts(db, p);
      const years = byYear(
        p,
        [
          ['incidents', 'Incidents of assault'],
          ['staff', 'Members of staff assaulted'],
        ],
        rows,
      );
      // The whole period as its own row: a person assaulted in two years is one person over the period.
      return {
        title: this.title,
        ...years,
        rows: [
          ...years.rows,
          {
            label: `Whole period (${longDate(p.from)} to ${longDate(p.to)})`,
            cells: [total(rows, -1, 'incidents'), total(rows, -1, 'staff')],
          },
        ],
        rowPeriods: [...years.rowPeriods!, { from: p.from, to: p.to }],
        rowTotals: false,
        columnTotals: false,
        oncePerPerson: ['Members of staff assaulted'],
        notes: [
          periodNote(p),
          'Assault: an incident reported as physical assault, verbal abuse or harassment, threats of violence, or sexual harassment. A member of staff assaulted more than once is counted once in each year, and once over the whole period, so the years do not add up to the whole period.',
        ],
      };
    },
  },
  {
    name: 'assaults-by-type',
    title: 'Assaults on staff, by type',
    seed: '000',
    question: 'Of these how many were physical assaults? How many were verbal assaults? How many were sexual assaults?',
    source: 'incidents',
    jobRole: 'social_workers',
    async compute({ db }, p) {
      const counted = await measureCounts(
        db,
        p,
        ASSAULT_KEYS.map((k) => [k, k]),
      );
      return {
        title: this.title,
        ...byYear(p, ASSAULT_TYPES, counted),
        rowTotals: false,
        columnTotals: true,
        notes: [
          periodNote(p),
          'An incident reported under more than one type is counted under each, so the types do not add up to the number of incidents.',
        ],
      };
    },
  },
  {
    name: 'police-and-prosecutions',
    title: 'Assaults reported to the police, and prosecutions',
    seed: '000',
    question:
      'How many were reported to the police? How many resulted in prosecutions? How many were successful prosecutions?',
    source: 'incidents',
    jobRole: 'social_workers',
    async compute({ db }, p) {
      // Of the assaults asked about (the assault_ measures), and of every incident: the separately
      // labelled figures under the table.
      const counted = await measureCounts(db, p, [
        ['reported', 'assault_police_reported'],
        ['prosecuted', 'assault_prosecuted'],
        ['successful', 'assault_successful'],
        ['all_reported', 'police_reported'],
        ['all_prosecuted', 'prosecuted'],
        ['all_successful', 'successful'],
      ]);
      const assaults = counted.filter((r) => !r.key.startsWith('all_'));
      const rows = rekey(
        counted.filter((r) => r.key.startsWith('all_')),
        (key) => [key.slice('all_'.length)],
      );
      const all = (key: string) => rows.filter((r) => r.key === key).reduce((a, r) => a + Number(r.n), 0);
      return {
        title: this.title,
        ...byYear(
          p,
          [
            ['reported', 'Assaults reported to the police'],
            ['prosecuted', 'Assaults that resulted in prosecution'],
            ['successful', 'Successful prosecutions for assault'],
          ],
          assaults,
        ),
        rowTotals: false,
        columnTotals: true,
        notes: [
          periodNote(p),
          'Of the assaults counted in "Staff assaulted" (physical assault, verbal abuse or harassment, threats of violence, sexual harassment). Prosecution: the perpetrator was charged or a court outcome is recorded. Successful: convicted.',
        ],
        counts: [
          {
            label: 'All incidents, not only assaults, reported to the police',
            value: all('reported'),
            suffix: ' in the period',
          },
          {
            label: 'All incidents, not only assaults, that resulted in prosecution',
            value: all('prosecuted'),
            suffix: ' in the period',
          },
          {
            label: 'All incidents, not only assaults, with a successful prosecution',
            value: all('successful'),
            suffix: ' in the period',
          },
        ],
      };
    },
  },
  {
    name: 'actions-taken',
    title: 'Actions taken after incidents',
    seed: '000',
    question: 'What actions were taken by the council?',
    source: 'incidents',
    jobRole: 'social_workers',
    async compute({ db }, p) {
      const rows = await actionCounts(db, p);
      return {
        title: this.title,
        ...byKeyThenYear(
          p,
          'Action',
          [
            ['manager_meeting', 'Manager met the member of staff'],
            ['police_right_told', 'Told of their right to report to the police'],
            ['investigation', 'Serious incident investigation (HS160) started'],
            ['warning_flag', 'Warning flag raised on a person, case or address'],
            ['warning_letter', 'Warning letter to the perpetrator'],
            ['contact_ban', 'Contact ban'],
            ['injunction', 'Injunction'],
            ['asbo', 'Anti-social behaviour order'],
            ['service_withdrawal', 'Service withdrawn'],
          ],
          rows,
        ),
        rowTotals: true,
        columnTotals: true,
        notes: [periodNote(p), 'Each action is counted in the year it was taken.'],
      };
    },
  },
  {
    name: 'lone-working-alerts',
    title: 'Lone-working alerts raised',
    seed: null,
    question: 'How many times was the alarm raised for a lone worker (overdue, duress, end of day not confirmed)?',
    source: 'lone working',
    async compute({ db }, p) {
      const rows = await alertCounts(db, p);
      return {
        title: this.title,
        ...byYear(
          p,
          [
            ['overdue', 'Overdue'],
            ['duress', 'Duress'],
            ['end_of_day', 'End of day not confirmed'],
          ],
          rows,
        ),
        rowTotals: true,
        columnTotals: true,
        notes: [periodNote(p)],
      };
    },
  },
  {
    name: 'complaints-by-year',
    title: 'Statutory complaints received, investigated, withdrawn and upheld',
    seed: '004',
    question:
      'The number of complaints made against children’s social workers: how many were investigated, and how many were substantiated?',
    source: 'complaints',
    jobRole: 'social_workers',
    async compute(src, p) {
      const columns: [string, string][] = [
        ['received', 'Statutory complaints received'],
        ['investigated', 'Investigated and concluded'],
        ['open', 'Still open'],
        ['withdrawn', 'Withdrawn by complainants'],
        ['not_investigated', 'Not investigated'],
        ['upheld', 'Upheld or partially upheld'],
      ];
      const notes = [
        periodNote(p),
        'Statutory: the Children Act 1989 representations procedure. Investigated and concluded: an investigation reached a finding. Still open: not yet concluded, withdrawn or refused. Not investigated: refused (for example during an active police investigation). Upheld: of those investigated and concluded.',
      ];
      const counted = await complaintCounts(src.db, p, 'statutory_children');
      const rows = rekey(
        counted.filter((r) => OUTCOME_KEYS.includes(r.key)),
        (key) => [
          'received',
          ...(['upheld', 'partially_upheld', 'not_upheld'].includes(key) ? ['investigated'] : [key]),
          ...(key === 'upheld' || key === 'partially_upheld' ? ['upheld'] : []),
        ],
      );
      return { title: this.title, ...byYear(p, columns, rows), rowTotals: false, columnTotals: true, notes };
    },
  },
  {
    name: 'staff-dismissed',
    title: 'Staff dismissed',
    seed: '004',
    question: 'Could you also please give the number of children’s social workers dismissed since 2008?',
    source: 'complaints',
    jobRole: 'social_workers',
    async compute(src, p) {
      const notes = [
        periodNote(p),
        'Dismissals recorded as the outcome of a disciplinary investigation raised from a complaint. Reasons are personal data and are not published.',
      ];
      const delegated = await fromComplaints(src, p, 'all');
      if (delegated) {
        return {
          title: this.title,
          rowHeader: 'Period',
          columns: ['Dismissals'],
          rows: [{ label: `${p.from} to ${p.to}`, cells: [delegated.dismissals] }],
          rowTotals: false,
          columnTotals: false,
          notes,
        };
      }
      const rows = await dismissalCount(src.db, p);
      return {
        title: this.title,
        rowHeader: 'Period',
        columns: ['Dismissals'],
        rows: [{ label: `${p.from} to ${p.to}`, cells: [Number(rows[0]?.n ?? 0)] }],
        rowTotals: false,
        columnTotals: false,
        notes,
      };
    },
  },
  {
    name: 'complaints-about-staff',
    title: 'Concerns and complaints about staff, by outcome',
    seed: '003',
    question:
      'Statistics for the last 5 years where concerns or complaints have been raised on a social worker, with action taken and outcomes.',
    source: 'complaints',
    jobRole: 'social_workers',
    staffConcernsOption: true,
    async compute({ db }, p) {
      // Concerns raised by staff (the staff grievance procedure) count when the option is on: on by
      // default where the question says "staff or service users" (seed 003).
      const withStaff = p.staffConcerns !== false;
      const counted = await complaintCounts(db, p, withStaff ? 'any' : 'not_staff_grievance');
      const rows = counted.filter((r) => OUTCOME_KEYS.includes(r.key));
      const outcomes = byKeyThenYear(
        p,
        'Outcome',
        [
          ['upheld', 'Upheld'],
          ['partially_upheld', 'Partially upheld'],
          ['not_upheld', 'Not upheld'],
          ['withdrawn', 'Withdrawn'],
          ['not_investigated', 'Not investigated'],
          ['open', 'Not yet concluded'],
        ],
        rows,
      );
      const inPeriod = (key: string) => counted.filter((r) => r.key === key).reduce((a, r) => a + Number(r.n), 0);
      // Each complaint referred counts once under the kind of body it went to (migration 0033).
      const referredTo = (kind: 'regulator' | 'ombudsman') => inPeriod(`referred_${kind}`);
      const actions: [string, string][] = [
        ['action_no_further_action', 'Action: no further action'],
        ['action_apology', 'Action: apology'],
        ['action_practice_change', 'Action: change to practice'],
        ['action_training', 'Action: training'],
        ['action_supervision', 'Action: supervision'],
        ['action_disciplinary_investigation', 'Action: disciplinary investigation'],
      ];
      const counts: NoteCount[] = [
        ...actions.map(([key, label]) => ({ label, value: inPeriod(key), suffix: ' complaints in the period' })),
        {
          label: 'Referred to a regulator (Social Work England; before it the HCPC and, until 2012, the GSCC)',
          value: referredTo('regulator'),
          suffix: ' complaints in the period',
        },
        {
          label: 'Referred to the Local Government and Social Care Ombudsman',
          value: referredTo('ombudsman'),
          suffix: ' complaints in the period',
        },
      ];
      return {
        title: this.title,
        rowHeader: 'Outcome',
        columns: outcomes.columns,
        rows: outcomes.rows,
        columnPeriods: outcomes.columnPeriods,
        rowTotals: true,
        columnTotals: true,
        notes: [
          periodNote(p),
          withStaff
            ? 'Concerns and complaints from service users, and concerns raised by staff (the staff grievance procedure), naming at least one member of staff in the chosen role, by outcome (each complaint once).'
            : 'Concerns and complaints from service users, naming at least one member of staff in the chosen role, by outcome (each complaint once). Concerns raised by staff (the staff grievance procedure) are not included.',
        ],
        counts,
      };
    },
  },
  {
    name: 'staff-with-repeat-complaints',
    title: 'Staff with two or more complaints from unrelated complainants',
    seed: '003',
    question:
      'Have any of the social workers, over the last 5 years, had two or more concerns or complaints made against them from unrelated service users or staff?',
    source: 'complaints',
    jobRole: 'social_workers',
    async compute(src, p) {
      const notes = [
        'Complainants are unrelated when their complaints record different households (or, with no household, different complainants). Any procedure counts.',
      ];
      const table = (n: number): StatTable => ({
        title: this.title,
        rowHeader: 'Period',
        columns: ['Members of staff'],
        rows: [{ label: `${p.from} to ${p.to}`, cells: [n] }],
        rowTotals: false,
        columnTotals: false,
        // A person with repeat complaints over a period is not the sum of the months'.
        oncePerPerson: true,
        notes,
      });
      const delegated = await fromComplaints(src, p, 'all');
      if (delegated) return table(delegated.repeatStaff.count);
      // complaint_staff_groups (migration 0016) holds, per member of staff and day, the complainant groups
      // (the same grouping as complaints/rules.ts complainantGroup: household, else complainant, else the
      // complaint itself). Per person: the first group in the period, then whether any other group is in it.
      const rows = await repeatComplaintStaffCount(src.db, p);
      return table(Number(rows[0]?.n ?? 0));
    },
  },
  {
    // Issue 19: a common FOI question, answered from the training records (migration 0028).
    name: 'staff-trained-lone-working',
    title: 'Staff who have completed lone-working and personal safety training',
    seed: null,
    question: 'How many staff have completed lone-working and personal safety training, by team and job role?',
    source: 'lone working',
    async compute({ db }, p) {
      // Current staff who, by the end of the period, had completed a lone-working course and a personal
      // safety course (the categories an administrator gives the courses), by team and job role.
      const rows = await trainedStaffCounts(db, p);
      const roles = [...new Set(rows.map((r) => r.role))].sort((a, b) =>
        jobRoleLabel(a).localeCompare(jobRoleLabel(b)),
      );
      const teams = [...new Set(rows.map((r) => r.team ?? 'No team'))].sort();
      const cell = (team: string, role: string) =>
        Number(rows.find((r) => (r.team ?? 'No team') === team && r.role === role)?.n ?? 0);
      return {
        title: this.title,
        rowHeader: 'Team',
        columns: roles.length ? roles.map(jobRoleLabel) : ['Staff'],
        rows: teams.length
          ? teams.map((team) => ({ label: team, cells: roles.map((role) => cell(team, role)) }))
          : [{ label: 'All teams', cells: [0] }],
        rowTotals: roles.length > 1,
        columnTotals: teams.length > 1,
        // Staff trained by the end of the period: a count of people at a date, not over days.
        oncePerPerson: true,
        notes: [
          `Staff in post who had completed both a lone-working course and a personal safety course by ${longDate(p.to)} (in Kent: E Learning Lone Working and KSCMP Personal Safety – Lone Worker), whether or not a completion has since expired. Each person is counted once, in their current team and job role.`,
        ],
      };
    },
  },
];

/**
 * The complaints feature's own statistics (issue 6), used when the filter is one it takes (period and
 * job role; not team or service), so the FOI figures and the complaints team's agree. Null otherwise.
 */
async function fromComplaints(
  src: StatSources,
  p: StatParams,
  procedure: 'statutory_children' | 'all',
): Promise<ComplaintStatistics | null> {
  if (!src.complaints || !src.actor || p.teamId || p.serviceId) return null;
  const jobRoles =
    p.jobRole === 'social_workers' ? ['social_worker', 'senior_practitioner'] : p.jobRole ? [p.jobRole] : undefined;
  return src.complaints(src.actor, { from: p.from, to: p.to, procedure, jobRoles });
}

export function statistic(name: string): StatisticDefinition | undefined {
  return STATISTICS.find((s) => s.name === name);
}
