import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { lastCheckInAt, lastLocation } from './last-contact.ts';
import { inTransaction } from '../../db/transaction.ts';

import { buildHistoryRepository, type HistoryScope } from './history-repository.ts';

export type { HistoryScope };

type Trx = Transaction<DB>;

export interface VisitInput {
  workerId: number;
  kind: string;
  startsAt: Date;
  endsAt: Date;
  address: string | null;
  postcode: string | null;
  latitude: number | null;
  longitude: number | null;
  caseSystem: string | null;
  caseId: string | null;
  description: string | null;
  jointPartnerId: number | null;
  notes: string | null;
  buildingId: number | null;
  referralType: string | null;
  riskRating: string | null;
  source?: string;
  icalUid?: string | null;
}

const toRow = (v: VisitInput) => ({
  worker_id: v.workerId,
  kind: v.kind,
  starts_at: v.startsAt,
  ends_at: v.endsAt,
  address: v.address,
  postcode: v.postcode,
  latitude: v.latitude,
  longitude: v.longitude,
  case_system: v.caseSystem,
  case_id: v.caseId,
  description: v.description,
  joint_partner_id: v.jointPartnerId,
  notes: v.notes,
  building_id: v.buildingId,
  referral_type: v.referralType,
  risk_rating: v.riskRating,
  source: v.source ?? 'manual',
  ical_uid: v.icalUid ?? null,
});

export function buildVisitsRepository(db: Kysely<DB>) {
  const withPeople = (ex: Executor = db) =>
    ex
      .selectFrom('visits as v')
      .innerJoin('staff as w', 'w.id', 'v.worker_id')
      .leftJoin('staff as j', 'j.id', 'v.joint_partner_id')
      .leftJoin('buildings as b', 'b.id', 'v.building_id')
      .leftJoin('teams as t', 't.id', 'w.team_id')
      .select([
        'v.id',
        'v.worker_id',
        'v.kind',
        'v.starts_at',
        'v.ends_at',
        'v.address',
        'v.postcode',
        'v.latitude',
        'v.longitude',
        'v.case_system',
        'v.case_id',
        'v.description',
        'v.joint_partner_id',
        'v.notes',
        'v.building_id',
        'v.referral_type',
        'v.risk_rating',
        'v.state',
        'v.home_address',
        'v.home_postcode',
        'v.joint_confirmed_at',
        'v.arrived_at',
        'v.due_at',
        'v.deadline_seq',
        'v.ended_at',
        'v.source',
        sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name'),
        'w.work_mobile as worker_mobile',
        'w.team_id',
        't.name as team_name',
        'w.buddy_id',
        sql<string | null>`j.given_name || ' ' || j.family_name`.as('joint_partner_name'),
        'b.name as building_name',
      ]);

  return {
    ...buildHistoryRepository(db),
    /** Runs fn in a transaction (retried on a deadlock or serialisation conflict). */
    transaction: <T>(fn: (trx: Trx) => Promise<T>) => inTransaction(db, fn),
    // One visit carries its latest contact (read from the timeline); lists of visits do not need it.
    get: (id: number, ex: Executor = db) =>
      withPeople(ex)
        .select([lastCheckInAt('v').as('last_check_in_at'), lastLocation('v').as('last_location')])
        .where('v.id', '=', id)
        .executeTakeFirst(),
    async create(ex: Executor, v: VisitInput, createdBy: number | null) {
      return (
        await ex
          .insertInto('visits')
          .values({ ...toRow(v), created_by: createdBy })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async update(ex: Executor, id: number, v: VisitInput) {
      await ex
        .updateTable('visits')
        .set({ ...toRow(v), updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },
    /** Visits overlapping a time window, for a set of workers (whereabouts, board, my day). */
    between(workerIds: number[] | 'all', from: Date, to: Date) {
      let q = withPeople()
        .where('v.starts_at', '<', to)
        .where('v.ends_at', '>', from)
        .where('v.state', '<>', 'cancelled');
      if (workerIds !== 'all') {
        if (workerIds.length === 0) return Promise.resolve([]);
        q = q.where('v.worker_id', 'in', workerIds);
      }
      return q.orderBy('v.starts_at').execute();
    },
    /** Planned joint visits a partner has not yet confirmed. */
    awaitingPartner(partnerId: number) {
      return withPeople()
        .where('v.joint_partner_id', '=', partnerId)
        .where('v.state', '=', 'planned')
        .where('v.joint_confirmed_at', 'is', null)
        .where('v.ends_at', '>', new Date())
        .orderBy('v.starts_at')
        .execute();
    },
    /** Sessions running now (in progress or overdue), whatever their planned day. */
    active(workerIds: number[] | 'all') {
      let q = withPeople().where('v.state', 'in', ['in_progress', 'overdue']);
      if (workerIds !== 'all') {
        if (workerIds.length === 0) return Promise.resolve([]);
        q = q.where('v.worker_id', 'in', workerIds);
      }
      return q.orderBy('v.due_at').execute();
    },

    /**
     * Locks, in the one order every writer uses (timers by id, then the visit), the pending
     * deadline and alert-step timers of a visit, and the visit row itself.
     */
    async lockForSession(trx: Trx, visitId: number) {
      await sql`
        SELECT id FROM timers WHERE status = 'pending' AND (
          (kind = 'visit_due' AND subject_id = ${visitId})
          OR (kind = 'alert_step' AND subject_id IN (SELECT id FROM alerts WHERE visit_id = ${visitId} AND status <> 'resolved'))
        ) ORDER BY id FOR UPDATE`.execute(trx);
      return trx.selectFrom('visits').selectAll().where('id', '=', visitId).forUpdate().executeTakeFirst();
    },
    /** Cancels a visit that has not started. */
    async cancelPlanned(trx: Trx, id: number) {
      await trx
        .updateTable('visits')
        .set({ state: 'cancelled', updated_at: new Date() })
        .where('id', '=', id)
        .where('state', '=', 'planned')
        .execute();
    },
    /** Closes a running session (its alert was dealt with by a responder). */
    async closeRunning(trx: Trx, id: number) {
      await trx
        .updateTable('visits')
        .set({ state: 'completed', ended_at: new Date(), due_at: null, updated_at: new Date() })
        .where('id', '=', id)
        .where('state', 'in', ['in_progress', 'overdue'])
        .execute();
    },
    /** One of a worker's running sessions, if any. */
    runningFor(trx: Trx, workerId: number) {
      return trx
        .selectFrom('visits')
        .select('id')
        .where('worker_id', '=', workerId)
        .where('state', 'in', ['in_progress', 'overdue'])
        .executeTakeFirst();
    },
    /** A visit's timeline, oldest first; without silent-alarm rows when `hideDuress` (the worker's own screen). */
    timeline(visitId: number, hideDuress: boolean) {
      let q = db
        .selectFrom('timeline_events as e')
        .leftJoin('staff as s', 's.id', 'e.actor_id')
        .select(['e.id', 'e.at', 'e.type', 'e.text', 'e.alert_id', 's.given_name', 's.family_name'])
        .where('e.visit_id', '=', visitId);
      if (hideDuress) {
        q = q.where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('alerts as da')
                .select('da.id')
                .whereRef('da.id', '=', 'e.alert_id')
                .where('da.kind', '=', 'duress'),
            ),
          ),
        );
      }
      return q.orderBy('e.at').orderBy('e.id').execute();
    },
    async setState(
      trx: Trx,
      id: number,
      changes: Partial<{
        state: string;
        arrived_at: Date;
        due_at: Date | null;
        ended_at: Date;
        deadline_seq: number;
        last_check_in_at: Date;
        last_location: string | null;
      }>,
    ) {
      await trx
        .updateTable('visits')
        .set({ ...changes, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },
    /**
     * A check-in: a timeline row for a running session, through `harbour_check_in` (migration 0017;
     * see last-contact.ts for why the visit itself is not updated). False if the session is not running.
     */
    async checkIn(
      id: number,
      actorStaffId: number | null,
      location: string | null,
      text: string,
      onlyWorker: number | null = null,
    ): Promise<boolean> {
      const { rows } = await sql<{
        ok: boolean;
      }>`SELECT harbour_check_in(${id}, ${actorStaffId}, ${text}, ${location}::jsonb, ${onlyWorker}) AS ok`.execute(db);
      return rows[0]?.ok === true;
    },
  };
}

export type VisitsRepository = ReturnType<typeof buildVisitsRepository>;
