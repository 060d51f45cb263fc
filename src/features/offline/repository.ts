import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export function buildIdempotencyRepository(db: Kysely<DB>) {
  return {
    /** Claims the key for this account; returns the existing row when someone already has it. */
    async claim(accountId: number, key: string, action: string) {
      const inserted = await db.insertInto('idempotency_keys').values({ account_id: accountId, key, action })
        .onConflict((oc) => oc.columns(['account_id', 'key']).doNothing()).returning('key').executeTakeFirst();
      if (inserted) return null;
      return db.selectFrom('idempotency_keys').selectAll().where('account_id', '=', accountId).where('key', '=', key).executeTakeFirstOrThrow();
    },
    /** Takes over a claim left pending by a request that died; only one taker wins. */
    async takeOver(accountId: number, key: string, staleBefore: Date) {
      const r = await db.updateTable('idempotency_keys').set({ created_at: sql<Date>`now()` })
        .where('account_id', '=', accountId).where('key', '=', key).where('status', '=', 'pending').where('created_at', '<', staleBefore).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async done(accountId: number, key: string, location: string) {
      await db.updateTable('idempotency_keys').set({ status: 'done', location }).where('account_id', '=', accountId).where('key', '=', key).execute();
    },
    async release(accountId: number, key: string) {
      await db.deleteFrom('idempotency_keys').where('account_id', '=', accountId).where('key', '=', key).where('status', '=', 'pending').execute();
    },
    async purge(before: Date) {
      const r = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof buildIdempotencyRepository>;
