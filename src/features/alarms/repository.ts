import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

export interface OpenAlarm {
  id: string;
  kind: 'overdue' | 'duress' | 'end_of_day';
  status: string;
  opened_at: Date;
  worker_id: number;
  worker_name: string;
  address: string | null;
  postcode: string | null;
}
export interface OpenLockdown {
  id: number;
  building: string;
  location: string;
  started_at: Date;
}

/** Who covers a worker, from the responder's side: the facts the alarm bar's query needs. */
export interface Coverage {
  staffId: number;
  /** Everyone below the responder in the management line. */
  reportIds: number[];
  /** Business support: their own team. */
  supportTeamId: number | null;
  /** Duty officer: every worker. */
  dutyOfficer: boolean;
}

export function buildAlarmsRepository(db: Kysely<DB>) {
  return {
    /**
     * Open alerts the responder must see: sent to them at any step, or about a worker they cover
     * (buddy, management line, their team's business support; a duty officer covers everyone).
     * Never one about themselves. Silent alarms first, then newest.
     */
    async openAlarms(c: Coverage): Promise<OpenAlarm[]> {
      const { rows } = await sql<OpenAlarm>`
        SELECT a.id::text AS id, a.kind, a.status, a.opened_at, a.worker_id, w.given_name || ' ' || w.family_name AS worker_name,
               COALESCE(v.address, d.address) AS address, v.postcode
        FROM alerts a
        JOIN staff w ON w.id = a.worker_id
        LEFT JOIN visits v ON v.id = a.visit_id
        LEFT JOIN duress_alarms d ON d.alert_id = a.id
        WHERE a.status <> 'resolved' AND a.worker_id <> ${c.staffId}
          AND (${c.dutyOfficer}::boolean
            OR w.buddy_id = ${c.staffId}
            OR w.id = ANY(${c.reportIds}::int[])
            OR (${c.supportTeamId}::int IS NOT NULL AND w.team_id = ${c.supportTeamId}::int)
            OR EXISTS (SELECT 1 FROM notifications n WHERE n.alert_id = a.id AND n.recipient_id = ${c.staffId} AND n.status <> 'scheduled'))
        ORDER BY (a.kind = 'duress') DESC, a.opened_at DESC
        LIMIT 50`.execute(db);
      return rows;
    },

    /** Lockdowns still running that alerted this person (checked in at the building, or based there). */
    openLockdowns: (staffId: number): Promise<OpenLockdown[]> =>
      db
        .selectFrom('lockdowns as l')
        .innerJoin('buildings as b', 'b.id', 'l.building_id')
        .innerJoin('lockdown_recipients as r', (j) =>
          j.onRef('r.lockdown_id', '=', 'l.id').on('r.staff_id', '=', staffId),
        )
        .select(['l.id', 'b.name as building', 'l.location', 'l.started_at'])
        .where('l.ended_at', 'is', null)
        .orderBy('l.started_at', 'desc')
        .limit(10)
        .execute(),

    /**
     * A cheap fingerprint of everything the bar shows, read once per poll for all open streams:
     * alerts opened, acknowledged or closed, messages queued, recipients not reached by any external
     * channel (the partial index notifications_unreached), lockdowns started or ended.
     */
    async version(): Promise<string> {
      const { rows } = await sql<{ v: string }>`
        SELECT concat_ws(':',
          (SELECT max(id) FROM alerts), (SELECT count(*) FROM alerts WHERE status = 'open'), (SELECT count(*) FROM alerts WHERE status = 'acknowledged'),
          (SELECT max(id) FROM notifications), (SELECT count(*) FROM notifications WHERE unreached_since IS NOT NULL AND accepted_at IS NULL),
          (SELECT max(id) FROM lockdowns), (SELECT count(*) FROM lockdowns WHERE ended_at IS NULL)) AS v`.execute(db);
      return rows[0]?.v ?? '';
    },

    /**
     * A fingerprint of this person's own pages: their newest message (the inbox), and their own
     * visits of the last day (state, deadline, timeline). Events of a silent alarm about them are
     * left out, as their timeline leaves them out: nothing on their screen moves because of one.
     */
    async mine(staffId: number): Promise<string> {
      const { rows } = await sql<{ v: string }>`
        SELECT concat_ws(':',
          (SELECT max(id) FROM notifications WHERE recipient_id = ${staffId} AND status <> 'scheduled' AND lane IS NULL),
          (SELECT max(updated_at)::text FROM visits WHERE worker_id = ${staffId} AND starts_at > now() - interval '1 day'),
          (SELECT max(e.id) FROM visits v JOIN timeline_events e ON e.visit_id = v.id
            WHERE v.worker_id = ${staffId} AND v.starts_at > now() - interval '1 day'
              AND NOT EXISTS (SELECT 1 FROM alerts da WHERE da.id = e.alert_id AND da.kind = 'duress'))) AS v`.execute(
        db,
      );
      return rows[0]?.v ?? '';
    },
  };
}

export type AlarmsRepository = ReturnType<typeof buildAlarmsRepository>;
