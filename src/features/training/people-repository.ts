import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

/** Staff facts readiness and the gate read: team, service, key holder, buddy, pack, duress PIN, assessments due. */
export function peopleQuery(ex: Executor, dueBy: string) {
  return ex
    .selectFrom('staff as s')
    .leftJoin('teams as t', 't.id', 's.team_id')
    .select([
      's.id',
      's.employee_number',
      's.given_name',
      's.family_name',
      's.job_role',
      's.team_id',
      's.buddy_id',
      's.line_manager_id',
      's.email',
      't.name as team_name',
      't.service_id',
      sql<boolean>`EXISTS (SELECT 1 FROM building_key_holders k WHERE k.staff_id = s.id)`.as('key_holder'),
      sql<Date | null>`(SELECT p.updated_at FROM emergency_packs p WHERE p.staff_id = s.id)`.as('pack_updated_at'),
      sql<boolean>`EXISTS (SELECT 1 FROM duress_pins d WHERE d.staff_id = s.id)`.as('duress_pin'),
      sql<number>`(SELECT count(*)::int FROM risk_assessments r WHERE r.completed_by = s.id AND r.superseded_at IS NULL AND r.review_date <= ${dueBy}::date)`.as(
        'assessments_due',
      ),
      sql<string>`coalesce((SELECT p.policy FROM team_training_policies p WHERE p.team_id = s.team_id), 'warn')`.as(
        'policy',
      ),
    ])
    .where('s.active', '=', true);
}

/** The people and teams training is about: readiness facts, team members, each team's policy. */
export function buildTrainingPeopleRepository(db: Kysely<DB>) {
  return {
    /** Active staff with everything readiness needs; `ids` limits to those people ('all' for everyone). */
    people(ids: number[] | 'all', dueBy: string, ex: Executor = db) {
      if (ids !== 'all' && ids.length === 0) return Promise.resolve([]);
      let q = peopleQuery(ex, dueBy).orderBy('t.name').orderBy('s.family_name').orderBy('s.given_name');
      if (ids !== 'all') q = q.where('s.id', 'in', ids);
      return q.execute();
    },
    /** Members of these teams (active). */
    teamMembers: async (teamIds: number[]) =>
      teamIds.length === 0
        ? []
        : (
            await db
              .selectFrom('staff')
              .select('id')
              .where('team_id', 'in', teamIds)
              .where('active', '=', true)
              .execute()
          ).map((r) => r.id),
    teams: (ids: number[] | 'all') => {
      if (ids !== 'all' && ids.length === 0) return Promise.resolve([]);
      let q = db
        .selectFrom('teams as t')
        .select([
          't.id',
          't.name',
          't.manager_id',
          sql<string>`coalesce((SELECT p.policy FROM team_training_policies p WHERE p.team_id = t.id), 'warn')`.as(
            'policy',
          ),
        ])
        .orderBy('t.name');
      if (ids !== 'all') q = q.where('t.id', 'in', ids);
      return q.execute();
    },
    team: (id: number) =>
      db.selectFrom('teams').select(['id', 'name', 'manager_id']).where('id', '=', id).executeTakeFirst(),
    async setPolicy(ex: Executor, teamId: number, policy: string, accountId: number) {
      await ex
        .insertInto('team_training_policies')
        .values({ team_id: teamId, policy, set_by_account: accountId, set_at: new Date() })
        .onConflict((oc) => oc.column('team_id').doUpdateSet({ policy, set_by_account: accountId, set_at: new Date() }))
        .execute();
    },
    allServices: () => db.selectFrom('services').select(['id', 'name']).orderBy('name').execute(),
    allTeams: () => db.selectFrom('teams').select(['id', 'name']).orderBy('name').execute(),
    staffNumbers: () => db.selectFrom('staff').select(['id', 'employee_number']).execute(),
  };
}
