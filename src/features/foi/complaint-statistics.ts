import type { NoteCount, StatTable } from './disclosure.ts';
import {
  OUTCOME_KEYS,
  byKeyThenYear,
  byYear,
  fromComplaints,
  periodNote,
  rekey,
  type StatisticDefinition,
} from './statistic-tables.ts';
import { complaintCounts, dismissalCount, repeatComplaintStaffCount } from './statistics-repository.ts';

/** The statistics read from complaints (seeds 003 and 004), in the order the page lists them. */
export const COMPLAINT_STATISTICS: StatisticDefinition[] = [
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
];
