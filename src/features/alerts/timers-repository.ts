import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';

type Trx = Transaction<DB>;

/** The timers repository: SQL for the durable timers (arm, move, cancel, lock). Callers lock the rows first (see lockForSession). */
export const timers = {
  /** Arms a timer, or moves it if it is still pending. A fired or cancelled one is left alone. */
  async arm(
    trx: Trx,
    kind: 'visit_due' | 'alert_step' | 'end_of_day',
    subjectId: number | string | bigint,
    seq: number,
    fireAt: Date,
  ) {
    await sql`
      INSERT INTO timers (kind, subject_id, seq, fire_at) VALUES (${kind}, ${String(subjectId)}::bigint, ${seq}, ${fireAt})
      ON CONFLICT (kind, subject_id, seq) DO UPDATE SET fire_at = EXCLUDED.fire_at WHERE timers.status = 'pending'`.execute(
      trx,
    );
  },
  async cancel(trx: Trx, kind: 'visit_due' | 'alert_step' | 'end_of_day', subjectId: number | string | bigint) {
    await sql`UPDATE timers SET status = 'cancelled' WHERE kind = ${kind} AND subject_id = ${String(subjectId)}::bigint AND status = 'pending'`.execute(
      trx,
    );
  },
  async pending(trx: Trx, kind: 'visit_due' | 'alert_step' | 'end_of_day', subjectId: number | string | bigint) {
    const { rows } = await sql<{ id: string; seq: number; fire_at: Date }>`
      SELECT id, seq, fire_at FROM timers WHERE kind = ${kind} AND subject_id = ${String(subjectId)}::bigint AND status = 'pending'
      ORDER BY seq FOR UPDATE`.execute(trx);
    return rows;
  },
  /** Locks a visit's pending deadline (closing its alert: the timers first, as every writer does). */
  async lockVisitDue(trx: Trx, visitId: number) {
    await sql`SELECT id FROM timers WHERE status = 'pending' AND kind = 'visit_due' AND subject_id = ${visitId} FOR UPDATE`.execute(
      trx,
    );
  },
  async markFired(trx: Trx, id: string) {
    await sql`UPDATE timers SET status = 'fired', fired_at = now() WHERE id = ${id}::bigint`.execute(trx);
  },
  /** Postpones pending steps of an alert until `until` (acknowledged: "I'm handling it"). */
  async postpone(trx: Trx, alertId: string, until: Date) {
    await sql`UPDATE timers SET fire_at = GREATEST(fire_at, ${until}) WHERE kind = 'alert_step' AND subject_id = ${alertId}::bigint AND status = 'pending'`.execute(
      trx,
    );
  },
};
