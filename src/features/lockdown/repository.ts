import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';
import { fetchPage } from '../../web/paging.ts';

export interface Message {
  subject: string;
  body: string;
  link: string;
}

export function buildLockdownRepository(db: Kysely<DB>) {
  return {
    buildings: () => db.selectFrom('buildings').select(['id', 'name', 'building_manager_id']).orderBy('name').execute(),
    keyHolderOf: (staffId: number) =>
      db.selectFrom('building_key_holders').select('building_id').where('staff_id', '=', staffId).execute(),
    get: (id: number) =>
      db
        .selectFrom('lockdowns as l')
        .innerJoin('buildings as b', 'b.id', 'l.building_id')
        .select([
          'l.id',
          'l.building_id',
          'l.location',
          'l.details',
          'l.started_by',
          'l.started_by_name',
          'l.started_at',
          'l.ended_at',
          'l.ended_by_name',
          'l.end_note',
          'l.ended_as',
          'l.remote_reason',
          'l.police_attended',
          'l.police_all_clear',
          'b.name as building_name',
        ])
        .where('l.id', '=', id)
        .executeTakeFirst(),
    /** One page of lockdowns, running first, narrowed by building and by running or ended. */
    list: (filter: { buildingId: number | null; status: 'running' | 'ended' | null; page: number }) => {
      let q = db
        .selectFrom('lockdowns as l')
        .innerJoin('buildings as b', 'b.id', 'l.building_id')
        .select([
          'l.id',
          'l.location',
          'l.started_at',
          'l.started_by_name',
          'l.ended_at',
          'b.name as building_name',
          sql<number>`(SELECT count(*)::int FROM lockdown_recipients r WHERE r.lockdown_id = l.id)`.as('alerted'),
          sql<number>`(SELECT count(*)::int FROM lockdown_recipients r WHERE r.lockdown_id = l.id AND r.acknowledged_at IS NOT NULL)`.as(
            'acknowledged',
          ),
        ]);
      if (filter.buildingId !== null) q = q.where('l.building_id', '=', filter.buildingId);
      if (filter.status) q = q.where('l.ended_at', filter.status === 'running' ? 'is' : 'is not', null);
      return fetchPage(
        q
          .orderBy(sql`l.ended_at IS NULL`, 'desc')
          .orderBy('l.started_at', 'desc')
          .orderBy('l.id', 'desc'),
        filter.page,
      );
    },
    running: (buildingId: number, ex: Executor = db) =>
      ex
        .selectFrom('lockdowns')
        .select('id')
        .where('building_id', '=', buildingId)
        .where('ended_at', 'is', null)
        .executeTakeFirst(),
    recipients: (id: number) =>
      db
        .selectFrom('lockdown_recipients as r')
        .innerJoin('staff as s', 's.id', 'r.staff_id')
        .select(['r.staff_id', 'r.reason', 'r.acknowledged_at', 's.given_name', 's.family_name', 's.work_mobile'])
        .where('r.lockdown_id', '=', id)
        .orderBy(sql`r.acknowledged_at IS NULL`, 'desc')
        .orderBy('s.family_name')
        .orderBy('s.given_name')
        .execute(),
    events: (id: number) =>
      db
        .selectFrom('lockdown_events')
        .select(['id', 'at', 'text', 'actor_id'])
        .where('lockdown_id', '=', id)
        .orderBy('at')
        .orderBy('id')
        .execute(),
    recipientIds: async (ex: Executor, id: number) =>
      (await ex.selectFrom('lockdown_recipients').select('staff_id').where('lockdown_id', '=', id).execute()).map(
        (r) => r.staff_id,
      ),
    recipient: (id: number, staffId: number) =>
      db
        .selectFrom('lockdown_recipients')
        .selectAll()
        .where('lockdown_id', '=', id)
        .where('staff_id', '=', staffId)
        .executeTakeFirst(),

    /**
     * Everyone to alert, and where they are: checked in at the building (a session there that is
     * running or overdue); based there (active staff whose base building it is) and not checked in
     * anywhere else; or based there but checked in elsewhere (alerted so they do not walk back in,
     * not counted as in the building). Checked in wins.
     */
    async present(
      ex: Executor,
      buildingId: number,
    ): Promise<{ id: number; reason: 'checked_in' | 'based' | 'based_elsewhere' }[]> {
      const { rows } = await sql<{ id: number; reason: 'checked_in' | 'based' | 'based_elsewhere' }>`
        SELECT DISTINCT ON (id) id, reason FROM (
          SELECT v.worker_id AS id, 'checked_in' AS reason, 0 AS o FROM visits v
           WHERE v.building_id = ${buildingId} AND v.state IN ('in_progress', 'overdue')
          UNION ALL
          SELECT s.id, CASE WHEN EXISTS (SELECT 1 FROM visits o WHERE o.worker_id = s.id AND o.state IN ('in_progress', 'overdue')
                                          AND o.building_id IS DISTINCT FROM ${buildingId}) THEN 'based_elsewhere' ELSE 'based' END, 1
            FROM staff s WHERE s.base_building_id = ${buildingId} AND s.active
        ) x ORDER BY id, o`.execute(ex);
      return rows;
    },
    /** The buildings a person is in or belongs to: where they are checked in now, and their base. */
    async whereIs(staffId: number): Promise<{ checkedIn: number[]; base: number | null }> {
      const [sessions, me] = await Promise.all([
        db
          .selectFrom('visits')
          .select('building_id')
          .where('worker_id', '=', staffId)
          .where('state', 'in', ['in_progress', 'overdue'])
          .where('building_id', 'is not', null)
          .execute(),
        db
          .selectFrom('staff')
          .select('base_building_id')
          .where('id', '=', staffId)
          .where('active', '=', true)
          .executeTakeFirst(),
      ]);
      return { checkedIn: sessions.map((v) => v.building_id!), base: me?.base_building_id ?? null };
    },

    async create(
      ex: Executor,
      l: {
        buildingId: number;
        location: string;
        details: string | null;
        startedBy: number | null;
        startedByName: string;
      },
    ) {
      return (
        await ex
          .insertInto('lockdowns')
          .values({
            building_id: l.buildingId,
            location: l.location as 'inside' | 'outside',
            details: l.details,
            started_by: l.startedBy,
            started_by_name: l.startedByName,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
    async addRecipients(
      ex: Executor,
      id: number,
      people: {
        id: number;
        reason: 'checked_in' | 'based' | 'based_elsewhere' | 'building_manager' | 'senior_manager';
      }[],
    ) {
      if (people.length)
        await ex
          .insertInto('lockdown_recipients')
          .values(people.map((p) => ({ lockdown_id: id, staff_id: p.id, reason: p.reason })))
          .execute();
    },
    async event(ex: Executor, id: number, actorId: number | null, text: string) {
      await ex.insertInto('lockdown_events').values({ lockdown_id: id, actor_id: actorId, text }).execute();
    },
    /**
     * One message per person, sent by the dispatcher on the first configured channel with fallbacks.
     * With `lockdownId` (the lockdown alert itself) it is an alarm: text, push and email keep being
     * tried until the lockdown ends or the person acknowledges it.
     */
    async notify(
      ex: Executor,
      recipientIds: number[],
      m: Message,
      plan: { channel: string; fallbacks: string[] },
      lockdownId: number | null = null,
    ) {
      if (!recipientIds.length) return;
      await insertInboxMessages(
        ex,
        recipientIds.map((r) => ({
          recipientId: r,
          channel: plan.channel,
          fallbacks: plan.fallbacks,
          subject: m.subject,
          body: m.body,
          link: m.link,
          lockdownId,
        })),
      );
    },
    async acknowledge(ex: Executor, id: number, staffId: number) {
      const r = await ex
        .updateTable('lockdown_recipients')
        .set({ acknowledged_at: sql<Date>`now()` })
        .where('lockdown_id', '=', id)
        .where('staff_id', '=', staffId)
        .where('acknowledged_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async end(
      ex: Executor,
      id: number,
      by: {
        staffId: number | null;
        name: string;
        note: string | null;
        as: 'runner' | 'building_manager' | 'key_holder' | 'remote_senior';
        remoteReason: string | null;
        policeAttended: boolean;
        policeAllClear: boolean | null;
      },
    ) {
      const r = await ex
        .updateTable('lockdowns')
        .set({
          ended_at: sql<Date>`now()`,
          ended_by: by.staffId,
          ended_by_name: by.name,
          end_note: by.note,
          ended_as: by.as,
          remote_reason: by.remoteReason,
          police_attended: by.policeAttended,
          police_all_clear: by.policeAllClear,
        })
        .where('id', '=', id)
        .where('ended_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export type LockdownRepository = ReturnType<typeof buildLockdownRepository>;
