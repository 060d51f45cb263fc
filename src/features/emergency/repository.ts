import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import { insertInboxMessages } from '../notifications/inbox-insert.ts';

export const DEV_KEY_SETTING = 'emergency_pack_dev_key';

export function buildEmergencyRepository(db: Kysely<DB>) {
  return {
    /** The development key kept in app_settings when EMERGENCY_PACK_KEY is not set; made once. */
    async devKey(make: () => string): Promise<string> {
      const read = async () =>
        (await db.selectFrom('app_settings').select('value').where('key', '=', DEV_KEY_SETTING).executeTakeFirst())
          ?.value as { key?: string } | undefined;
      const found = await read();
      if (found?.key) return found.key;
      await db
        .insertInto('app_settings')
        .values({
          key: DEV_KEY_SETTING,
          value: JSON.stringify({ key: make(), note: 'Development only: set EMERGENCY_PACK_KEY in production' }),
        })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const made = await read();
      if (!made?.key) throw new Error('could not keep the development emergency pack key');
      return made.key;
    },
    /** The stored development key, if one was ever made (so packs it sealed can be re-encrypted). */
    async existingDevKey(): Promise<string | null> {
      const row = await db
        .selectFrom('app_settings')
        .select('value')
        .where('key', '=', DEV_KEY_SETTING)
        .executeTakeFirst();
      return (row?.value as { key?: string } | undefined)?.key ?? null;
    },

    pack: (staffId: number, ex: Executor = db) =>
      ex.selectFrom('emergency_packs').selectAll().where('staff_id', '=', staffId).executeTakeFirst(),
    async savePack(ex: Executor, staffId: number, sealed: { keyId: string; ciphertext: string }) {
      await ex
        .insertInto('emergency_packs')
        .values({ staff_id: staffId, key_id: sealed.keyId, ciphertext: sealed.ciphertext })
        .onConflict((oc) =>
          oc
            .column('staff_id')
            .doUpdateSet({ key_id: sealed.keyId, ciphertext: sealed.ciphertext, updated_at: sql<Date>`now()` }),
        )
        .execute();
    },
    /** Packs sealed by any key but the current one, a page at a time (for rotation). */
    packsNotSealedWith: (keyId: string, limit: number, afterStaffId: number) =>
      db
        .selectFrom('emergency_packs')
        .select(['staff_id', 'key_id', 'ciphertext'])
        .where('key_id', '<>', keyId)
        .where('staff_id', '>', afterStaffId)
        .orderBy('staff_id')
        .limit(limit)
        .execute(),
    async reseal(ex: Executor, staffId: number, from: string, sealed: { keyId: string; ciphertext: string }) {
      // Only if nobody saved the pack meanwhile (it would already be under the current key).
      const r = await ex
        .updateTable('emergency_packs')
        .set({ key_id: sealed.keyId, ciphertext: sealed.ciphertext })
        .where('staff_id', '=', staffId)
        .where('ciphertext', '=', from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async recordView(
      ex: Executor,
      v: {
        staffId: number;
        viewerAccountId: number;
        viewerStaffId: number | null;
        viewerName: string;
        alertId: string | null;
        reason: string;
      },
    ) {
      await ex
        .insertInto('emergency_pack_views')
        .values({
          staff_id: v.staffId,
          viewer_account_id: v.viewerAccountId,
          viewer_staff_id: v.viewerStaffId,
          viewer_name: v.viewerName,
          alert_id: v.alertId,
          reason: v.reason,
        })
        .execute();
    },
    views: (staffId: number) =>
      db
        .selectFrom('emergency_pack_views')
        .select(['id', 'viewer_name', 'alert_id', 'reason', 'viewed_at'])
        .where('staff_id', '=', staffId)
        .orderBy('viewed_at', 'desc')
        .orderBy('id', 'desc')
        .limit(200)
        .execute(),

    /** The worker's open alerts (any not resolved), newest first. */
    openAlerts: (workerId: number) =>
      db
        .selectFrom('alerts as a')
        .leftJoin('visits as v', 'v.id', 'a.visit_id')
        .select(['a.id', 'a.kind', 'a.status', 'a.opened_at', 'v.address', 'v.postcode', 'v.description'])
        .where('a.worker_id', '=', workerId)
        .where('a.status', '<>', 'resolved')
        .orderBy('a.opened_at', 'desc')
        .execute(),
    wasAlerted: async (alertId: string, staffId: number) =>
      !!(await db
        .selectFrom('notifications')
        .select('id')
        .where('alert_id', '=', alertId)
        .where('recipient_id', '=', staffId)
        .limit(1)
        .executeTakeFirst()),
    person: (id: number) =>
      db
        .selectFrom('staff')
        .select(['id', 'given_name', 'family_name', 'team_id', 'line_manager_id', 'active'])
        .where('id', '=', id)
        .executeTakeFirst(),
    async note(ex: Executor, alertId: string, actorId: number | null, text: string) {
      const a = await ex.selectFrom('alerts').select('visit_id').where('id', '=', alertId).executeTakeFirst();
      await ex
        .insertInto('timeline_events')
        .values({ alert_id: alertId, visit_id: a?.visit_id ?? null, type: 'emergency_pack', actor_id: actorId, text })
        .execute();
    },

    /** Active staff with a line manager, their pack's age and the last reminder about them. */
    reminderCandidates: () =>
      db
        .selectFrom('staff as s')
        .leftJoin('emergency_packs as p', 'p.staff_id', 's.id')
        .select([
          's.id',
          's.given_name',
          's.family_name',
          's.line_manager_id',
          'p.updated_at',
          sql<Date | null>`(SELECT max(r.sent_at) FROM emergency_pack_reminders r WHERE r.staff_id = s.id)`.as(
            'last_reminded',
          ),
        ])
        .where('s.active', '=', true)
        .where('s.line_manager_id', 'is not', null)
        .orderBy('s.id')
        .execute(),
    async recordReminder(
      ex: Executor,
      r: {
        staffId: number;
        recipientId: number;
        kind: 'missing' | 'stale';
        subject: string;
        body: string;
        link: string;
        at: Date;
      },
    ) {
      await ex
        .insertInto('emergency_pack_reminders')
        .values({ staff_id: r.staffId, recipient_id: r.recipientId, kind: r.kind, sent_at: r.at })
        .execute();
      await insertInboxMessages(ex, [
        { recipientId: r.recipientId, subject: r.subject, body: r.body, link: r.link, at: r.at },
      ]);
    },
    /** Pack status (never the contents) of the people a manager manages, for their list. */
    teamStatus: (staffIds: number[]) =>
      staffIds.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('staff as s')
            .leftJoin('emergency_packs as p', 'p.staff_id', 's.id')
            .select(['s.id', 's.given_name', 's.family_name', 'p.updated_at'])
            .where('s.id', 'in', staffIds)
            .where('s.active', '=', true)
            .orderBy('s.family_name')
            .orderBy('s.given_name')
            .execute(),
  };
}

export type EmergencyRepository = ReturnType<typeof buildEmergencyRepository>;
