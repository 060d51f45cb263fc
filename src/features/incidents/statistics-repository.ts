import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { londonDayBounds } from '../../time/london.ts';
import { name } from './staff-name.ts';

export interface StatsFilter {
  from: string | null;
  to: string | null;
  category: string | null;
  teamId: number | null;
  buildingId: number | null;
}

/** The dashboard lists the RIDDOR reports due with the earliest deadlines first, at most this many, and says how many there are in all. */
export const RIDDOR_SHOWN = 500;

/** The incident statistics and the export, read in the database (spread into the incidents repository). */
export function buildIncidentStatisticsRepository(db: Kysely<DB>) {
  return {
    /**
     * Submitted incidents (not drafts, not awaiting confirmation) with what the statistics and the
     * export need, filtered by the London day they happened, a category, a team or a building.
     */
    statisticsRows(f: StatsFilter, today: string, ex: Executor = db) {
      let q = ex
        .selectFrom('incidents as i')
        .innerJoin('staff as e', 'e.id', 'i.employee_id')
        .leftJoin('teams as t', 't.id', 'e.team_id')
        .leftJoin('buildings as b', 'b.id', 'i.building_id')
        .leftJoin('incident_investigations as v', 'v.incident_id', 'i.id')
        .select([
          'i.id',
          'i.employee_id',
          'i.occurred_at',
          'i.categories',
          'i.verbal_channel',
          't.name as team_name',
          'b.name as building_name',
          'i.lone_working',
          'i.location',
          'i.perpetrator_type',
          'i.injured',
          'i.days_off',
          'i.police_reported',
          sql<string | null>`i.police_reported_on::text`.as('police_on'),
          'i.crime_reference',
          'i.police_outcome',
          'i.court_outcome',
          'i.court_attended',
          'i.serious',
          'i.status',
          'i.riddor_kind',
          sql<string | null>`i.riddor_report_by::text`.as('riddor_report_by'),
          sql<string | null>`i.hse_reported_on::text`.as('hse_reported_on'),
          'i.hse_reference',
          'i.source',
          name('e').as('employee_name'),
          sql<boolean>`(v.incident_id IS NOT NULL AND v.closed_at IS NULL)`.as('investigation_open'),
          sql<string>`(SELECT count(*) FROM incident_actions a WHERE a.incident_id = i.id AND a.done_at IS NULL)`.as(
            'open_actions',
          ),
          sql<string>`(SELECT count(*) FROM incident_actions a WHERE a.incident_id = i.id AND a.done_at IS NULL AND a.due_on < ${today}::date)`.as(
            'overdue_actions',
          ),
        ])
        .where('i.status', 'in', ['open', 'closed'])
        .where('i.occurred_at', 'is not', null);
      if (f.from) q = q.where(sql<boolean>`(i.occurred_at AT TIME ZONE 'Europe/London')::date >= ${f.from}::date`);
      if (f.to) q = q.where(sql<boolean>`(i.occurred_at AT TIME ZONE 'Europe/London')::date <= ${f.to}::date`);
      if (f.category) q = q.where(sql<boolean>`${f.category} = ANY(i.categories)`);
      if (f.teamId) q = q.where('e.team_id', '=', f.teamId);
      if (f.buildingId) q = q.where('i.building_id', '=', f.buildingId);
      return q
        .orderBy('i.occurred_at', 'desc')
        .orderBy('i.id', 'desc')
        .limit(100000)
        .execute()
        .then((rows) =>
          rows.map((r) => ({
            ...r,
            occurred_at: r.occurred_at!,
            open_actions: Number(r.open_actions),
            overdue_actions: Number(r.overdue_actions),
          })),
        );
    },

    /**
     * The statistics computed in the database (one pass per breakdown), for any number of
     * incidents: totals, police and prosecution, lone working, serious, RIDDOR, open investigations
     * and overdue actions, and counts by category, London month, team and building. The filter may
     * also name a job role (FOI questions such as "social workers assaulted").
     */
    async aggregate(f: StatsFilter & { jobRole?: string | null }, today: string, ex: Executor = db) {
      const base = () => {
        let q = ex
          .selectFrom('incidents as i')
          .innerJoin('staff as e', 'e.id', 'i.employee_id')
          .where('i.status', '<>', 'draft')
          .where('i.status', '<>', 'awaiting_confirmation');
        if (f.from) q = q.where('i.occurred_at', '>=', londonDayBounds(f.from).start);
        if (f.to) q = q.where('i.occurred_at', '<', londonDayBounds(f.to).end);
        if (f.category) q = q.where(sql<boolean>`${f.category} = ANY(i.categories)`);
        if (f.teamId) q = q.where('e.team_id', '=', f.teamId);
        if (f.buildingId) q = q.where('i.building_id', '=', f.buildingId);
        if (f.jobRole) q = q.where('e.job_role', '=', f.jobRole);
        return q;
      };
      const n = (column: string) => sql<string>`count(*) FILTER (WHERE ${sql.raw(column)})`;
      const [totals, openInvestigations, overdueActions, categories, months, teams, buildings, riddorDue] =
        await Promise.all([
          base()
            .select([
              sql<string>`count(*)`.as('total'),
              sql<string>`count(DISTINCT i.employee_id)`.as('staff_affected'),
              n('i.lone_working').as('lone_working'),
              n('i.police_reported').as('police_reported'),
              n(`i.police_outcome = 'charged' OR i.court_outcome IS NOT NULL`).as('prosecuted'),
              n(`i.court_outcome = 'convicted'`).as('successful'),
              n('i.serious').as('serious'),
              n('i.riddor_report_by IS NOT NULL AND i.hse_reported_on IS NULL').as('riddor_due'),
              n(`i.riddor_kind IN ('specified_injury', 'over_seven_day')`).as('riddor_reportable'),
            ])
            .executeTakeFirstOrThrow(),
          // From the (small) investigation and action tables, not per incident.
          base()
            .innerJoin('incident_investigations as v', 'v.incident_id', 'i.id')
            .where('v.closed_at', 'is', null)
            .select(sql<string>`count(*)`.as('n'))
            .executeTakeFirstOrThrow(),
          base()
            .innerJoin('incident_actions as a', 'a.incident_id', 'i.id')
            .where('a.done_at', 'is', null)
            .where(sql<boolean>`a.due_on < ${today}::date`)
            .select(sql<string>`count(*)`.as('n'))
            .executeTakeFirstOrThrow(),
          base()
            .innerJoin(sql<{ c: string }>`unnest(i.categories)`.as('c'), (j) => j.onTrue())
            .select([sql<string>`c.c`.as('key'), sql<string>`count(DISTINCT i.id)`.as('count')])
            .groupBy(sql`c.c`)
            .execute(),
          base()
            .select([
              sql<string>`to_char(i.occurred_at AT TIME ZONE 'Europe/London', 'YYYY-MM')`.as('key'),
              sql<string>`count(*)`.as('count'),
            ])
            .groupBy(sql`1`)
            .execute(),
          base()
            .leftJoin('teams as t', 't.id', 'e.team_id')
            .select([sql<string | null>`t.name`.as('key'), sql<string>`count(*)`.as('count')])
            .groupBy('t.name')
            .execute(),
          base()
            .leftJoin('buildings as b', 'b.id', 'i.building_id')
            .select([sql<string | null>`b.name`.as('key'), sql<string>`count(*)`.as('count')])
            .groupBy('b.name')
            .execute(),
          base()
            .where('i.riddor_report_by', 'is not', null)
            .where('i.hse_reported_on', 'is', null)
            .select(['i.id', 'i.riddor_kind', sql<string>`i.riddor_report_by::text`.as('report_by')])
            .orderBy('i.riddor_report_by')
            .orderBy('i.id')
            .limit(RIDDOR_SHOWN)
            .execute(),
        ]);
      const num = (v: string | number | null | undefined) => Number(v ?? 0);
      return {
        total: num(totals.total),
        staffAffected: num(totals.staff_affected),
        loneWorking: num(totals.lone_working),
        policeReported: num(totals.police_reported),
        prosecuted: num(totals.prosecuted),
        successful: num(totals.successful),
        serious: num(totals.serious),
        riddorReportable: num(totals.riddor_reportable),
        openInvestigations: num(openInvestigations.n),
        overdueActions: num(overdueActions.n),
        categories: categories.map((r) => ({ key: r.key, count: num(r.count) })),
        months: months.map((r) => ({ key: r.key, count: num(r.count) })),
        teams: teams.map((r) => ({ key: r.key, count: num(r.count) })),
        buildings: buildings.map((r) => ({ key: r.key, count: num(r.count) })),
        riddorDue: riddorDue.map((r) => ({ id: r.id, kind: r.riddor_kind ?? '', reportBy: r.report_by })),
        riddorDueTotal: num(totals.riddor_due),
      };
    },
  };
}
