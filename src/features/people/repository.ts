import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { fetchPage } from '../../web/paging.ts';

export interface StaffInput {
  employeeNumber: string;
  givenName: string;
  familyName: string;
  email: string;
  jobRole: string;
  teamId: number | null;
  lineManagerId: number | null;
  workMobile: string | null;
  personalMobile: string | null;
  outOfHoursPhone: string | null;
  baseBuildingId: number | null;
  active: boolean;
}

function toRow(s: StaffInput) {
  return {
    employee_number: s.employeeNumber,
    given_name: s.givenName,
    family_name: s.familyName,
    email: s.email.toLowerCase(),
    job_role: s.jobRole,
    team_id: s.teamId,
    line_manager_id: s.lineManagerId,
    work_mobile: s.workMobile,
    personal_mobile: s.personalMobile,
    out_of_hours_phone: s.outOfHoursPhone,
    base_building_id: s.baseBuildingId,
    active: s.active,
  };
}

export interface StaffFilter {
  teamIds?: number[] | 'all';
  search?: string;
  activeOnly?: boolean;
  teamId?: number | null;
  active?: boolean;
}

export function buildStaffRepository(db: Kysely<DB>) {
  const withNames = () =>
    db
      .selectFrom('staff as s')
      .leftJoin('teams as t', 't.id', 's.team_id')
      .leftJoin('staff as m', 'm.id', 's.line_manager_id')
      .leftJoin('staff as b', 'b.id', 's.buddy_id')
      .leftJoin('buildings as bl', 'bl.id', 's.base_building_id')
      .select([
        's.id',
        's.employee_number',
        's.given_name',
        's.family_name',
        's.email',
        's.job_role',
        's.team_id',
        's.line_manager_id',
        's.buddy_id',
        's.work_mobile',
        's.personal_mobile',
        's.out_of_hours_phone',
        's.base_building_id',
        's.active',
        't.name as team_name',
        sql<string | null>`m.given_name || ' ' || m.family_name`.as('line_manager_name'),
        sql<string | null>`b.given_name || ' ' || b.family_name`.as('buddy_name'),
        'bl.name as base_building_name',
      ]);

  /** People narrowed by team, current or not, and a search of name, employee number or email, in name order. */
  const filtered = (filter: StaffFilter) => {
    let q = withNames().orderBy('s.family_name').orderBy('s.given_name').orderBy('s.id');
    if (filter.teamIds && filter.teamIds !== 'all') q = q.where('s.team_id', 'in', filter.teamIds);
    if (filter.activeOnly) q = q.where('s.active', '=', true);
    if (filter.teamId) q = q.where('s.team_id', '=', filter.teamId);
    if (filter.active !== undefined) q = q.where('s.active', '=', filter.active);
    if (filter.search) {
      const like = `%${filter.search.toLowerCase()}%`;
      q = q.where((eb) =>
        eb.or([
          eb(sql`lower(s.given_name || ' ' || s.family_name)`, 'like', like),
          eb(sql`lower(s.employee_number)`, 'like', like),
          eb(sql`lower(s.email)`, 'like', like),
        ]),
      );
    }
    return q;
  };

  return {
    get(id: number) {
      return withNames().where('s.id', '=', id).executeTakeFirst();
    },
    list(filter: StaffFilter = {}) {
      return filter.teamIds && filter.teamIds !== 'all' && filter.teamIds.length === 0
        ? Promise.resolve([])
        : filtered(filter).execute();
    },
    /** One page of people, with how many there are in all. */
    page(filter: StaffFilter, page: number) {
      return filter.teamIds && filter.teamIds !== 'all' && filter.teamIds.length === 0
        ? Promise.resolve({ rows: [], total: 0, page: 1 })
        : fetchPage(filtered(filter), page);
    },
    facts(id: number) {
      return db
        .selectFrom('staff')
        .select(['id', 'team_id as teamId', 'active'])
        .where('id', '=', id)
        .executeTakeFirst();
    },
    async create(ex: Executor, s: StaffInput) {
      const row = await ex.insertInto('staff').values(toRow(s)).returning('id').executeTakeFirstOrThrow();
      return row.id;
    },
    async update(ex: Executor, id: number, s: StaffInput) {
      await ex
        .updateTable('staff')
        .set({ ...toRow(s), updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },
    async setBuddy(ex: Executor, id: number, buddyId: number | null) {
      await ex.updateTable('staff').set({ buddy_id: buddyId, updated_at: new Date() }).where('id', '=', id).execute();
    },
    async setLineManager(ex: Executor, id: number, managerId: number | null) {
      await ex
        .updateTable('staff')
        .set({ line_manager_id: managerId, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },
    /** Everyone below a manager, with their depth (1 = direct report). */
    async reports(managerId: number): Promise<{ id: number; team_id: number | null; depth: number }[]> {
      const { rows } = await sql<{ id: number; team_id: number | null; depth: number }>`
        WITH RECURSIVE r(id, team_id, depth, path) AS (
          SELECT id, team_id, 1, ARRAY[id] FROM staff WHERE line_manager_id = ${managerId}
          UNION ALL
          SELECT s.id, s.team_id, r.depth + 1, r.path || s.id FROM staff s JOIN r ON s.line_manager_id = r.id
          WHERE NOT s.id = ANY(r.path) AND r.depth < 20
        )
        SELECT id, team_id, min(depth)::int AS depth FROM r GROUP BY id, team_id ORDER BY depth, id`.execute(db);
      return rows;
    },
    /** The management chain above a person: line manager first, then upwards. */
    async chain(staffId: number): Promise<
      {
        id: number;
        given_name: string;
        family_name: string;
        job_role: string;
        work_mobile: string | null;
        team_id: number | null;
        depth: number;
      }[]
    > {
      const { rows } = await sql<{
        id: number;
        given_name: string;
        family_name: string;
        job_role: string;
        work_mobile: string | null;
        team_id: number | null;
        depth: number;
      }>`
        WITH RECURSIVE c(id, depth, path) AS (
          SELECT line_manager_id, 1, ARRAY[id] FROM staff WHERE id = ${staffId} AND line_manager_id IS NOT NULL
          UNION ALL
          SELECT s.line_manager_id, c.depth + 1, c.path || s.id FROM staff s JOIN c ON s.id = c.id
          WHERE s.line_manager_id IS NOT NULL AND NOT s.line_manager_id = ANY(c.path) AND c.depth < 20
        )
        SELECT s.id, s.given_name, s.family_name, s.job_role, s.work_mobile, s.team_id, c.depth FROM c JOIN staff s ON s.id = c.id ORDER BY c.depth`.execute(
        db,
      );
      return rows;
    },
    /** The people who have this person as their buddy. */
    buddyTo(staffId: number) {
      return withNames().where('s.buddy_id', '=', staffId).where('s.active', '=', true).execute();
    },
    managedTeamIds: async (staffId: number) =>
      (await db.selectFrom('teams').select('id').where('manager_id', '=', staffId).execute()).map((r) => r.id),
    assistantDirectors() {
      return withNames().where('s.job_role', '=', 'assistant_director').where('s.active', '=', true).execute();
    },
    byEmployeeNumbers: (numbers: string[]) =>
      numbers.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('staff')
            .select(['id', 'employee_number', 'email'])
            .where('employee_number', 'in', numbers)
            .execute(),
    byEmails: (emails: string[]) =>
      emails.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('staff')
            .select(['id', 'employee_number', 'email'])
            .where(
              'email',
              'in',
              emails.map((e) => e.toLowerCase()),
            )
            .execute(),
  };
}

export type StaffRepository = ReturnType<typeof buildStaffRepository>;
