import { sql, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { DEFAULT_RETENTION } from '../../features/retention/rules.ts';
import { addDays } from './shared.ts';

/**
 * A year of finished visits for everyone who visits families (about three a week each), each with its
 * arrival check-in and "visit over, safe", written by two INSERT … SELECT statements. Pseudo-random
 * but deterministic: every choice hashes the worker and the day.
 */
export async function visitHistory(trx: Transaction<DB>, today: string) {
  const from = addDays(today, -365);
  const to = addDays(today, -1);
  const { rows } = await sql<{ n: number }>`
    WITH days AS (
      SELECT d::date AS day FROM generate_series(${from}::date, ${to}::date, interval '1 day') d WHERE extract(isodow FROM d) < 6
    ), slots AS (
      SELECT s.id AS worker_id, days.day, slot, abs(hashtext(s.id || ':' || days.day || ':' || slot)) AS h
      FROM staff s CROSS JOIN days CROSS JOIN generate_series(0, 1) slot
      WHERE s.job_role IN ('social_worker', 'senior_practitioner', 'family_support_worker', 'youth_worker')
    ), made AS (
      INSERT INTO visits (worker_id, kind, starts_at, ends_at, address, postcode, case_system, case_id, description, risk_rating, state,
                          arrived_at, due_at, ended_at, last_check_in_at, source, created_by, created_at, updated_at)
      SELECT worker_id, 'visit', st, st + dur, (10 + h % 90) || ' ' || (ARRAY['Park Road', 'Mill Lane', 'Station Road', 'Church Street', 'The Avenue'])[1 + h % 5],
             (ARRAY['TN23 4', 'ME10 3', 'CT1 2', 'CT16 1', 'ME12 2'])[1 + (h / 7) % 5] || (ARRAY['AB', 'DE', 'FG', 'HJ'])[1 + (h / 11) % 4],
             'liberi', 'DEMO' || (1000 + h % 400), 'Home visit', (ARRAY['GREEN', 'GREEN', 'GREEN', 'AMBER', 'AMBER', 'RED'])[1 + (h / 13) % 6], 'completed',
             st + interval '3 minutes', NULL, st + dur - make_interval(mins => h % 20), st + dur - make_interval(mins => h % 20), 'manual', NULL,
             st - interval '2 days', st + dur
      FROM (SELECT worker_id, h, ((day + time '09:30' + slot * interval '3 hours' + make_interval(mins => (h % 4) * 15)) AT TIME ZONE 'Europe/London') AS st,
                   make_interval(mins => 45 + (h % 4) * 15) AS dur
            FROM slots WHERE h % 10 < 3) v
      RETURNING id, worker_id, arrived_at, ended_at
    ), arrived AS (
      INSERT INTO timeline_events (visit_id, at, type, actor_id, text) SELECT id, arrived_at, 'arrived', worker_id, 'Arrived' FROM made RETURNING 1
    ), ended AS (
      INSERT INTO timeline_events (visit_id, at, type, actor_id, text) SELECT id, ended_at, 'ended', worker_id, 'Visit over, safe' FROM made RETURNING 1
    )
    SELECT (SELECT count(*) FROM made)::int AS n, (SELECT count(*) FROM arrived) + (SELECT count(*) FROM ended) AS events`.execute(
    trx,
  );
  // A year of nightly retention runs has already seen the sessions older than the location period
  // (they hold no coordinates), so the first run after start-up is not a year's backlog.
  await sql`INSERT INTO retention_done (kind, record_id, action, done_at)
    SELECT 'session', id::text, 'anonymise', ended_at + make_interval(days => ${DEFAULT_RETENTION.locationDays + 1}) FROM visits
    WHERE ended_at < now() - make_interval(days => ${DEFAULT_RETENTION.locationDays})`.execute(trx);
  return Number(rows[0]!.n);
}
