import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

type Trx = Transaction<DB>;

/** Major incidents' SQL (Appendix C): declaring one, reading it and the list. */
export function buildMajorIncidentRepository(db: Kysely<DB>) {
  return {
    /**
     * A lockdown to declare from (migration 0009's table, read here without a foreign key), and
     * whether this person runs it: who started it, the building manager or a key holder.
     */
    async lockdownSource(lockdownId: number, staffId: number | null) {
      const { rows } = await sql<{ id: number; building: string; runs: boolean }>`
        SELECT l.id, b.name AS building,
               (l.started_by = ${staffId} OR b.building_manager_id = ${staffId}
                OR EXISTS (SELECT 1 FROM building_key_holders k WHERE k.building_id = b.id AND k.staff_id = ${staffId})) IS TRUE AS runs
        FROM lockdowns l JOIN buildings b ON b.id = l.building_id WHERE l.id = ${lockdownId}`.execute(db);
      return rows[0];
    },

    async insertMajorIncident(
      trx: Trx,
      m: {
        category: string;
        summary: string | null;
        alertId: string | null;
        lockdownId: number | null;
        callId: number | null;
        workerId: number | null;
        declaredBy: number;
        declaredByStaff: number | null;
        notified: { staffId: number; role: string }[];
      },
    ) {
      return trx
        .insertInto('major_incidents')
        .values({
          category: m.category,
          summary: m.summary,
          alert_id: m.alertId,
          lockdown_id: m.lockdownId,
          purple_file_call_id: m.callId,
          worker_id: m.workerId,
          declared_by: m.declaredBy,
          declared_by_staff: m.declaredByStaff,
          notified: JSON.stringify(m.notified),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    },

    async staffName(trx: Trx, staffId: number) {
      return trx.selectFrom('staff').select(['given_name', 'family_name']).where('id', '=', staffId).executeTakeFirst();
    },

    async alertVisit(trx: Trx, alertId: string) {
      return trx.selectFrom('alerts').select('visit_id').where('id', '=', alertId).executeTakeFirst();
    },

    async majorIncident(id: number) {
      return db
        .selectFrom('major_incidents as m')
        .leftJoin('accounts as a', 'a.id', 'm.declared_by')
        .leftJoin('staff as w', 'w.id', 'm.worker_id')
        .select([
          'm.id',
          'm.category',
          'm.summary',
          'm.alert_id',
          'm.lockdown_id',
          'm.purple_file_call_id',
          'm.worker_id',
          'm.declared_by',
          'm.declared_at',
          'm.notified',
          'a.display_name as declared_by_name',
          sql<string | null>`w.given_name || ' ' || w.family_name`.as('worker_name'),
        ])
        .where('m.id', '=', id)
        .executeTakeFirst();
    },

    /** Phone numbers of the people told. */
    async contacts(staffIds: number[]) {
      return db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name', 'work_mobile', 'out_of_hours_phone'])
        .where('id', 'in', staffIds)
        .execute();
    },

    /** The newest 200. */
    async majorIncidents() {
      return db
        .selectFrom('major_incidents as m')
        .leftJoin('staff as w', 'w.id', 'm.worker_id')
        .select([
          'm.id',
          'm.category',
          'm.declared_at',
          sql<string | null>`w.given_name || ' ' || w.family_name`.as('worker_name'),
        ])
        .orderBy('m.declared_at', 'desc')
        .limit(200)
        .execute();
    },
  };
}
