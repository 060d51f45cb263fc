import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { lastCheckInAt, lastLocation } from '../visits/last-contact.ts';
import { buildCallbackRepository } from './callback-repository.ts';
import { buildCallScreenRepository, type CallCoverage } from './call-screen-repository.ts';

export type { CallCoverage };

type Trx = Transaction<DB>;

function findCall(ex: Kysely<DB>, callId: number) {
  return ex
    .selectFrom('purple_file_calls as c')
    .innerJoin('staff as w', 'w.id', 'c.worker_id')
    .innerJoin('staff as r', 'r.id', 'c.responder_id')
    .leftJoin('teams as t', 't.id', 'w.team_id')
    .select([
      'c.id',
      'c.worker_id',
      'c.visit_id',
      'c.alert_id',
      'c.responder_id',
      'c.address',
      'c.answers',
      'c.status',
      'c.outcome',
      'c.outcome_notes',
      'c.managers_notified_at',
      'c.started_at',
      'c.closed_at',
      'c.pack_reason',
      'w.given_name',
      'w.family_name',
      'w.job_role',
      'w.work_mobile',
      'w.personal_mobile',
      'w.team_id',
      'w.base_building_id',
      't.name as team_name',
      sql<string>`r.given_name || ' ' || r.family_name`.as('responder_name'),
    ])
    .where('c.id', '=', callId)
    .executeTakeFirst();
}

/** Building manager (the worker's base), service manager and the service's designated safeguarding lead. */
async function findManagers(ex: Kysely<DB>, workerId: number) {
  const { rows } = await sql<{ role: string; id: number; name: string }>`
      SELECT 'Building manager' AS role, m.id, m.given_name || ' ' || m.family_name AS name
        FROM staff w JOIN buildings b ON b.id = w.base_building_id JOIN staff m ON m.id = b.building_manager_id WHERE w.id = ${workerId}
      UNION ALL
      SELECT 'Service manager', m.id, m.given_name || ' ' || m.family_name FROM harbour_recipients(${workerId}, 'service_manager') r(id) JOIN staff m ON m.id = r.id
      UNION ALL
      SELECT 'Designated safeguarding lead', m.id, m.given_name || ' ' || m.family_name
        FROM staff w JOIN teams t ON t.id = w.team_id JOIN services s ON s.id = t.service_id JOIN staff m ON m.id = s.safeguarding_lead_id WHERE w.id = ${workerId}`.execute(
    ex,
  );
  return rows;
}

async function addEvent(ex: Kysely<DB>, callId: number, actorId: number | null, text: string) {
  await ex.insertInto('purple_file_events').values({ call_id: callId, actor_id: actorId, text }).execute();
}

export type CallRow = NonNullable<Awaited<ReturnType<typeof findCall>>>;

/** The Purple File's SQL: calls and their timeline, with the screen's lists (call-screen-repository.ts) and call-back timers (callback-repository.ts) spread in. */
export function buildCallRepository(db: Kysely<DB>) {
  return {
    ...buildCallScreenRepository(db),
    ...buildCallbackRepository(db),

    call: (callId: number) => findCall(db, callId),
    callIn: (trx: Trx, callId: number) => findCall(trx, callId),
    managers: (workerId: number) => findManagers(db, workerId),
    managersIn: (trx: Trx, workerId: number) => findManagers(trx, workerId),
    addEvent: (trx: Trx, callId: number, actorId: number | null, text: string) => addEvent(trx, callId, actorId, text),

    /** Who rang and who took the call. */
    async callParties(callId: number) {
      return db
        .selectFrom('purple_file_calls')
        .select(['worker_id', 'responder_id'])
        .where('id', '=', callId)
        .executeTakeFirst();
    },

    /** Open alerts about the worker: the call links every one, and closing it offers to close them. */
    async openAlertsAbout(workerId: number) {
      return db
        .selectFrom('alerts')
        .select(['id', 'kind', 'opened_at'])
        .where('worker_id', '=', workerId)
        .where('status', '<>', 'resolved')
        .orderBy('opened_at')
        .execute();
    },

    /** Whether this person was sent a message linking to the call. */
    async toldAboutCall(staffId: number, callId: number) {
      return db
        .selectFrom('notifications')
        .select('id')
        .where('recipient_id', '=', staffId)
        .where('link', 'like', `%/purple-file/${callId}`)
        .executeTakeFirst();
    },

    async lockCall(trx: Trx, callId: number) {
      return trx
        .selectFrom('purple_file_calls')
        .select(['id', 'status', 'answers', 'worker_id', 'responder_id'])
        .where('id', '=', callId)
        .forUpdate()
        .executeTakeFirst();
    },

    async markManagersNotified(trx: Trx, callId: number) {
      await trx
        .updateTable('purple_file_calls')
        .set({ managers_notified_at: new Date() })
        .where('id', '=', callId)
        .execute();
    },

    async duressAlarmLocation(alertId: string) {
      return db.selectFrom('duress_alarms').select(['location']).where('alert_id', '=', alertId).executeTakeFirst();
    },

    /** Whether the worker filled in an emergency information pack (without opening it). */
    async hasEmergencyPack(workerId: number) {
      return Boolean(
        await db.selectFrom('emergency_packs').select('staff_id').where('staff_id', '=', workerId).executeTakeFirst(),
      );
    },

    async insertCall(
      trx: Trx,
      call: { workerId: number; visitId: number | null; alertId: string; responderId: number; address: string | null },
    ) {
      return trx
        .insertInto('purple_file_calls')
        .values({
          worker_id: call.workerId,
          visit_id: call.visitId,
          alert_id: call.alertId,
          responder_id: call.responderId,
          address: call.address,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    },

    /** The pack's reason, then the call's timeline line (two statements, no transaction). */
    async recordPackReason(callId: number, reason: string, actorId: number, text: string) {
      await db.updateTable('purple_file_calls').set({ pack_reason: reason }).where('id', '=', callId).execute();
      await addEvent(db, callId, actorId, text);
    },

    async callVisit(visitId: number) {
      return db
        .selectFrom('visits')
        .select([
          'id',
          'address',
          'postcode',
          'case_system',
          'case_id',
          lastLocation('visits').as('last_location'),
          lastCheckInAt('visits').as('last_check_in_at'),
          'state',
          'due_at',
        ])
        .where('id', '=', visitId)
        .executeTakeFirst();
    },

    async callEvents(callId: number) {
      return db
        .selectFrom('purple_file_events as e')
        .leftJoin('staff as s', 's.id', 'e.actor_id')
        .select(['e.id', 'e.at', 'e.text'])
        .where('e.call_id', '=', callId)
        .orderBy('e.at')
        .orderBy('e.id')
        .execute();
    },

    async majorIncidentsOfCall(callId: number) {
      return db
        .selectFrom('major_incidents')
        .select(['id', 'category', 'declared_at'])
        .where('purple_file_call_id', '=', callId)
        .execute();
    },

    async setAnswers(trx: Trx, callId: number, answers: unknown) {
      await trx
        .updateTable('purple_file_calls')
        .set({ answers: JSON.stringify(answers) })
        .where('id', '=', callId)
        .execute();
    },

    async callAddress(trx: Trx, callId: number) {
      return trx.selectFrom('purple_file_calls').select('address').where('id', '=', callId).executeTakeFirstOrThrow();
    },

    async closeCall(trx: Trx, callId: number, outcome: string, notes: string | null, closedBy: number) {
      await trx
        .updateTable('purple_file_calls')
        .set({ status: 'closed', outcome, outcome_notes: notes, closed_at: new Date(), closed_by: closedBy })
        .where('id', '=', callId)
        .execute();
    },

    async managersNotifiedAt(trx: Trx, callId: number) {
      return trx
        .selectFrom('purple_file_calls')
        .select('managers_notified_at')
        .where('id', '=', callId)
        .executeTakeFirstOrThrow();
    },
  };
}
