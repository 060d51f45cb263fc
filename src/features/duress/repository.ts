import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { inTransaction } from '../../db/transaction.ts';
import { buildAlarmRepository } from './alarm-repository.ts';
import { buildCallRepository } from './call-repository.ts';
import { buildMajorIncidentRepository } from './major-incident-repository.ts';

type Trx = Transaction<DB>;

/**
 * Every statement of the duress feature: the silent alarm, the Purple File call and major
 * incidents (each in its own file), and what they share (messages, the alert timeline, transactions).
 */
export function buildDuressRepository(db: Kysely<DB>) {
  return {
    ...buildAlarmRepository(db),
    ...buildCallRepository(db),
    ...buildMajorIncidentRepository(db),

    /** A transaction, retried on a deadlock or serialisation conflict. */
    transaction: <T>(fn: (trx: Trx) => Promise<T>) => inTransaction(db, fn),
    /** A plain transaction, without inTransaction's retries (as the call-back poller has always run). */
    transactionOnce: <T>(fn: (trx: Trx) => Promise<T>) => db.transaction().execute(fn),

    /** Queues one message to one person. */
    async insertNotification(
      trx: Trx,
      n: { recipientId: number; channel: string; fallbacks: string[]; subject: string; body: string; link: string },
    ) {
      await sql`INSERT INTO notifications (recipient_id, channel, fallbacks, subject, body, link)
        VALUES (${n.recipientId}, ${n.channel}, ${n.fallbacks}::text[], ${n.subject}, ${n.body}, ${n.link})`.execute(
        trx,
      );
    },

    /** Who holds a role in the worker's chain (the database's harbour_recipients). */
    async recipients(trx: Trx, workerId: number, target: string): Promise<number[]> {
      const { rows } = await sql<{
        id: number;
      }>`SELECT r.id FROM harbour_recipients(${workerId}, ${target}) r(id)`.execute(trx);
      return rows.map((r) => r.id);
    },

    async addTimelineEvent(trx: Trx, event: Insertable<DB['timeline_events']>) {
      await trx.insertInto('timeline_events').values(event).execute();
    },
  };
}

export type DuressRepository = ReturnType<typeof buildDuressRepository>;
