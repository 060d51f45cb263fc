import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

type Trx = Transaction<DB>;

/** SQL for day confirmations: a worker's working day, its finishing time and their "Finished and safe". */
export function buildDayRepository(db: Kysely<DB>) {
  return {
    /** Records (or moves later) the finish of a worker's day; returns it and whether the day is already confirmed. */
    arm(trx: Trx, workerId: number, workDate: string, finish: Date) {
      return trx
        .insertInto('day_confirmations')
        .values({ worker_id: workerId, work_date: workDate, finish_at: finish })
        .onConflict((oc) =>
          oc.columns(['worker_id', 'work_date']).doUpdateSet((eb) => ({
            finish_at: eb.fn('greatest', ['day_confirmations.finish_at', eb.ref('excluded.finish_at')]),
          })),
        )
        .returning(['finish_at', 'confirmed_at'])
        .executeTakeFirstOrThrow();
    },
    /** Whether a worker's day is still open (not confirmed). */
    async isOpen(trx: Trx, workerId: number, workDate: string) {
      return (
        (await trx
          .selectFrom('day_confirmations')
          .select('work_date')
          .where('worker_id', '=', workerId)
          .where('work_date', '=', workDate)
          .where('confirmed_at', 'is', null)
          .executeTakeFirst()) !== undefined
      );
    },
    /** "Finished and safe": the day is confirmed now. */
    async confirm(trx: Trx, workerId: number, workDate: string) {
      await trx
        .insertInto('day_confirmations')
        .values({ worker_id: workerId, work_date: workDate, finish_at: new Date(), confirmed_at: new Date() })
        .onConflict((oc) => oc.columns(['worker_id', 'work_date']).doUpdateSet({ confirmed_at: new Date() }))
        .execute();
    },
    async get(workerId: number, workDate: string) {
      return (
        (await db
          .selectFrom('day_confirmations')
          .selectAll()
          .where('worker_id', '=', workerId)
          .where('work_date', '=', workDate)
          .executeTakeFirst()) ?? null
      );
    },
    /** Who has confirmed a day, latest first: everyone, or these workers. */
    confirmedOn(workDate: string, workerIds: number[] | 'all') {
      let finished = db
        .selectFrom('day_confirmations as d')
        .innerJoin('staff as s', 's.id', 'd.worker_id')
        .select(['d.worker_id', 'd.confirmed_at', 's.given_name', 's.family_name'])
        .where('d.work_date', '=', workDate)
        .where('d.confirmed_at', 'is not', null);
      if (workerIds !== 'all')
        finished = workerIds.length
          ? finished.where('d.worker_id', 'in', workerIds)
          : finished.where(sql<boolean>`false`);
      return finished.orderBy('d.confirmed_at', 'desc').execute();
    },
  };
}

export type DayRepository = ReturnType<typeof buildDayRepository>;
