import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';

/** Who a Purple File responder covers: the facts the coverage SQL needs. */
export interface CallCoverage {
  me: number;
  reports: number[];
  supportTeam: number | null;
  duty: boolean;
}

/** The break-glass rule as SQL over a staff alias, for lists: who this responder covers. */
function covered(c: CallCoverage, alias: 's' | 'w') {
  const { me, reports, supportTeam, duty } = c;
  return sql<boolean>`(${sql.ref(`${alias}.id`)} <> ${me} AND (${duty}::boolean OR ${sql.ref(`${alias}.buddy_id`)} = ${me}
      OR ${sql.ref(`${alias}.id`)} = ANY(${reports}::int[]) OR (${supportTeam}::int IS NOT NULL AND ${sql.ref(`${alias}.team_id`)} = ${supportTeam}::int)))`;
}

/** The Purple File screen's lists: whom the responder covers, their open calls, and a chosen worker's visit and duress alert. */
export function buildCallScreenRepository(db: Kysely<DB>) {
  return {
    /**
     * Worker list for the Purple File screen: only the people the responder covers, those with an
     * open alarm first, then people with an open session, then the rest.
     */
    async candidates(coverage: CallCoverage, start: Date, end: Date, like: string | null) {
      const { rows } = await sql<{
        id: number;
        given_name: string;
        family_name: string;
        team_name: string | null;
        visit_id: number | null;
        state: string | null;
        address: string | null;
        postcode: string | null;
        due_at: Date | null;
        calendar_address: string | null;
        calendar_postcode: string | null;
        calendar_starts_at: Date | null;
        last_check_in_at: Date | null;
        alarm_kind: string | null;
        alarm_since: Date | null;
      }>`
        SELECT s.id, s.given_name, s.family_name, t.name AS team_name,
               v.id AS visit_id, v.state, v.address, v.postcode, v.due_at,
               c.address AS calendar_address, c.postcode AS calendar_postcode, c.starts_at AS calendar_starts_at,
               greatest((SELECT max(x.last_check_in_at) FROM visits x WHERE x.worker_id = s.id AND x.last_check_in_at >= ${start}),
                 (SELECT max(e.at) FROM timeline_events e JOIN visits x ON x.id = e.visit_id
                  WHERE x.worker_id = s.id AND e.type = 'check_in' AND e.at >= ${start})) AS last_check_in_at,
               al.kind AS alarm_kind, al.opened_at AS alarm_since
        FROM staff s
        LEFT JOIN teams t ON t.id = s.team_id
        LEFT JOIN LATERAL (SELECT * FROM visits v WHERE v.worker_id = s.id AND v.state IN ('in_progress', 'overdue') ORDER BY v.arrived_at DESC NULLS LAST LIMIT 1) v ON true
        LEFT JOIN LATERAL (SELECT * FROM visits c WHERE c.worker_id = s.id AND c.state = 'planned' AND c.starts_at >= ${start} AND c.starts_at < ${end}
                           ORDER BY abs(extract(epoch FROM c.starts_at - now())) LIMIT 1) c ON true
        LEFT JOIN LATERAL (SELECT a.kind, a.opened_at FROM alerts a WHERE a.worker_id = s.id AND a.status <> 'resolved'
                           ORDER BY (a.kind = 'duress') DESC, a.opened_at LIMIT 1) al ON true
        WHERE s.active AND (${like}::text IS NULL OR (s.given_name || ' ' || s.family_name) ILIKE ${like})
          AND EXISTS (SELECT 1 FROM accounts a WHERE a.staff_id = s.id)
          AND ${covered(coverage, 's')}
        ORDER BY (al.kind IS NULL), (v.id IS NULL), v.due_at NULLS LAST, s.family_name, s.given_name
        LIMIT 300`.execute(db);
      return rows;
    },

    /** Open calls the responder took or whose worker they cover. */
    async openCalls(coverage: CallCoverage) {
      return db
        .selectFrom('purple_file_calls as c')
        .innerJoin('staff as w', 'w.id', 'c.worker_id')
        .select(['c.id', 'c.started_at', sql<string>`w.given_name || ' ' || w.family_name`.as('worker_name')])
        .where('c.status', '=', 'open')
        .where((eb) => eb.or([eb('c.responder_id', '=', coverage.me), covered(coverage, 'w')]))
        .orderBy('c.started_at', 'desc')
        .limit(50)
        .execute();
    },

    async runningVisit(workerId: number) {
      return db
        .selectFrom('visits')
        .select(['id', 'address', 'postcode'])
        .where('worker_id', '=', workerId)
        .where('state', 'in', ['in_progress', 'overdue'])
        .orderBy('arrived_at', 'desc')
        .executeTakeFirst();
    },

    /** Today's planned visit nearest now. */
    async plannedVisit(workerId: number, start: Date, end: Date) {
      return db
        .selectFrom('visits')
        .select(['id', 'address', 'postcode'])
        .where('worker_id', '=', workerId)
        .where('state', '=', 'planned')
        .where('starts_at', '>=', start)
        .where('starts_at', '<', end)
        .orderBy(sql`abs(extract(epoch FROM starts_at - now()))`)
        .executeTakeFirst();
    },

    async openDuressAlertOf(workerId: number) {
      return db
        .selectFrom('alerts')
        .select('id')
        .where('worker_id', '=', workerId)
        .where('kind', '=', 'duress')
        .where('status', '<>', 'resolved')
        .orderBy('opened_at', 'desc')
        .executeTakeFirst();
    },
  };
}
