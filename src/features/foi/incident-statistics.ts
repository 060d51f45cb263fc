import { longDate } from '../../time/london.ts';
import {
  ASSAULT_KEYS,
  ASSAULT_TYPES,
  byKeyThenYear,
  byYear,
  jobRoleLabel,
  periodNote,
  rekey,
  total,
  type StatisticDefinition,
} from './statistic-tables.ts';
import {
  actionCounts,
  alertCounts,
  measureCounts,
  staffAssaultedCounts,
  trainedStaffCounts,
} from './statistics-repository.ts';

/** The statistics read from incidents and lone working (seed 000), in the order the page lists them. */
export const INCIDENT_STATISTICS: StatisticDefinition[] = [
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
];

/** Staff trained in lone working (issue 19), read from the training records. */
export const TRAINED_STAFF: StatisticDefinition = {
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
    const roles = [...new Set(rows.map((r) => r.role))].sort((a, b) => jobRoleLabel(a).localeCompare(jobRoleLabel(b)));
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
};
