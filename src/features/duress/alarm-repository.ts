import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Step } from '../alerts/policy.ts';
import { lastLocation } from '../visits/last-contact.ts';

type Trx = Transaction<DB>;
type Location = { lat: number; lng: number };

/** The silent alarm's SQL: duress PINs, the duress alert and what it carried. */
export function buildAlarmRepository(db: Kysely<DB>) {
  return {
    async pins(staffId: number) {
      return db.selectFrom('duress_pins').selectAll().where('staff_id', '=', staffId).executeTakeFirst();
    },

    async savePins(trx: Trx, staffId: number, duress: string, checkout: string | null) {
      await trx
        .insertInto('duress_pins')
        .values({ staff_id: staffId, duress_pin_hash: duress, checkout_pin_hash: checkout, updated_at: new Date() })
        .onConflict((oc) =>
          oc
            .column('staff_id')
            .doUpdateSet({ duress_pin_hash: duress, checkout_pin_hash: checkout, updated_at: new Date() }),
        )
        .execute();
    },

    async deletePins(trx: Trx, staffId: number) {
      await trx.deleteFrom('duress_pins').where('staff_id', '=', staffId).execute();
    },

    /** What a duress alarm carried, for the alert page. */
    async alarm(alertId: string) {
      return (
        (await db.selectFrom('duress_alarms').selectAll().where('alert_id', '=', alertId).executeTakeFirst()) ?? null
      );
    },

    async alarmWorker(trx: Trx, workerId: number) {
      return trx.selectFrom('staff').select(['id', 'team_id']).where('id', '=', workerId).executeTakeFirst();
    },

    async alarmVisit(trx: Trx, visitId: number) {
      return trx
        .selectFrom('visits')
        .select([
          'id',
          'worker_id',
          'address',
          'postcode',
          'case_system',
          'case_id',
          lastLocation('visits').as('last_location'),
          'state',
        ])
        .where('id', '=', visitId)
        .executeTakeFirst();
    },

    async duressPolicy(trx: Trx, teamId: number) {
      return trx
        .selectFrom('escalation_policies')
        .select('steps')
        .where('team_id', '=', teamId)
        .where('kind', '=', 'duress')
        .executeTakeFirst();
    },

    /** The duress alert with step 0 due now; undefined when one is already open on the visit. */
    async insertDuressAlert(
      trx: Trx,
      visitId: number | null,
      workerId: number,
      steps: Step[],
    ): Promise<string | undefined> {
      const { rows } = await sql<{ id: string }>`
      INSERT INTO alerts (visit_id, worker_id, kind, policy, deadline_at)
      VALUES (${visitId}, ${workerId}, 'duress', ${JSON.stringify(steps)}::jsonb, now())
      ON CONFLICT DO NOTHING RETURNING id::text AS id`.execute(trx);
      return rows[0]?.id;
    },

    async openDuressAlertOnVisit(trx: Trx, visitId: number | null) {
      return trx
        .selectFrom('alerts')
        .select('id')
        .where('visit_id', '=', visitId)
        .where('kind', '=', 'duress')
        .where('status', '<>', 'resolved')
        .executeTakeFirstOrThrow();
    },

    async moveAlarm(trx: Trx, alertId: string, location: Location) {
      await trx
        .updateTable('duress_alarms')
        .set({ location: JSON.stringify(location) })
        .where('alert_id', '=', alertId)
        .execute();
    },

    async insertAlarm(
      trx: Trx,
      alarm: {
        alertId: string;
        via: string;
        caseReference: string | null;
        address: string | null;
        location: Location | null;
      },
    ) {
      await trx
        .insertInto('duress_alarms')
        .values({
          alert_id: alarm.alertId,
          via: alarm.via,
          case_reference: alarm.caseReference,
          address: alarm.address,
          location: alarm.location ? JSON.stringify(alarm.location) : undefined,
        })
        .execute();
    },
  };
}
