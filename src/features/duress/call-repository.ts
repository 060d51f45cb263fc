import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { lastCheckInAt, lastLocation } from '../visits/last-contact.ts';

type Trx = Transaction<DB>;

/** Who a Purple File responder covers: the facts the coverage SQL needs. */
export interface CallCoverage {
  me: number;
  reports: number[];
  supportTeam: number | null;
  duty: boolean;
}

/** The break-glass rule as SQL over a staff alias, for lists: who this responder covers. */
function covered(c: CallCoverage, alias: 's' | 'w') {
  const { me, reports, supportTeam, duty } = c;
  return sql<boolean>`(${sql.ref(`${alias}.id`)} <> ${me} AND (${duty}::boolean OR ${sql.ref(`${alias}.buddy_id`)} = ${me}
      OR ${sql.ref(`${alias}.id`)} = ANY(${reports}::int[]) OR (${supportTeam}::int IS NOT NULL AND ${sql.ref(`${alias}.team_id`)} = ${supportTeam}::int)))`;
}

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

/** The Purple File's SQL: calls, their timeline and call-back timers, and the screen's lists. */
export function buildCallRepository(db: Kysely<DB>) {
  return {
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

    /** Stops the pending call-back timer; how many stopped. */
    async cancelPendingCallbacks(trx: Trx, callId: number): Promise<number> {
      const r = await trx
        .updateTable('purple_file_callbacks')
        .set({ status: 'cancelled' })
        .where('call_id', '=', callId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    async insertCallback(trx: Trx, callId: number, responderId: number, due: Date) {
      await trx
        .insertInto('purple_file_callbacks')
        .values({ call_id: callId, responder_id: responderId, due_at: due })
        .execute();
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

    /**
     * Worker list for the Purple File screen: only the people the responder covers, those with an
     * open alarm first, then people with an open session, then the rest.
     */
    async candidates(coverage: CallCoverage, start: Date, end: Date, like: string | null) {
      const { rows } = await sql<{
        id: number;
        given_name: string;
        family_name: string;
        team_name: string | null;
        visit_id: number | null;
        state: string | null;
        address: string | null;
        postcode: string | null;
        due_at: Date | null;
        calendar_address: string | null;
        calendar_postcode: string | null;
        calendar_starts_at: Date | null;
        last_check_in_at: Date | null;
        alarm_kind: string | null;
        alarm_since: Date | null;
      }>`
        SELECT s.id, s.given_name, s.family_name, t.name AS team_name,
               v.id AS visit_id, v.state, v.address, v.postcode, v.due_at,
               c.address AS calendar_address, c.postcode AS calendar_postcode, c.starts_at AS calendar_starts_at,
               greatest((SELECT max(x.last_check_in_at) FROM visits x WHERE x.worker_id = s.id AND x.last_check_in_at >= ${start}),
                 (SELECT max(e.at) FROM timeline_events e JOIN visits x ON x.id = e.visit_id
                  WHERE x.worker_id = s.id AND e.type = 'check_in' AND e.at >= ${start})) AS last_check_in_at,
               al.kind AS alarm_kind, al.opened_at AS alarm_since
        FROM staff s
        LEFT JOIN teams t ON t.id = s.team_id
        LEFT JOIN LATERAL (SELECT * FROM visits v WHERE v.worker_id = s.id AND v.state IN ('in_progress', 'overdue') ORDER BY v.arrived_at DESC NULLS LAST LIMIT 1) v ON true
        LEFT JOIN LATERAL (SELECT * FROM visits c WHERE c.worker_id = s.id AND c.state = 'planned' AND c.starts_at >= ${start} AND c.starts_at < ${end}
                           ORDER BY abs(extract(epoch FROM c.starts_at - now())) LIMIT 1) c ON true
        LEFT JOIN LATERAL (SELECT a.kind, a.opened_at FROM alerts a WHERE a.worker_id = s.id AND a.status <> 'resolved'
                           ORDER BY (a.kind = 'duress') DESC, a.opened_at LIMIT 1) al ON true
        WHERE s.active AND (${like}::text IS NULL OR (s.given_name || ' ' || s.family_name) ILIKE ${like})
          AND EXISTS (SELECT 1 FROM accounts a WHERE a.staff_id = s.id)
          AND ${covered(coverage, 's')}
        ORDER BY (al.kind IS NULL), (v.id IS NULL), v.due_at NULLS LAST, s.family_name, s.given_name
        LIMIT 300`.execute(db);
      return rows;
    },

    /** Open calls the responder took or whose worker they cover. */
    async openCalls(coverage: CallCoverage) {
      return db
        .selectFrom('purple_file_calls as c')
        .innerJoin('staff as w', 'w.id', 'c.worker_id')
        .select(['c.id', 'c.started_at', sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name')])
        .where('c.status', '=', 'open')
        .where((eb) => eb.or([eb('c.responder_id', '=', coverage.me), covered(coverage, 'w')]))
        .orderBy('c.started_at', 'desc')
        .limit(50)
        .execute();
    },

    async runningVisit(workerId: number) {
      return db
        .selectFrom('visits')
        .select(['id', 'address', 'postcode'])
        .where('worker_id', '=', workerId)
        .where('state', 'in', ['in_progress', 'overdue'])
        .orderBy('arrived_at', 'desc')
        .executeTakeFirst();
    },

    /** Today's planned visit nearest now. */
    async plannedVisit(workerId: number, start: Date, end: Date) {
      return db
        .selectFrom('visits')
        .select(['id', 'address', 'postcode'])
        .where('worker_id', '=', workerId)
        .where('state', '=', 'planned')
        .where('starts_at', '>=', start)
        .where('starts_at', '<', end)
        .orderBy(sql`abs(extract(epoch FROM starts_at - now()))`)
        .executeTakeFirst();
    },

    async openDuressAlertOf(workerId: number) {
      return db
        .selectFrom('alerts')
        .select('id')
        .where('worker_id', '=', workerId)
        .where('kind', '=', 'duress')
        .where('status', '<>', 'resolved')
        .orderBy('opened_at', 'desc')
        .executeTakeFirst();
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

    async pendingCallback(callId: number) {
      return db
        .selectFrom('purple_file_callbacks')
        .select(['id', 'due_at', 'status'])
        .where('call_id', '=', callId)
        .where('status', '=', 'pending')
        .executeTakeFirst();
    },

    async lastFiredCallback(callId: number) {
      return db
        .selectFrom('purple_file_callbacks')
        .select(['id', 'due_at', 'fired_at'])
        .where('call_id', '=', callId)
        .where('status', '=', 'fired')
        .orderBy('fired_at', 'desc')
        .executeTakeFirst();
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

    /**
     * Claims due call-back timers (FOR UPDATE SKIP LOCKED, so several processes share the work)
     * and marks them fired.
     */
    async claimDueCallbacks(trx: Trx, limit: number) {
      const { rows } = await sql<{
        id: string;
        call_id: number;
        responder_id: number;
        worker_name: string;
        mobile: string | null;
      }>`
          WITH due AS (
            SELECT id FROM purple_file_callbacks WHERE status = 'pending' AND due_at <= now()
            ORDER BY due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED
          )
          UPDATE purple_file_callbacks c SET status = 'fired', fired_at = now()
          FROM due, purple_file_calls pc, staff w
          WHERE c.id = due.id AND pc.id = c.call_id AND w.id = pc.worker_id
          RETURNING c.id::text AS id, c.call_id, c.responder_id, w.given_name || ' ' || w.family_name AS worker_name, coalesce(w.work_mobile, w.personal_mobile) AS mobile`.execute(
        trx,
      );
      return rows;
    },
  };
}
