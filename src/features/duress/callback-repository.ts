import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

type Trx = Transaction<DB>;

/** Call-back timers of Purple File calls: set, stopped, read for the call's page, and claimed when due by the poller. */
export function buildCallbackRepository(db: Kysely<DB>) {
  return {
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
