import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

export function buildOrganisationRepository(db: Kysely<DB>) {
  return {
    directorates: () => db.selectFrom('directorates').select(['id', 'name']).orderBy('name').execute(),
    directorate: (id: number) =>
      db.selectFrom('directorates').select(['id', 'name']).where('id', '=', id).executeTakeFirst(),
    async createDirectorate(ex: Executor, name: string) {
      return (await ex.insertInto('directorates').values({ name }).returning('id').executeTakeFirstOrThrow()).id;
    },
    async renameDirectorate(ex: Executor, id: number, name: string) {
      await ex.updateTable('directorates').set({ name }).where('id', '=', id).execute();
    },
    services: () =>
      db
        .selectFrom('services as sv')
        .innerJoin('directorates as d', 'd.id', 'sv.directorate_id')
        .select(['sv.id', 'sv.name', 'sv.directorate_id', 'd.name as directorate_name'])
        .orderBy('d.name')
        .orderBy('sv.name')
        .execute(),
    service: (id: number) =>
      db
        .selectFrom('services')
        .select(['id', 'name', 'directorate_id', 'safeguarding_lead_id'])
        .where('id', '=', id)
        .executeTakeFirst(),
    async createService(ex: Executor, s: { name: string; directorateId: number; safeguardingLeadId?: number | null }) {
      return (
        await ex
          .insertInto('services')
          .values({ name: s.name, directorate_id: s.directorateId, safeguarding_lead_id: s.safeguardingLeadId ?? null })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async updateService(
      ex: Executor,
      id: number,
      s: { name: string; directorateId: number; safeguardingLeadId?: number | null },
    ) {
      await ex
        .updateTable('services')
        .set({
          name: s.name,
          directorate_id: s.directorateId,
          ...(s.safeguardingLeadId === undefined ? {} : { safeguarding_lead_id: s.safeguardingLeadId }),
        })
        .where('id', '=', id)
        .execute();
    },
    /** Teams with their service, manager and buddy coverage. */
    teams(ids: number[] | 'all' = 'all') {
      let q = db
        .selectFrom('teams as t')
        .innerJoin('services as sv', 'sv.id', 't.service_id')
        .innerJoin('directorates as d', 'd.id', 'sv.directorate_id')
        .leftJoin('staff as m', 'm.id', 't.manager_id')
        .select([
          't.id',
          't.name',
          't.service_id',
          't.manager_id',
          'sv.name as service_name',
          'd.name as directorate_name',
          sql<string | null>`m.given_name || ' ' || m.family_name`.as('manager_name'),
          sql<number>`(SELECT count(*)::int FROM staff s WHERE s.team_id = t.id AND s.active)`.as('staff_count'),
          sql<number>`(SELECT count(*)::int FROM staff s WHERE s.team_id = t.id AND s.active AND s.buddy_id IS NULL)`.as(
            'without_buddy_count',
          ),
        ])
        .orderBy('sv.name')
        .orderBy('t.name');
      if (ids !== 'all') {
        if (ids.length === 0) return Promise.resolve([]);
        q = q.where('t.id', 'in', ids);
      }
      return q.execute();
    },
    team: (id: number) =>
      db.selectFrom('teams').select(['id', 'name', 'service_id', 'manager_id']).where('id', '=', id).executeTakeFirst(),
    teamsByName: (names: string[]) =>
      names.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('teams')
            .select(['id', 'name'])
            .where(
              sql`lower(name)`,
              'in',
              names.map((n) => n.toLowerCase()),
            )
            .execute(),
    async createTeam(ex: Executor, t: { name: string; serviceId: number; managerId: number | null }) {
      return (
        await ex
          .insertInto('teams')
          .values({ name: t.name, service_id: t.serviceId, manager_id: t.managerId })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async updateTeam(ex: Executor, id: number, t: { name: string; serviceId: number; managerId: number | null }) {
      await ex
        .updateTable('teams')
        .set({ name: t.name, service_id: t.serviceId, manager_id: t.managerId })
        .where('id', '=', id)
        .execute();
    },
    servicesByName: (names: string[]) =>
      names.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('services')
            .select(['id', 'name'])
            .where(
              sql`lower(name)`,
              'in',
              names.map((n) => n.toLowerCase()),
            )
            .execute(),
  };
}

export type OrganisationRepository = ReturnType<typeof buildOrganisationRepository>;
