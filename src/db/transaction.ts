import type { Kysely, Transaction } from 'kysely';
import type { DB } from './schema.ts';

/**
 * Runs fn in a transaction, retrying when PostgreSQL aborts it to break a deadlock or a
 * serialisation conflict (40P01, 40001). Lone-working actions lock timers, then the visit, then
 * the alert, in that order, so deadlocks should not happen; this is the belt to those braces.
 */
export async function inTransaction<T>(
  db: Kysely<DB>,
  fn: (trx: Transaction<DB>) => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await db.transaction().execute(fn);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (i >= attempts || (code !== '40P01' && code !== '40001')) throw e;
      await new Promise((r) => setTimeout(r, 20 * i));
    }
  }
}
