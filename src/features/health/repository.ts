import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

/** What /health and /metrics read about the engine and the dispatcher, in one short query. */
export interface LagProbe {
  /** Age in seconds of the oldest due timer that has not fired (0 when none). */
  oldestDueTimerSeconds: number;
  timersDue: number;
  /** Age of the oldest message due to be handed to a channel and not yet taken (0 when none). */
  oldestDueMessageSeconds: number;
  /** Age of the oldest alarm message not yet accepted by an external provider, while its alert is open. */
  oldestUnacceptedAlarmSeconds: number;
  /** Messages waiting (pending or being sent), by channel. */
  queued: Record<string, number>;
  /** Recipients of open alerts whom no external channel has reached after trying them all. */
  unreachedRecipients: number;
  /** The last pass of each loop by any instance, and by each. */
  loops: { loop: string; instance: string; at: Date }[];
}

export function buildHealthRepository(db: Kysely<DB>) {
  return {
    /** Records a successful pass of `loop` by `instance`. */
    async beat(instance: string, loop: string, at: Date): Promise<void> {
      await db
        .insertInto('heartbeats')
        .values({ instance, loop, at })
        .onConflict((oc) => oc.columns(['instance', 'loop']).doUpdateSet({ at }))
        .execute();
    },

    /**
     * Reads the lag figures in a transaction whose statements give up after `timeoutMs` (statement
     * and lock timeouts), so a lock held on `timers` makes the probe fail fast instead of hanging.
     */
    async probe(timeoutMs: number): Promise<LagProbe> {
      return db.transaction().execute(async (trx) => {
        await sql.raw(`SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`).execute(trx);
        await sql.raw(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(timeoutMs / 2))}`).execute(trx);
        const { rows } = await sql<{
          timer_lag: number | null;
          timers_due: number;
          message_lag: number | null;
          alarm_lag: number | null;
          unreached: number;
          queued: Record<string, number> | null;
        }>`
          SELECT
            (SELECT extract(epoch FROM now() - min(fire_at))::float8 FROM timers WHERE status = 'pending' AND fire_at <= now()) AS timer_lag,
            (SELECT count(*)::int FROM timers WHERE status = 'pending' AND fire_at <= now()) AS timers_due,
            (SELECT extract(epoch FROM now() - min(next_attempt_at))::float8 FROM notifications
              WHERE status IN ('pending', 'sending') AND next_attempt_at <= now()) AS message_lag,
            (SELECT extract(epoch FROM now() - min(coalesce(n.due_at, n.created_at)))::float8 FROM notifications n JOIN alerts a ON a.id = n.alert_id
              WHERE a.status = 'open' AND n.status IN ('pending', 'sending') AND n.channel <> 'inbox' AND n.accepted_at IS NULL) AS alarm_lag,
            (SELECT count(*)::int FROM (SELECT DISTINCT n.alert_id, n.recipient_id FROM notifications n JOIN alerts a ON a.id = n.alert_id
              WHERE n.unreached_since IS NOT NULL AND n.accepted_at IS NULL AND a.status <> 'resolved'
                AND NOT EXISTS (SELECT 1 FROM notifications o WHERE o.alert_id = n.alert_id AND o.recipient_id = n.recipient_id AND o.accepted_at IS NOT NULL)) u) AS unreached,
            (SELECT jsonb_object_agg(channel, c) FROM (SELECT channel, count(*)::int AS c FROM notifications WHERE status IN ('pending', 'sending') GROUP BY channel) q) AS queued`.execute(
          trx,
        );
        const loops = await trx
          .selectFrom('heartbeats')
          .select(['loop', 'instance', 'at'])
          .where('at', '>', sql<Date>`now() - interval '1 day'`)
          .orderBy('loop')
          .orderBy('at', 'desc')
          .execute();
        const r = rows[0]!;
        return {
          oldestDueTimerSeconds: Math.max(0, Number(r.timer_lag ?? 0)),
          timersDue: Number(r.timers_due),
          oldestDueMessageSeconds: Math.max(0, Number(r.message_lag ?? 0)),
          oldestUnacceptedAlarmSeconds: Math.max(0, Number(r.alarm_lag ?? 0)),
          queued: r.queued ?? {},
          unreachedRecipients: Number(r.unreached),
          loops: loops.map((l) => ({ loop: l.loop, instance: l.instance, at: new Date(l.at) })),
        };
      });
    },
  };
}

export type HealthRepository = ReturnType<typeof buildHealthRepository>;
