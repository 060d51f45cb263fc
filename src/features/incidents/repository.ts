import { sql, type Kysely, type SelectQueryBuilder, type Transaction, type Updateable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { inTransaction } from '../../db/transaction.ts';
import { name } from './staff-name.ts';
import { buildIncidentStatisticsRepository } from './statistics-repository.ts';
import { buildIncidentEscalationRepository } from './escalation-repository.ts';
import { buildIncidentInvestigationRepository } from './investigation-repository.ts';

export type IncidentPatch = Updateable<DB['incidents']>;

export type IncidentScope = 'all' | { staffId: number; reportIds: number[] };
export interface IncidentListFilter {
  q?: string | null;
  status?: IncidentListStatus | null;
  limit?: number;
  offset?: number;
}
export type IncidentListStatus = 'draft' | 'open' | 'awaiting_confirmation' | 'closed';

/** The visibility rule and the filters, on any query that joins incidents i, staff e and staff r. */
function scoped(scope: IncidentScope, filter: IncidentListFilter) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- shared by the row and the count query, whose selections differ
  return <Q extends SelectQueryBuilder<any, any, any>>(query: Q): Q => {
    let q = query as unknown as SelectQueryBuilder<
      DB & { i: DB['incidents']; e: DB['staff']; r: DB['staff'] },
      'i' | 'e' | 'r',
      object
    >;
    if (scope === 'all') {
      q = q.where('i.status', '<>', 'draft');
    } else {
      q = q.where((eb) =>
        eb.or([
          eb('i.reported_by', '=', scope.staffId),
          eb.and([eb('i.status', '<>', 'draft'), eb('i.employee_id', '=', scope.staffId)]),
          ...(scope.reportIds.length
            ? [eb.and([eb('i.status', '<>', 'draft'), eb('i.employee_id', 'in', scope.reportIds)])]
            : []),
        ]),
      );
    }
    if (filter.status) q = q.where('i.status', '=', filter.status);
    const text = filter.q?.trim();
    if (text) {
      const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where((eb) =>
        eb.or([
          eb(sql<string>`${name('e')}`, 'ilike', like),
          eb(sql<string>`coalesce(${name('r')}, '')`, 'ilike', like),
          eb(sql<string>`coalesce(i.location, '')`, 'ilike', like),
          ...(/^\d{1,9}$/.test(text) ? [eb('i.id', '=', Number(text))] : []),
        ]),
      );
    }
    return q as unknown as Q;
  };
}

/**
 * All the incidents SQL, one object: the report and the list are here; the statistics, the jobs'
 * escalation and the investigation are their own modules.
 */
export function buildIncidentsRepository(db: Kysely<DB>) {
  const withPeople = (ex: Executor) =>
    ex
      .selectFrom('incidents as i')
      .innerJoin('staff as e', 'e.id', 'i.employee_id')
      .leftJoin('staff as r', 'r.id', 'i.reported_by')
      .leftJoin('staff as m', 'm.id', 'i.responded_by')
      .selectAll('i')
      .leftJoin('staff as x', 'x.id', 'i.meeting_escalated_to')
      .select([
        name('e').as('employee_name'),
        name('r').as('reporter_name'),
        name('m').as('responder_name'),
        'e.team_id as employee_team_id',
        name('x').as('escalated_to_name'),
        // Dates as yyyy-mm-dd text, the same on both engines.
        sql<string | null>`i.police_reported_on::text`.as('police_on'),
        sql<string | null>`i.riddor_report_by::text`.as('riddor_due_on'),
        sql<string | null>`i.hse_reported_on::text`.as('hse_on'),
      ]);

  return {
    ...buildIncidentStatisticsRepository(db),

    /** Runs the work in one transaction (retried on a deadlock or serialisation conflict). */
    transaction: <T>(fn: (trx: Transaction<DB>) => Promise<T>) => inTransaction(db, fn),

    ...buildIncidentEscalationRepository(db),
    ...buildIncidentInvestigationRepository(db),

    get: (id: number, ex: Executor = db) => withPeople(ex).where('i.id', '=', id).executeTakeFirst(),

    async create(
      ex: Executor,
      row: { employeeId: number; reportedBy: number | null; reportedByAccount: number },
      patch: IncidentPatch,
    ) {
      return (
        await ex
          .insertInto('incidents')
          .values({
            employee_id: row.employeeId,
            reported_by: row.reportedBy,
            reported_by_account: row.reportedByAccount,
            ...(patch as object),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },

    async update(ex: Executor, id: number, patch: IncidentPatch) {
      await ex
        .updateTable('incidents')
        .set({ ...patch, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Incidents the person may see: their own (as the employee or the reporter; drafts only their own
     * as reporter) and, as a manager, those of the people below them; or all submitted ones. Filtered
     * by a search (the name of the person it happened to or of the reporter, the place or a number)
     * and a status; a page of them, newest first, and how many there are in all.
     */
    async list(scope: IncidentScope, filter: IncidentListFilter = {}, ex: Executor = db) {
      const where = scoped(scope, filter);
      const [rows, count] = await Promise.all([
        where(withPeople(ex))
          .orderBy(sql`i.occurred_at DESC NULLS FIRST`)
          .orderBy('i.id', 'desc')
          .limit(filter.limit ?? 50)
          .offset(filter.offset ?? 0)
          .execute(),
        where(
          ex
            .selectFrom('incidents as i')
            .innerJoin('staff as e', 'e.id', 'i.employee_id')
            .leftJoin('staff as r', 'r.id', 'i.reported_by'),
        )
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.n) };
    },

    /** People by id with their names, for the "who did it happen to" choice. */
    staffNamed: (ids: number[], ex: Executor = db) =>
      ids.length
        ? ex
            .selectFrom('staff as s')
            .select(['s.id', name('s').as('name')])
            .where('s.id', 'in', ids)
            .where('s.active', '=', true)
            .orderBy('s.family_name')
            .orderBy('s.given_name')
            .execute()
        : Promise.resolve([]),

    /** The worker and visit of an alert, to pre-fill a report started from it. */
    alert: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('alerts')
        .select(['id', 'worker_id', 'visit_id', 'opened_at'])
        .where('id', '=', String(id))
        .executeTakeFirst(),

    /** Where and when a visit was, to pre-fill a report started from it. */
    visit: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('visits')
        .select([
          'id',
          'worker_id',
          'kind',
          'address',
          'postcode',
          'starts_at',
          'arrived_at',
          'case_system',
          'case_id',
          'building_id',
        ])
        .where('id', '=', id)
        .executeTakeFirst(),

    teams: (ex: Executor = db) => ex.selectFrom('teams').select(['id', 'name']).orderBy('name').execute(),
    buildings: (ex: Executor = db) => ex.selectFrom('buildings').select(['id', 'name']).orderBy('name').execute(),

    /** For the import: staff by employee number (upper case), and buildings by name (lower case). */
    async importContext(ex: Executor = db) {
      const [people, buildings, refs] = await Promise.all([
        ex.selectFrom('staff').select(['id', 'employee_number']).execute(),
        ex.selectFrom('buildings').select(['id', 'name']).execute(),
        ex.selectFrom('incidents').select('import_reference').where('import_reference', 'is not', null).execute(),
      ]);
      return {
        staff: new Map(people.map((p) => [p.employee_number.toUpperCase(), p.id])),
        buildings: new Map(buildings.map((b) => [b.name.toLowerCase(), b.id])),
        references: new Set(refs.map((r) => r.import_reference!.toUpperCase())),
      };
    },
  };
}

export type IncidentsRepository = ReturnType<typeof buildIncidentsRepository>;
export type IncidentRow = NonNullable<Awaited<ReturnType<IncidentsRepository['get']>>>;
