import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Executor } from '../audit/repository.ts';
import type { HoldableKind } from './rules.ts';

/** Legal holds: placing and releasing them, and checking the record a hold names exists. */
export function buildRetentionHoldsRepository(db: Kysely<DB>) {
  return {
    openHolds() {
      return db
        .selectFrom('legal_holds')
        .selectAll()
        .where('released_at', 'is', null)
        .orderBy('placed_at', 'desc')
        .execute();
    },
    hold(id: number) {
      return db.selectFrom('legal_holds').selectAll().where('id', '=', id).executeTakeFirst();
    },
    async placeHold(
      trx: Executor,
      h: { kind: HoldableKind; recordId: string; reason: string; by: number | null; byName: string },
    ) {
      const row = await trx
        .insertInto('legal_holds')
        .values({ kind: h.kind, record_id: h.recordId, reason: h.reason, placed_by: h.by, placed_by_name: h.byName })
        .onConflict((oc) => oc.columns(['kind', 'record_id']).where('released_at', 'is', null).doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id ?? null;
    },
    async releaseHold(trx: Executor, id: number, by: number | null, reason: string) {
      const r = await trx
        .updateTable('legal_holds')
        .set({ released_at: sql<Date>`now()`, released_by: by, release_reason: reason })
        .where('id', '=', id)
        .where('released_at', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Whether the record a hold names exists (a hold on nothing is a typing mistake). */
    async recordExists(kind: HoldableKind, recordId: string): Promise<boolean> {
      const n = Number(recordId);
      if (kind === 'register_entry') {
        const [prefix, id] = recordId.split(':');
        if (!id || !/^\d+$/.test(id)) return false;
        if (prefix === 'gift')
          return !!(await db.selectFrom('gift_entries').select('id').where('id', '=', Number(id)).executeTakeFirst());
        if (prefix === 'declaration')
          return !!(await db
            .selectFrom('interest_declarations')
            .select('id')
            .where('id', '=', Number(id))
            .executeTakeFirst());
        return false;
      }
      if (!/^\d+$/.test(recordId) || n > 2_147_483_647) return false;
      const table = (
        {
          session: 'visits',
          incident: 'incidents',
          complaint: 'complaints',
          warning_flag: 'warning_flags',
          foi_request: 'foi_requests',
        } as const
      )[kind as 'session'];
      if (kind === 'emergency_pack')
        return !!(await db
          .selectFrom('emergency_packs')
          .select('staff_id')
          .where('staff_id', '=', n)
          .executeTakeFirst());
      return !!(await db.selectFrom(table).select('id').where('id', '=', n).executeTakeFirst());
    },
  };
}
