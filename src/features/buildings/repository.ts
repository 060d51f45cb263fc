import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';

export interface BuildingInput {
  name: string;
  address: string;
  postcode: string;
  sitePhone: string | null;
  facilitiesHelpdeskPhone: string | null;
  communitySafetyPhone: string | null;
  buildingManagerId: number | null;
}

const toRow = (b: BuildingInput) => ({
  name: b.name,
  address: b.address,
  postcode: b.postcode.toUpperCase(),
  site_phone: b.sitePhone,
  facilities_helpdesk_phone: b.facilitiesHelpdeskPhone,
  community_safety_phone: b.communitySafetyPhone,
  building_manager_id: b.buildingManagerId,
});

export function buildBuildingsRepository(db: Kysely<DB>) {
  const base = () =>
    db
      .selectFrom('buildings as b')
      .leftJoin('staff as m', 'm.id', 'b.building_manager_id')
      .select([
        'b.id',
        'b.name',
        'b.address',
        'b.postcode',
        'b.site_phone',
        'b.facilities_helpdesk_phone',
        'b.community_safety_phone',
        'b.building_manager_id',
        sql<string | null>`m.given_name || ' ' || m.family_name`.as('building_manager_name'),
        'm.work_mobile as building_manager_mobile',
      ]);
  return {
    list: () => base().orderBy('b.name').execute(),
    get: (id: number) => base().where('b.id', '=', id).executeTakeFirst(),
    byName: (names: string[]) =>
      names.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('buildings')
            .select(['id', 'name'])
            .where(
              sql`lower(name)`,
              'in',
              names.map((n) => n.toLowerCase()),
            )
            .execute(),
    keyHolders: (id: number) =>
      db
        .selectFrom('building_key_holders as k')
        .innerJoin('staff as s', 's.id', 'k.staff_id')
        .select(['s.id', 's.given_name', 's.family_name', 's.work_mobile'])
        .where('k.building_id', '=', id)
        .orderBy('s.family_name')
        .execute(),
    async create(ex: Executor, b: BuildingInput) {
      return (await ex.insertInto('buildings').values(toRow(b)).returning('id').executeTakeFirstOrThrow()).id;
    },
    async update(ex: Executor, id: number, b: BuildingInput) {
      await ex.updateTable('buildings').set(toRow(b)).where('id', '=', id).execute();
    },
    async setKeyHolders(ex: Executor, id: number, staffIds: number[]) {
      await ex.deleteFrom('building_key_holders').where('building_id', '=', id).execute();
      if (staffIds.length)
        await ex
          .insertInto('building_key_holders')
          .values(staffIds.map((s) => ({ building_id: id, staff_id: s })))
          .execute();
    },
  };
}

export type BuildingsRepository = ReturnType<typeof buildBuildingsRepository>;
