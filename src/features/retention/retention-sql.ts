import { sql } from 'kysely';
import type { Executor } from '../audit/repository.ts';

/** Whether a record is still to be dealt with: no line for it in retention_done. */
export const notDone = (kind: string, idSql: ReturnType<typeof sql>) =>
  sql<boolean>`NOT EXISTS (SELECT 1 FROM retention_done d WHERE d.kind = ${kind} AND d.record_id = (${idSql})::text)`;
/** Whether an open legal hold keeps a record. */
export const held = (kind: string, idSql: ReturnType<typeof sql>) =>
  sql<boolean>`EXISTS (SELECT 1 FROM legal_holds h WHERE h.kind = ${kind} AND h.record_id = (${idSql})::text AND h.released_at IS NULL)`;

export const ERASED = 'Removed under the retention schedule';

/** Records a record as dealt with, so no later run picks it again. */
export async function done(trx: Executor, kind: string, id: number | string, action: 'erase' | 'anonymise') {
  await trx
    .insertInto('retention_done')
    .values({ kind, record_id: String(id), action })
    .onConflict((oc) => oc.columns(['kind', 'record_id']).doNothing())
    .execute();
}
