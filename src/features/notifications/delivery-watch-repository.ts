import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { lockdownOver } from './dispatch-repository.ts';

/**
 * Alarm escalation and operations incidents, as the notification workers drive them (SQL kept here
 * so the workers stay free of it).
 */
export function buildDeliveryWatchRepository(db: Kysely<DB>) {
  return {
    /**
     * Fires the next step of an open alert early when nobody at its current step has been reached by
     * any external channel for `seconds` (every message of the step has gone round every external
     * channel and failed, none accepted): the pending step's timer is moved to now, and the
     * timeline says why. Returns the alerts escalated.
     */
    async escalateUnreached(seconds: number): Promise<string[]> {
      const { rows } = await sql<{ alert_id: string }>`
        WITH candidates AS (
          -- Few rows, by the partial index: alerts with someone not reached at all.
          SELECT DISTINCT alert_id FROM notifications WHERE unreached_since IS NOT NULL AND accepted_at IS NULL
        ), stuck AS (
          SELECT n.alert_id, n.step
            FROM candidates c JOIN alerts a ON a.id = c.alert_id AND a.status = 'open'
            JOIN notifications n ON n.alert_id = a.id AND n.step = a.next_step - 1
           WHERE n.status <> 'scheduled'
           GROUP BY n.alert_id, n.step
          HAVING bool_and(n.accepted_at IS NULL)
             AND bool_and(n.lane IS NOT NULL OR coalesce(n.unreached_since <= now() - make_interval(secs => ${seconds}), false))
        ), moved AS (
          UPDATE timers t SET fire_at = now()
            FROM stuck s
           WHERE t.kind = 'alert_step' AND t.subject_id = s.alert_id AND t.seq = s.step + 1 AND t.status = 'pending' AND t.fire_at > now()
          RETURNING t.subject_id AS alert_id, t.seq
        ), tl AS (
          INSERT INTO timeline_events (alert_id, visit_id, type, text)
          SELECT m.alert_id, a.visit_id, 'escalation',
                 'Nobody at step ' || m.seq || ' was reached by text message or email for ' || ${seconds}::int || ' seconds: step ' || (m.seq + 1) || ' fires now'
            FROM moved m JOIN alerts a ON a.id = m.alert_id
        )
        SELECT alert_id::text AS alert_id FROM moved`.execute(db);
      return rows.map((r) => r.alert_id);
    },

    /**
     * Alarm messages still going round their channels after their alert was acknowledged or
     * resolved: no more tries. Returns how many stopped.
     */
    async stopClosedAlarms(now: Date): Promise<number> {
      const r = await sql`
        UPDATE notifications n SET status = 'failed', claimed_by = NULL, next_attempt_at = ${now}, last_error = 'Stopped trying: the alert was dealt with'
         WHERE n.cycles > 0 AND n.status = 'pending' AND n.unreached_since IS NOT NULL AND n.accepted_at IS NULL
           AND (EXISTS (SELECT 1 FROM alerts a WHERE a.id = n.alert_id AND a.status <> 'open') OR EXISTS (${lockdownOver(sql`n`)}))`.execute(
        db,
      );
      return Number(r.numAffectedRows ?? 0);
    },

    /** Opens an incident of this kind unless one is open; returns its id if this call opened it. */
    async openIncident(kind: string, detail: string): Promise<string | null> {
      const { rows } = await sql<{ id: string }>`
        INSERT INTO ops_incidents (kind, detail) VALUES (${kind}, ${detail}) ON CONFLICT DO NOTHING RETURNING id::text AS id`.execute(
        db,
      );
      return rows[0]?.id ?? null;
    },

    /** Open incidents nobody has been told about yet (the earlier telling failed). */
    untold: () =>
      db
        .selectFrom('ops_incidents')
        .select(['id', 'kind', 'detail'])
        .where('closed_at', 'is', null)
        .where('told_at', 'is', null)
        .execute(),

    async markTold(id: string, by: string, at: Date): Promise<void> {
      await db.updateTable('ops_incidents').set({ told_at: at, told_by: by }).where('id', '=', id).execute();
    },

    /** Closes the open incidents of these kinds (their condition has cleared). */
    async closeIncidents(kinds: string[], at: Date): Promise<void> {
      if (kinds.length)
        await db
          .updateTable('ops_incidents')
          .set({ closed_at: at })
          .where('kind', 'in', kinds)
          .where('closed_at', 'is', null)
          .execute();
    },

    openKinds: async () =>
      (await db.selectFrom('ops_incidents').select('kind').where('closed_at', 'is', null).execute()).map((r) => r.kind),
  };
}
