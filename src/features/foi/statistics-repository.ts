import { sql, type Kysely, type RawBuilder } from 'kysely';
import { DateTime } from 'luxon';
import type { DB } from '../../db/schema.ts';
import { ZONE, addDays, londonDayBounds } from '../../time/london.ts';
import type { StatParams } from './statistic-tables.ts';

/**
 * All SQL of the FOI statistics (statistics.ts holds their definitions): read-only queries over the
 * other features' tables and their monthly and daily counts, each returning (fy, key, n) rows or a count.
 */

/** Staff filters on the staff row aliased `s` (with its team `t`). */
function staffWhere(p: StatParams): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (p.teamId) parts.push(sql`s.team_id = ${p.teamId}`);
  if (p.serviceId) parts.push(sql`t.service_id = ${p.serviceId}`);
  if (p.jobRole === 'social_workers') parts.push(sql`s.job_role IN ('social_worker', 'senior_practitioner')`);
  else if (p.jobRole) parts.push(sql`s.job_role = ${p.jobRole}`);
  return parts.length ? sql`AND ${sql.join(parts, sql` AND `)}` : sql``;
}

const bounds = (p: StatParams) => ({ start: londonDayBounds(p.from).start, end: londonDayBounds(p.to).end });
/** Financial year of a timestamptz column, in London. */
const fyOfInstant = (col: RawBuilder<unknown>) =>
  sql<number>`extract(year from ((${col} AT TIME ZONE 'Europe/London') - interval '3 months'))::int`;
/** Financial year of a date column. */
const fyOfDate = (col: RawBuilder<unknown>) => sql<number>`extract(year from (${col} - interval '3 months'))::int`;

export interface Counted {
  fy: number;
  key: string;
  n: number;
}

/**
 * The London calendar months lying wholly inside an inclusive period, as [from, toExclusive) month
 * starts; null when there are none. The statistics read these from the monthly counts (migrations
 * 0015 and 0016) and the part-months at either end from the daily counts (migration 0033).
 */
export function wholeMonths(from: string, to: string): { from: string; toExclusive: string } | null {
  const start = DateTime.fromISO(from, { zone: ZONE });
  const first = start.day === 1 ? start : start.startOf('month').plus({ months: 1 });
  const end = DateTime.fromISO(to, { zone: ZONE });
  const afterLast = end.plus({ days: 1 }).day === 1 ? end.plus({ days: 1 }) : end.startOf('month');
  return first < afterLast ? { from: first.toISODate()!, toExclusive: afterLast.toISODate()! } : null;
}

/** A period split into its whole months and the days left at either end, as [from, toExclusive) days. */
function periodParts(p: StatParams): {
  whole: { from: string; toExclusive: string } | null;
  edgeDays: { from: string; toExclusive: string }[];
} {
  const whole = wholeMonths(p.from, p.to);
  const afterTo = addDays(p.to, 1);
  if (!whole) return { whole, edgeDays: [{ from: p.from, toExclusive: afterTo }] };
  const edgeDays = [];
  if (whole.from > p.from) edgeDays.push({ from: p.from, toExclusive: whole.from });
  if (whole.toExclusive < afterTo) edgeDays.push({ from: whole.toExclusive, toExclusive: afterTo });
  return { whole, edgeDays };
}

/**
 * The incidents of a period, counted: whole months from `incident_monthly_counts` and the days left at
 * either end from `incident_daily_counts` (migrations 0015 and 0033, kept by triggers; one row per
 * member of staff per month or London day, for open and closed reports: the same set as the health and
 * safety dashboard). Rows `m` with `m.day` (a month's first day for a month), the member of staff and
 * every measure, under the staff filter. A "FROM … WHERE …" clause.
 */
function incidentCounts(p: StatParams): RawBuilder<unknown> {
  const { whole, edgeDays } = periodParts(p);
  const parts = [
    whole &&
      sql`SELECT month AS day, ${INCIDENT_MEASURES} FROM incident_monthly_counts WHERE month >= ${whole.from}::date AND month < ${whole.toExclusive}::date`,
    edgeDays.length
      ? sql`SELECT day, ${INCIDENT_MEASURES} FROM incident_daily_counts
      WHERE ${sql.join(
        edgeDays.map((d) => sql`(day >= ${d.from}::date AND day < ${d.toExclusive}::date)`),
        sql` OR `,
      )}`
      : null,
  ];
  return sql`FROM (${unionAll(parts)}) m JOIN staff s ON s.id = m.employee_id LEFT JOIN teams t ON t.id = s.team_id WHERE true ${staffWhere(p)}`;
}
const INCIDENT_MEASURES = sql.raw(
  [
    'employee_id',
    'assaults',
    'physical_assault',
    'verbal_abuse',
    'threats',
    'sexual_harassment',
    'police_reported',
    'prosecuted',
    'successful',
    'manager_meetings',
    'police_right_told',
    'assault_police_reported',
    'assault_prosecuted',
    'assault_successful',
  ].join(', '),
);

/**
 * Measures of the incident counts as (fy, key, n) rows, one per measure: `measures` pairs each key
 * with its column. Rows where every one is 0 are skipped.
 */
function countedMeasures(p: StatParams, measures: [key: string, column: string][]): RawBuilder<unknown> {
  const cols = measures.map(([, c]) => sql.ref(`m.${c}`));
  return sql`SELECT mm.fy, k.key, k.n FROM (
      SELECT ${monthFy} AS fy, ${sql.join(cols)} ${incidentCounts(p)} AND ${sql.join(cols, sql` + `)} > 0
    ) mm CROSS JOIN LATERAL (VALUES ${sql.join(measures.map(([key, c]) => sql`(${sql.lit(key)}, ${sql.ref(`mm.${c}`)})`))}) AS k(key, n)`;
}

/** A union of the monthly and the part-month halves (either may be absent). */
const unionAll = (parts: (RawBuilder<unknown> | null)[]) =>
  sql.join(
    parts.filter((x): x is RawBuilder<unknown> => x !== null),
    sql` UNION ALL `,
  );
const monthFy = fyOfDate(sql`m.day`);

/**
 * Complaints received in the period, counted by financial year and key: each complaint once under its
 * outcome key, and once under each action taken (`action_<kind>`), `referred`, and `referred_regulator`
 * or `referred_ombudsman` (or both). Whole months come from `complaint_monthly_counts`, part-months from
 * `complaint_daily_counts`. With a staff filter, a
 * complaint counts once if it names anyone who matches; without one, every complaint counts.
 */
export async function complaintCounts(
  db: Kysely<DB>,
  p: StatParams,
  procedures: keyof typeof PROCEDURES,
): Promise<Counted[]> {
  const procedure = PROCEDURES[procedures];
  const { whole, edgeDays } = periodParts(p);
  // The staff named, the actions taken and the referrals are facts each complaint carries (migrations
  // 0016 and 0033, kept by triggers), counted by month and by day, so no complaint is read here.
  const staffFilter = (col: RawBuilder<unknown>) => namesMatching(p, col);
  const edges = edgeDays.map((d) => sql`(m.day >= ${d.from}::date AND m.day < ${d.toExclusive}::date)`);
  const parts = [
    whole &&
      sql`SELECT m.month AS day, m.key, sum(m.n)::int AS n FROM complaint_monthly_counts m
        WHERE m.procedure ${procedure} AND m.month >= ${whole.from}::date AND m.month < ${whole.toExclusive}::date ${staffFilter(sql`m.staff_ids`)}
        GROUP BY 1, 2`,
    edges.length
      ? sql`SELECT m.day, m.key, sum(m.n)::int AS n FROM complaint_daily_counts m
        WHERE m.procedure ${procedure} AND (${sql.join(edges, sql` OR `)}) ${staffFilter(sql`m.staff_ids`)} GROUP BY 1, 2`
      : null,
  ];
  // Grouped by month or day first; the financial year is worked out on the few rows left.
  const { rows } =
    await sql<Counted>`SELECT ${fyOfDate(sql`x.day`)} AS fy, x.key, sum(x.n)::int AS n FROM (${unionAll(parts)}) x GROUP BY 1, 2`.execute(
      db,
    );
  return rows;
}

/** A complaint's named staff (an id array column) include someone who matches the staff filter. */
function namesMatching(p: StatParams, col: RawBuilder<unknown>): RawBuilder<unknown> {
  const matching = sql`(SELECT coalesce(array_agg(s.id), '{}') FROM staff s LEFT JOIN teams t ON t.id = s.team_id WHERE true ${staffWhere(p)})`;
  return p.teamId || p.serviceId || p.jobRole ? sql`AND ${col} && ${matching}` : sql``;
}

/** The manager's meetings and the employee told of their right to go to the police, each in the year it happened. */
const meetingsAndTelling = (p: StatParams) => sql`UNION ALL SELECT fy, key, sum(n)::int FROM (
    ${countedMeasures(p, [
      ['manager_meeting', 'manager_meetings'],
      ['police_right_told', 'police_right_told'],
    ])}) mt GROUP BY 1, 2`;

/** Which complaints procedures a count covers. */
const PROCEDURES = {
  statutory_children: sql`= 'statutory_children'`,
  any: sql`IS NOT NULL`,
  not_staff_grievance: sql`<> 'staff_grievance'`,
};

// ---- The statistics' queries ----------------------------------------------------------------------

export async function staffAssaultedCounts(db: Kysely<DB>, p: StatParams) {
  const { rows } =
    await sql<Counted>`WITH x AS (SELECT ${monthFy} AS fy, m.employee_id, m.assaults AS n ${incidentCounts(p)} AND m.assaults > 0)
        SELECT fy, 'incidents' AS key, sum(n)::int AS n FROM x GROUP BY fy
        UNION ALL SELECT fy, 'staff', count(DISTINCT employee_id)::int FROM x GROUP BY fy
        UNION ALL SELECT -1, 'staff', count(DISTINCT employee_id)::int FROM x
        UNION ALL SELECT -1, 'incidents', coalesce(sum(n), 0)::int FROM x`.execute(db);
  return rows;
}

export async function measureCounts(db: Kysely<DB>, p: StatParams, measures: [key: string, column: string][]) {
  const { rows: counted } = await sql<Counted>`SELECT fy, key, sum(n)::int AS n FROM (
          ${countedMeasures(p, measures)}
        ) x GROUP BY 1, 2`.execute(db);
  return counted;
}

export async function actionCounts(db: Kysely<DB>, p: StatParams) {
  const { start, end } = bounds(p);
  const base = sql`FROM incidents i JOIN staff s ON s.id = i.employee_id LEFT JOIN teams t ON t.id = s.team_id WHERE i.status IN ('open', 'closed') ${staffWhere(p)}`;
  const { rows } = await sql<Counted>`
        SELECT ${fyOfDate(sql`a.action_on`)} AS fy, a.kind AS key, count(*)::int AS n FROM incident_legal_actions a JOIN (SELECT i.id ${base}) i ON i.id = a.incident_id
          WHERE a.action_on >= ${p.from}::date AND a.action_on <= ${p.to}::date GROUP BY 1, 2
        UNION ALL
        SELECT ${fyOfInstant(sql`f.raised_at`)}, 'warning_flag', count(*)::int FROM incident_flags f JOIN (SELECT i.id ${base}) i ON i.id = f.incident_id
          WHERE f.raised_at >= ${start} AND f.raised_at < ${end} GROUP BY 1
        UNION ALL
        SELECT ${fyOfInstant(sql`v.started_at`)}, 'investigation', count(*)::int FROM incident_investigations v JOIN (SELECT i.id ${base}) i ON i.id = v.incident_id
          WHERE v.started_at >= ${start} AND v.started_at < ${end} GROUP BY 1
        ${meetingsAndTelling(p)}`.execute(db);
  return rows;
}

export async function alertCounts(db: Kysely<DB>, p: StatParams) {
  const { start, end } = bounds(p);
  const { rows } = await sql<Counted>`SELECT ${fyOfInstant(sql`a.opened_at`)} AS fy, a.kind AS key, count(*)::int AS n
        FROM alerts a JOIN staff s ON s.id = a.worker_id LEFT JOIN teams t ON t.id = s.team_id
        WHERE a.opened_at >= ${start} AND a.opened_at < ${end} ${staffWhere(p)} GROUP BY 1, 2`.execute(db);
  return rows;
}

export async function dismissalCount(db: Kysely<DB>, p: StatParams) {
  const { rows } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM complaint_actions a JOIN staff s ON s.id = a.staff_id LEFT JOIN teams t ON t.id = s.team_id
          WHERE a.disciplinary_outcome = 'dismissal' AND a.outcome_on >= ${p.from}::date AND a.outcome_on <= ${p.to}::date ${staffWhere(p)}`.execute(
    db,
  );
  return rows;
}

export async function repeatComplaintStaffCount(db: Kysely<DB>, p: StatParams) {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM staff s LEFT JOIN teams t ON t.id = s.team_id
        WHERE true ${staffWhere(p)} AND EXISTS (
          SELECT 1 FROM (
            SELECT g.group_key FROM complaint_staff_groups g
            WHERE g.staff_id = s.id AND g.received_on >= ${p.from}::date AND g.received_on <= ${p.to}::date AND g.n > 0 LIMIT 1
          ) first
          WHERE EXISTS (SELECT 1 FROM complaint_staff_groups g WHERE g.staff_id = s.id AND g.received_on >= ${p.from}::date
            AND g.received_on <= ${p.to}::date AND g.n > 0 AND g.group_key <> first.group_key))`.execute(db);
  return rows;
}

export async function trainedStaffCounts(db: Kysely<DB>, p: StatParams) {
  const { rows } = await sql<{
    team: string | null;
    role: string;
    n: number;
  }>`SELECT t.name AS team, s.job_role AS role, count(*)::int AS n
        FROM staff s LEFT JOIN teams t ON t.id = s.team_id
        WHERE s.active ${staffWhere(p)}
          AND EXISTS (SELECT 1 FROM training_records r JOIN training_courses c ON c.id = r.course_id WHERE r.staff_id = s.id AND c.category = 'lone_working' AND r.completed_on <= ${p.to}::date)
          AND EXISTS (SELECT 1 FROM training_records r JOIN training_courses c ON c.id = r.course_id WHERE r.staff_id = s.id AND c.category = 'personal_safety' AND r.completed_on <= ${p.to}::date)
        GROUP BY 1, 2`.execute(db);
  return rows;
}
