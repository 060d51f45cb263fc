import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../../db/schema.ts';
import type { Actor } from '../auth/actor.ts';
import type { ComplaintStatistics, ComplaintStatisticsQuery } from '../complaints/index.ts';
import { ZONE, longDate } from '../../time/london.ts';
import type { Period, StatTable } from './disclosure.ts';
import { financialYearOf as financialYear, financialYearLabel as fyLabel } from '../../time/financial-year.ts';
import { JOB_ROLES } from '../people/job-roles.ts';
import type { Counted } from './statistics-repository.ts';

export const jobRoleLabel = (role: string) => (JOB_ROLES as Record<string, string>)[role] ?? role;

/**
 * What the statistics' definitions share: their parameters and sources, periods as financial years,
 * and the tables built from counted rows (by year, by key then year), with the notes they carry.
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

export const total = (counted: Counted[], fy: number, key: string) =>
  counted.filter((c) => c.fy === fy && c.key === key).reduce((a, c) => a + Number(c.n), 0);

/** Rows by financial year, one column per key, from (fy, key, n) rows. */
export function byYear(
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
export function byKeyThenYear(
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

export const periodNote = (p: StatParams) =>
  `Period: ${longDate(p.from)} to ${longDate(p.to)} (financial years run April to March; a part year is labelled with its dates).`;

/** The outcome keys of `complaint_outcome_key` (migration 0016): exactly one per complaint. */
export const OUTCOME_KEYS = ['withdrawn', 'not_investigated', 'upheld', 'partially_upheld', 'not_upheld', 'open'];

/** Counted rows under new keys: each source key may feed several (received, investigated, …). */
export function rekey(rows: Counted[], map: (key: string) => string[]): Counted[] {
  return rows.flatMap((r) => map(r.key).map((key) => ({ fy: r.fy, key, n: Number(r.n) })));
}

/** The HS157 categories that answer "physical, verbal and sexual assaults" (seed 000). */
export const ASSAULT_TYPES: [string, string][] = [
  ['physical_assault', 'Physical assault'],
  ['verbal_abuse', 'Verbal abuse or harassment'],
  ['threats', 'Threats of violence'],
  ['sexual_harassment', 'Sexual assault or harassment'],
];
export const ASSAULT_KEYS = ASSAULT_TYPES.map(([k]) => k);

// ---- The registry ----------------------------------------------------------------------------------

/**
 * The complaints feature's own statistics (issue 6), used when the filter is one it takes (period and
 * job role; not team or service), so the FOI figures and the complaints team's agree. Null otherwise.
 */
export async function fromComplaints(
  src: StatSources,
  p: StatParams,
  procedure: 'statutory_children' | 'all',
): Promise<ComplaintStatistics | null> {
  if (!src.complaints || !src.actor || p.teamId || p.serviceId) return null;
  const jobRoles =
    p.jobRole === 'social_workers' ? ['social_worker', 'senior_practitioner'] : p.jobRole ? [p.jobRole] : undefined;
  return src.complaints(src.actor, { from: p.from, to: p.to, procedure, jobRoles });
}
