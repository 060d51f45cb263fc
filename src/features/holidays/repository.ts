import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

export function buildHolidaysRepository(db: Kysely<DB>) {
  return {
    async latest() {
      return db
        .selectFrom('bank_holiday_updates')
        .select(['id', 'loaded_at'])
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },
    async content(id: number): Promise<unknown> {
      return (
        await db.selectFrom('bank_holiday_updates').select('content').where('id', '=', id).executeTakeFirstOrThrow()
      ).content;
    },
    async insert(trx: Transaction<DB>, loadedBy: string, content: unknown): Promise<number> {
      return (
        await trx
          .insertInto('bank_holiday_updates')
          .values({ loaded_by: loadedBy, content: JSON.stringify(content) })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    },
  };
}
