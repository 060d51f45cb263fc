import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { AlertKind } from './policy.ts';
import { inTransaction } from '../../db/transaction.ts';
import { lastCheckInAt, lastLocation } from '../visits/last-contact.ts';
import { fetchPage } from '../../web/paging.ts';

type Trx = Transaction<DB>;

export interface AlertListFilter {
  q: string;
  kind: AlertKind | null;
  closed: boolean;
}

/**
 * SQL for alerts, their timeline and escalation policies (the escalation engine's set-based SQL is
 * in engine.ts; the durable timers' in timers-repository.ts). Writers lock in one order: timers, visit, alert.
 */
export function buildAlertsRepository(db: Kysely<DB>) {
  const listBase = (filter: AlertListFilter) => {
    let q = db
      .selectFrom('alerts as a')
      .innerJoin('staff as w', 'w.id', 'a.worker_id')
      .leftJoin('visits as v', 'v.id', 'a.visit_id')
      .where('a.status', filter.closed ? '=' : '<>', 'resolved');
    if (filter.kind) q = q.where('a.kind', '=', filter.kind);
    if (filter.q) {
      const like = `%${filter.q.toLowerCase()}%`;
      q = q.where((eb) =>
        eb.or([
          eb(sql`lower(w.given_name || ' ' || w.family_name)`, 'like', like),
          eb(sql`lower(replace(coalesce(v.postcode, ''), ' ', ''))`, 'like', like.replace(/\s+/g, '')),
        ]),
      );
    }
    return q;
  };

  return {
    /** Runs fn in a transaction (retried on a deadlock or serialisation conflict). */
    transaction: <T>(fn: (trx: Trx) => Promise<T>) => inTransaction(db, fn),

    /** One alert with its worker, buddy, acknowledger, emergency pack and visit. */
    detail(alertId: string) {
      return db
        .selectFrom('alerts as a')
        .innerJoin('staff as w', 'w.id', 'a.worker_id')
        .leftJoin('visits as v', 'v.id', 'a.visit_id')
        .leftJoin('staff as b', 'b.id', 'w.buddy_id')
        .leftJoin('staff as ack', 'ack.id', 'a.acknowledged_by')
        .leftJoin('emergency_packs as ep', 'ep.staff_id', 'a.worker_id')
        .select([
          'a.id',
          'a.kind',
          'a.status',
          'a.policy',
          'a.next_step',
          'a.opened_at',
          'a.deadline_at',
          'a.acknowledged_at',
          'a.paused_until',
          'a.outcome',
          'a.outcome_notes',
          'a.resolved_at',
          'a.worker_id',
          'a.visit_id',
          sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name'),
          'w.work_mobile',
          'w.personal_mobile',
          'w.team_id',
          'w.updated_at as staff_record_updated_at',
          'ep.updated_at as pack_updated_at',
          sql<string | null>`b.given_name || ' ' || b.family_name`.as('buddy_name'),
          'b.work_mobile as buddy_mobile',
          sql<string | null>`ack.given_name || ' ' || ack.family_name`.as('acknowledged_by_name'),
          'v.address',
          'v.postcode',
          'v.latitude',
          'v.longitude',
          'v.case_system',
          'v.case_id',
          'v.description',
          'v.kind as visit_kind',
          'v.starts_at',
          'v.ends_at',
          lastCheckInAt('v').as('last_check_in_at'),
          lastLocation('v').as('last_location'),
          'v.risk_rating',
          'v.joint_partner_id',
        ])
        .where('a.id', '=', alertId)
        .executeTakeFirst();
    },
    /** Whether the alert was sent to this member of staff. */
    async sentTo(alertId: string, staffId: number) {
      return (
        (await db
          .selectFrom('notifications')
          .select('id')
          .where('alert_id', '=', alertId)
          .where('recipient_id', '=', staffId)
          .executeTakeFirst()) !== undefined
      );
    },
    /** The alert's timeline, with its visit's when it has one. */
    events(alertId: string, visitId: number | null) {
      return db
        .selectFrom('timeline_events as e')
        .leftJoin('staff as s', 's.id', 'e.actor_id')
        .select([
          'e.id',
          'e.at',
          'e.type',
          'e.text',
          sql<string | null>`s.given_name || ' ' || s.family_name`.as('actor_name'),
        ])
        .where((eb) => eb.or([eb('e.alert_id', '=', alertId), ...(visitId ? [eb('e.visit_id', '=', visitId)] : [])]))
        .orderBy('e.at')
        .orderBy('e.id')
        .execute();
    },
    /** The alert's next pending escalation step. */
    nextStepTimer(alertId: string) {
      return db
        .selectFrom('timers')
        .select(['seq', 'fire_at'])
        .where('kind', '=', 'alert_step')
        .where('subject_id', '=', alertId)
        .where('status', '=', 'pending')
        .orderBy('seq')
        .executeTakeFirst();
    },
    /** One timeline row (an alert's, a visit's, or a worker's day). */
    async addEvent(trx: Trx, values: Insertable<DB['timeline_events']>) {
      await trx.insertInto('timeline_events').values(values).execute();
    },
    /** Locks the alert row (after its timers: see lockAlert in response.ts). */
    lock(trx: Trx, alertId: string) {
      return trx
        .selectFrom('alerts')
        .select(['id', 'status', 'visit_id', 'worker_id', 'next_step', 'policy'])
        .where('id', '=', alertId)
        .forUpdate()
        .executeTakeFirst();
    },
    async acknowledge(trx: Trx, alertId: string, by: number | null, until: Date) {
      await trx
        .updateTable('alerts')
        .set({ status: 'acknowledged', acknowledged_by: by, acknowledged_at: new Date(), paused_until: until })
        .where('id', '=', alertId)
        .execute();
    },
    async reopen(trx: Trx, alertId: string) {
      await trx.updateTable('alerts').set({ paused_until: null, status: 'open' }).where('id', '=', alertId).execute();
    },
    /** Takes back a step's pending message to one recipient (the person who pressed "Escalate now"). */
    async withdrawPending(trx: Trx, alertId: string, step: number, recipientId: number) {
      await trx
        .deleteFrom('notifications')
        .where('alert_id', '=', alertId)
        .where('step', '=', step)
        .where('recipient_id', '=', recipientId)
        .where('status', '=', 'pending')
        .execute();
    },
    /** Whether a step told anyone but `exceptStaffId` (anyone at all when null). */
    async toldOthers(trx: Trx, alertId: string, step: number, exceptStaffId: number | null) {
      return (
        (await trx
          .selectFrom('notifications')
          .select('id')
          .where('alert_id', '=', alertId)
          .where('step', '=', step)
          .where((eb) => (exceptStaffId === null ? eb.val(true) : eb('recipient_id', '<>', exceptStaffId)))
          .executeTakeFirst()) !== undefined
      );
    },
    async resolve(
      trx: Trx,
      alertId: string,
      changes: { outcome: string; outcome_notes: string | null; resolved_by: number | null },
    ) {
      await trx
        .updateTable('alerts')
        .set({ status: 'resolved', ...changes, resolved_at: new Date(), paused_until: null })
        .where('id', '=', alertId)
        .execute();
    },
    /** The open alerts of a kind about a visit, locked. */
    openForVisit(trx: Trx, visitId: number, kind: string) {
      return trx
        .selectFrom('alerts')
        .select(['id'])
        .where('visit_id', '=', visitId)
        .where('status', '<>', 'resolved')
        .where('kind', '=', kind)
        .forUpdate()
        .execute();
    },
    /** The open alerts of a kind about a worker, locked. */
    openForWorker(trx: Trx, workerId: number, kind: string) {
      return trx
        .selectFrom('alerts')
        .select('id')
        .where('worker_id', '=', workerId)
        .where('kind', '=', kind)
        .where('status', '<>', 'resolved')
        .forUpdate()
        .execute();
    },
    /** A worker's first open alert of these kinds, if any. */
    openOfKinds(trx: Trx, workerId: number, kinds: string[]) {
      return trx
        .selectFrom('alerts')
        .select('kind')
        .where('worker_id', '=', workerId)
        .where('kind', 'in', kinds)
        .where('status', '<>', 'resolved')
        .executeTakeFirst();
    },
    /** Closes an alert as safe: the worker said so. */
    async closeSafe(trx: Trx, alertId: string, why: string, by: number | null) {
      await trx
        .updateTable('alerts')
        .set({ status: 'resolved', outcome: 'safe', outcome_notes: why, resolved_by: by, resolved_at: new Date() })
        .where('id', '=', alertId)
        .execute();
    },
    /** The open alerts about these visits (the board). */
    openForVisits(visitIds: number[]) {
      return db
        .selectFrom('alerts')
        .select(['id', 'visit_id', 'status', 'kind', 'worker_id'])
        .where('visit_id', 'in', visitIds)
        .where('status', '<>', 'resolved')
        .execute();
    },

    /** The workers with alerts matching a list filter. */
    async listWorkers(filter: AlertListFilter) {
      return (await listBase(filter).select('a.worker_id').distinct().execute()).map((r) => r.worker_id);
    },
    /** One page of the alerts matching a filter about these workers, newest first; never a worker's own duress alarm. */
    listPage(filter: AlertListFilter, workerIds: number[], viewerStaffId: number | null, page: number) {
      let q = listBase(filter)
        .where('a.worker_id', 'in', workerIds)
        .select([
          'a.id',
          'a.kind',
          'a.status',
          'a.opened_at',
          'a.deadline_at',
          'a.resolved_at',
          'a.outcome',
          'a.worker_id',
          'v.postcode',
          sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name'),
        ])
        .orderBy('a.opened_at', 'desc')
        .orderBy('a.id', 'desc');
      if (viewerStaffId !== null)
        q = q.where((eb) => eb.not(eb.and([eb('a.kind', '=', 'duress'), eb('a.worker_id', '=', viewerStaffId)])));
      return fetchPage(q, page);
    },

    policy(teamId: number, kind: AlertKind) {
      return db
        .selectFrom('escalation_policies')
        .select('steps')
        .where('team_id', '=', teamId)
        .where('kind', '=', kind)
        .executeTakeFirst();
    },
    async deletePolicy(trx: Trx, teamId: number, kind: AlertKind) {
      await trx.deleteFrom('escalation_policies').where('team_id', '=', teamId).where('kind', '=', kind).execute();
    },
    async insertPolicy(trx: Trx, teamId: number, kind: AlertKind, steps: string, updatedBy: number | null) {
      await trx
        .insertInto('escalation_policies')
        .values({ team_id: teamId, kind, steps, updated_by: updatedBy })
        .execute();
    },
  };
}

export type AlertsRepository = ReturnType<typeof buildAlertsRepository>;
