import { sql, type Kysely, type Updateable } from 'kysely';
import type { DB, IncidentsTable } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

export type IncidentPatch = Updateable<IncidentsTable>;

const name = (alias: string) => sql<string | null>`${sql.ref(`${alias}.given_name`)} || ' ' || ${sql.ref(`${alias}.family_name`)}`;

export function buildIncidentsRepository(db: Kysely<DB>) {
  const withPeople = (ex: Executor) => ex.selectFrom('incidents as i')
    .innerJoin('staff as e', 'e.id', 'i.employee_id')
    .leftJoin('staff as r', 'r.id', 'i.reported_by')
    .leftJoin('staff as m', 'm.id', 'i.responded_by')
    .selectAll('i')
    .select([name('e').as('employee_name'), name('r').as('reporter_name'), name('m').as('responder_name'), 'e.team_id as employee_team_id']);

  return {
    get: (id: number, ex: Executor = db) => withPeople(ex).where('i.id', '=', id).executeTakeFirst(),

    async create(ex: Executor, row: { employeeId: number; reportedBy: number | null; reportedByAccount: number }, patch: IncidentPatch) {
      return (await ex.insertInto('incidents').values({
        employee_id: row.employeeId, reported_by: row.reportedBy, reported_by_account: row.reportedByAccount,
        ...(patch as object),
      }).returning('id').executeTakeFirstOrThrow()).id;
    },

    async update(ex: Executor, id: number, patch: IncidentPatch) {
      await ex.updateTable('incidents').set({ ...patch, updated_at: new Date() }).where('id', '=', id).execute();
    },

    /**
     * Incidents the person may see: their own (as the employee or the reporter; drafts only their own
     * as reporter) and, as a manager, those of the people below them; or all submitted ones.
     */
    list(scope: 'all' | { staffId: number; reportIds: number[] }, ex: Executor = db) {
      let q = withPeople(ex);
      if (scope === 'all') {
        q = q.where('i.status', '<>', 'draft');
      } else {
        q = q.where((eb) => eb.or([
          eb('i.reported_by', '=', scope.staffId),
          eb.and([eb('i.status', '<>', 'draft'), eb('i.employee_id', '=', scope.staffId)]),
          ...(scope.reportIds.length ? [eb.and([eb('i.status', '<>', 'draft'), eb('i.employee_id', 'in', scope.reportIds)])] : []),
        ]));
      }
      return q.orderBy(sql`i.occurred_at DESC NULLS FIRST`).orderBy('i.id', 'desc').limit(500).execute();
    },

    /** People by id with their names, for the "who did it happen to" choice. */
    staffNamed: (ids: number[], ex: Executor = db) => (ids.length
      ? ex.selectFrom('staff as s').select(['s.id', name('s').as('name')]).where('s.id', 'in', ids).where('s.active', '=', true).orderBy('s.family_name').orderBy('s.given_name').execute()
      : Promise.resolve([])),


    /** The worker and visit of an alert, to pre-fill a report started from it. */
    alert: (id: number, ex: Executor = db) => ex.selectFrom('alerts').select(['id', 'worker_id', 'visit_id', 'opened_at']).where('id', '=', String(id)).executeTakeFirst(),

    /** Where and when a visit was, to pre-fill a report started from it. */
    visit: (id: number, ex: Executor = db) => ex.selectFrom('visits').select(['id', 'worker_id', 'kind', 'address', 'postcode', 'starts_at', 'arrived_at', 'case_system', 'case_id', 'building_id'])
      .where('id', '=', id).executeTakeFirst(),
  };
}

export type IncidentsRepository = ReturnType<typeof buildIncidentsRepository>;
export type IncidentRow = NonNullable<Awaited<ReturnType<IncidentsRepository['get']>>>;
