import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { buildRiskFlagsRepository } from './flags-repository.ts';
import { buildRiskAssessmentsRepository } from './assessments-repository.ts';

/**
 * All the risk SQL, one object: the visit facts the gate reads and the changes it makes to a visit
 * are here; warning flags and assessments are their own modules.
 */
export function buildRiskRepository(db: Kysely<DB>) {
  return {
    ...buildRiskFlagsRepository(db),
    ...buildRiskAssessmentsRepository(db),

    /** The facts about a visit the risk gate needs. */
    visit: (id: number, ex: Executor = db) =>
      ex
        .selectFrom('visits as v')
        .innerJoin('staff as w', 'w.id', 'v.worker_id')
        .leftJoin('staff as j', 'j.id', 'v.joint_partner_id')
        .select([
          'v.id',
          'v.worker_id',
          'v.kind',
          'v.state',
          'v.starts_at',
          'v.ends_at',
          'v.address',
          'v.postcode',
          'v.case_system',
          'v.case_id',
          'v.description',
          'v.referral_type',
          'v.risk_rating',
          'v.joint_partner_id',
          'w.team_id',
          'w.buddy_id',
          'v.building_id',
          'v.home_address',
          'v.home_postcode',
          'v.joint_confirmed_at',
          'v.case_key',
          sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name'),
          sql<string | null>`j.given_name || ' ' || j.family_name`.as('joint_partner_name'),
        ])
        .where('v.id', '=', id)
        .executeTakeFirst(),

    async setRating(ex: Executor, visitId: number, rating: string | null) {
      await ex.updateTable('visits').set({ risk_rating: rating }).where('id', '=', visitId).execute();
    },

    /** A line on the visit's timeline. */
    async addTimelineEvent(ex: Executor, visitId: number, type: string, actorId: number | null, text: string) {
      await ex.insertInto('timeline_events').values({ visit_id: visitId, type, actor_id: actorId, text }).execute();
    },

    /** A new (or no) joint partner: the old partner's confirmation no longer counts. */
    async clearJointConfirmation(ex: Executor, visitId: number) {
      await ex.updateTable('visits').set({ joint_confirmed_at: null }).where('id', '=', visitId).execute();
    },

    /** The edited address of a session still at a council building is its home address. */
    async setHomePlace(ex: Executor, visitId: number, place: { address: string | null; postcode: string | null }) {
      await ex
        .updateTable('visits')
        .set({ home_address: place.address, home_postcode: place.postcode })
        .where('id', '=', visitId)
        .execute();
    },

    async setPlace(ex: Executor, visitId: number, place: { address: string; postcode: string }) {
      await ex
        .updateTable('visits')
        .set({ address: place.address, postcode: place.postcode })
        .where('id', '=', visitId)
        .execute();
    },

    /** Field-worker facts of a would-be joint partner: current, team, account roles. */
    async partner(staffId: number, ex: Executor = db) {
      const row = await ex
        .selectFrom('staff as s')
        .leftJoin('accounts as a', 'a.staff_id', 's.id')
        .select([
          's.id',
          's.active',
          's.team_id',
          'a.roles',
          'a.disabled_at',
          sql<string>`s.given_name || ' ' || s.family_name`.as('name'),
        ])
        .where('s.id', '=', staffId)
        .execute();
      if (!row.length) return null;
      const roles = row.filter((r) => r.disabled_at === null).flatMap((r) => (r.roles ?? []) as string[]);
      return { id: row[0]!.id, active: row[0]!.active, teamId: row[0]!.team_id, roles, name: row[0]!.name };
    },

    async confirmJoint(ex: Executor, visitId: number, partnerId: number) {
      const row = await ex
        .updateTable('visits')
        .set({ joint_confirmed_at: new Date() })
        .where('id', '=', visitId)
        .where('joint_partner_id', '=', partnerId)
        .where('state', '=', 'planned')
        .returning('id')
        .executeTakeFirst();
      return row !== undefined;
    },

    /** Moves a session to a council building (keeping its home address once), or back home. */
    async moveToBuilding(ex: Executor, visitId: number, building: { id: number; address: string; postcode: string }) {
      await sql`UPDATE visits SET home_address = CASE WHEN home_address IS NULL AND home_postcode IS NULL THEN address ELSE home_address END,
        home_postcode = CASE WHEN home_address IS NULL AND home_postcode IS NULL THEN postcode ELSE home_postcode END,
        address = ${building.address}, postcode = ${building.postcode}, building_id = ${building.id}, latitude = NULL, longitude = NULL, updated_at = now()
        WHERE id = ${visitId}`.execute(ex);
    },

    async moveHome(ex: Executor, visitId: number) {
      await sql`UPDATE visits SET address = home_address, postcode = home_postcode, building_id = NULL, home_address = NULL, home_postcode = NULL, updated_at = now()
        WHERE id = ${visitId} AND (home_address IS NOT NULL OR home_postcode IS NOT NULL)`.execute(ex);
    },

    building: (id: number, ex: Executor = db) =>
      ex.selectFrom('buildings').select(['id', 'name', 'address', 'postcode']).where('id', '=', id).executeTakeFirst(),

    /** An inbox message (the dispatcher sends it on). */
    async notify(ex: Executor, n: { recipientId: number; subject: string; body: string; link: string | null }) {
      await insertInboxMessages(ex, [{ recipientId: n.recipientId, subject: n.subject, body: n.body, link: n.link }]);
    },

    buildings: () => db.selectFrom('buildings').select(['id', 'name']).orderBy('name').execute(),
  };
}

export type RiskRepository = ReturnType<typeof buildRiskRepository>;
