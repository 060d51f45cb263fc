import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

export function buildIdempotencyRepository(db: Kysely<DB>) {
  return {
    /**
     * Claims the key for this account inside the action's transaction, with where it leads. Returns
     * null when this request has it, or the row of the attempt that committed first. A concurrent
     * attempt with the same key still in flight holds the row lock of its uncommitted insert, so
     * this waits for it (up to the transaction's lock_timeout): its commit makes this a replay, its
     * rollback (or its process dying) lets this one run.
     */
    async claimIn(trx: Transaction<DB>, accountId: number, key: string, action: string) {
      const inserted = await trx
        .insertInto('idempotency_keys')
        .values({ account_id: accountId, key, action, status: 'done' })
        .onConflict((oc) => oc.columns(['account_id', 'key']).doNothing())
        .returning('key')
        .executeTakeFirst();
      if (inserted) return null;
      const existing = await trx
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (existing.status === 'done') return existing;
      // A 'pending' claim committed on its own by an earlier version of Harbour, whose action may
      // never have run: this attempt takes it over and runs the action.
      await trx
        .updateTable('idempotency_keys')
        .set({ status: 'done', action, created_at: sql<Date>`now()` })
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .execute();
      return null;
    },
    /** Where the action led, for its replays; written in the same transaction as the claim. */
    async recordIn(trx: Transaction<DB>, accountId: number, key: string, location: string) {
      await trx
        .updateTable('idempotency_keys')
        .set({ location })
        .where('account_id', '=', accountId)
        .where('key', '=', key)
        .execute();
    },
    /** Bounds how long a claim waits for another attempt with the same key (PostgreSQL's lock_timeout). */
    async limitWait(trx: Transaction<DB>, ms: number) {
      await sql.raw(`SET LOCAL lock_timeout = '${Math.round(ms)}ms'`).execute(trx);
    },
    async endWaitLimit(trx: Transaction<DB>) {
      await sql`SET LOCAL lock_timeout TO DEFAULT`.execute(trx);
    },
    async purge(before: Date) {
      const r = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof buildIdempotencyRepository>;
