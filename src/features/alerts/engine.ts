import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { DEFAULT_POLICIES } from './policy.ts';
import type { ChannelName } from '../notifications/routing.ts';

type Trx = Transaction<DB>;

export interface EngineDeps {
  db: Kysely<DB>;
  /** Names this process in alert_steps_fired, to show which instance fired a step. */
  instanceId: string;
  plan: { channel: ChannelName; fallbacks: ChannelName[] };
  baseUrl: string;
}

export interface TickResult { claimed: number; alertsOpened: number; stepsFired: number; more: boolean }

/**
 * The escalation engine. Deadlines are rows in `timers`; a tick claims the due ones with
 * FOR UPDATE SKIP LOCKED, does everything they cause (open alerts, fire steps, queue messages,
 * arm the next step) and marks them fired, all in one transaction. So:
 * - a crash before commit loses nothing: the claim rolls back and the next tick (here or in another
 *   instance) takes the rows again;
 * - a step can never fire twice: alert_steps_fired has (alert_id, step) as its primary key, and
 *   notifications are unique per (alert, step, recipient);
 * - several instances share the work without double-firing, because claimed rows are locked.
 * The work is set-based (a few statements per batch, whatever its size) so a burst of thousands of
 * deadlines is handled in seconds, not minutes.
 */
export function buildEscalationEngine(deps: EngineDeps) {
  const { db } = deps;

  async function tick(limit = 2000): Promise<TickResult> {
    return db.transaction().execute(async (trx) => {
      const { rows: claimed } = await sql<{ id: string; kind: string; subject_id: string; seq: number }>`
        SELECT id, kind, subject_id, seq FROM timers
        WHERE status = 'pending' AND fire_at <= now()
        ORDER BY fire_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`.execute(trx);
      if (claimed.length === 0) return { claimed: 0, alertsOpened: 0, stepsFired: 0, more: false };
      await sql`UPDATE timers SET status = 'fired', fired_at = now() WHERE id = ANY(${claimed.map((c) => c.id)}::bigint[])`.execute(trx);

      const visitIds = claimed.filter((c) => c.kind === 'visit_due').map((c) => Number(c.subject_id));
      const dayIds = claimed.filter((c) => c.kind === 'end_of_day').map((c) => c.subject_id);
      const opened = [...(await openOverdueAlerts(trx, visitIds)), ...(await openEndOfDayAlerts(trx, dayIds))];
      const steps = claimed.filter((c) => c.kind === 'alert_step').map((c) => ({ alertId: c.subject_id, step: c.seq }));
      const fired = await fireSteps(trx, [...opened.map((a) => ({ alertId: a, step: 0 })), ...steps]);
      return { claimed: claimed.length, alertsOpened: opened.length, stepsFired: fired, more: claimed.length === limit };
    });
  }

  /** Visits still in progress whose deadline has passed become overdue alerts. */
  async function openOverdueAlerts(trx: Trx, visitIds: number[]): Promise<string[]> {
    if (visitIds.length === 0) return [];
    const { rows } = await sql<{ id: string }>`
      WITH v AS (
        UPDATE visits SET state = 'overdue', updated_at = now()
        WHERE id = ANY(${visitIds}::int[]) AND state = 'in_progress' AND due_at <= now()
        RETURNING id, worker_id, due_at
      ), a AS (
        INSERT INTO alerts (visit_id, worker_id, kind, policy, deadline_at)
        SELECT v.id, v.worker_id, 'overdue', COALESCE(p.steps, ${JSON.stringify(DEFAULT_POLICIES.overdue)}::jsonb), v.due_at
        FROM v JOIN staff s ON s.id = v.worker_id
        LEFT JOIN escalation_policies p ON p.team_id = s.team_id AND p.kind = 'overdue'
        ON CONFLICT DO NOTHING
        RETURNING id, visit_id, worker_id
      ), t AS (
        INSERT INTO timeline_events (visit_id, alert_id, type, text)
        SELECT a.visit_id, a.id, 'overdue', 'No check-in by the deadline: alert raised'
        FROM a
      )
      SELECT id::text AS id FROM a`.execute(trx);
    return rows.map((r) => r.id);
  }

  /** Workers who have not said "Finished and safe" by their finishing time. */
  async function openEndOfDayAlerts(trx: Trx, dayKeys: string[]): Promise<string[]> {
    if (dayKeys.length === 0) return [];
    // subject_id for end_of_day timers is worker_id * 100000 + days since 2000-01-01 (see dayTimerSubject).
    const { rows } = await sql<{ id: string }>`
      WITH d AS (
        SELECT dc.worker_id, dc.work_date, dc.finish_at FROM day_confirmations dc
        WHERE (dc.worker_id::bigint * 100000 + (dc.work_date - DATE '2000-01-01')) = ANY(${dayKeys}::bigint[])
          AND dc.confirmed_at IS NULL
      ), a AS (
        INSERT INTO alerts (worker_id, work_date, kind, policy, deadline_at)
        SELECT d.worker_id, d.work_date, 'end_of_day', COALESCE(p.steps, ${JSON.stringify(DEFAULT_POLICIES.end_of_day)}::jsonb), d.finish_at
        FROM d JOIN staff s ON s.id = d.worker_id
        LEFT JOIN escalation_policies p ON p.team_id = s.team_id AND p.kind = 'end_of_day'
        ON CONFLICT DO NOTHING
        RETURNING id
      ), t AS (
        INSERT INTO timeline_events (alert_id, type, text)
        SELECT a.id, 'end_of_day', 'No "finished and safe" by the end of the working day' FROM a
      )
      SELECT id::text AS id FROM a`.execute(trx);
    return rows.map((r) => r.id);
  }

  /**
   * Fires escalation steps: records each (alert, step) once, queues a message for every person the
   * step targets, writes the timeline, and arms the next step's timer. Steps of resolved alerts,
   * and steps that already fired, are skipped. Returns how many steps fired.
   */
  async function fireSteps(trx: Trx, steps: { alertId: string; step: number }[]): Promise<number> {
    if (steps.length === 0) return 0;
    const { rows } = await sql<{ n: number }>`
      WITH req AS (
        SELECT * FROM unnest(${steps.map((s) => s.alertId)}::bigint[], ${steps.map((s) => s.step)}::int[]) AS r(alert_id, step)
      ), fired AS (
        INSERT INTO alert_steps_fired (alert_id, step, fired_by)
        SELECT r.alert_id, r.step, ${deps.instanceId}
        FROM req r JOIN alerts a ON a.id = r.alert_id
        WHERE a.status <> 'resolved' AND r.step < jsonb_array_length(a.policy)
        ON CONFLICT DO NOTHING
        RETURNING alert_id, step
      ), f AS (
        SELECT fired.alert_id, fired.step, a.policy -> fired.step AS def, jsonb_array_length(a.policy) AS steps,
               a.worker_id, a.visit_id, a.kind, a.deadline_at, a.policy,
               w.given_name || ' ' || w.family_name AS worker_name,
               v.postcode, v.address
        FROM fired JOIN alerts a ON a.id = fired.alert_id
        JOIN staff w ON w.id = a.worker_id
        LEFT JOIN visits v ON v.id = a.visit_id
      ), targets AS (
        SELECT f.*, t.target FROM f CROSS JOIN LATERAL jsonb_array_elements_text(f.def -> 'targets') t(target)
      ), recipients AS (
        -- The common targets resolve by plain joins; the rarer ones (the assistant director up
        -- the chain, team business support) through harbour_recipients().
        SELECT DISTINCT x.alert_id, x.step, x.recipient_id, x.worker_id, x.worker_name, x.kind, x.deadline_at, x.postcode, x.address, x.def
        FROM (
          SELECT t.alert_id, t.step, CASE t.target
                   WHEN 'worker' THEN w.id WHEN 'buddy' THEN w.buddy_id
                   WHEN 'line_manager' THEN w.line_manager_id WHEN 'service_manager' THEN lm.line_manager_id END AS recipient_id,
                 t.worker_id, t.worker_name, t.kind, t.deadline_at, t.postcode, t.address, t.def
          FROM targets t JOIN staff w ON w.id = t.worker_id LEFT JOIN staff lm ON lm.id = w.line_manager_id
          WHERE t.target IN ('worker', 'buddy', 'line_manager', 'service_manager')
          UNION ALL
          SELECT t.alert_id, t.step, r.id, t.worker_id, t.worker_name, t.kind, t.deadline_at, t.postcode, t.address, t.def
          FROM targets t CROSS JOIN LATERAL harbour_recipients(t.worker_id, t.target) r(id)
          WHERE t.target NOT IN ('worker', 'buddy', 'line_manager', 'service_manager')
        ) x WHERE x.recipient_id IS NOT NULL
      ), names AS (
        SELECT r.alert_id, r.step, string_agg(s.given_name || ' ' || s.family_name, ', ' ORDER BY s.family_name) AS who
        FROM recipients r JOIN staff s ON s.id = r.recipient_id GROUP BY r.alert_id, r.step
      ), n AS (
        INSERT INTO notifications (alert_id, step, recipient_id, channel, fallbacks, subject, body, link)
        SELECT r.alert_id, r.step, r.recipient_id, ${deps.plan.channel}, ${deps.plan.fallbacks}::text[],
          CASE
            WHEN r.recipient_id = r.worker_id THEN 'Harbour: are you safe?'
            WHEN r.kind = 'duress' THEN 'Harbour DURESS ALARM: ' || r.worker_name
            WHEN r.kind = 'end_of_day' THEN 'Harbour: no end-of-day call from ' || r.worker_name
            ELSE 'Harbour: ' || r.worker_name || ' has not checked in'
          END,
          CASE
            WHEN r.recipient_id = r.worker_id THEN
              'Your visit was due to end at ' || to_char(r.deadline_at AT TIME ZONE 'Europe/London', 'HH24:MI') ||
              '. Open Harbour and tap "Visit over, I''m safe" or extend. If we do not hear from you, your buddy will be alerted.'
            WHEN r.kind = 'duress' THEN
              r.worker_name || ' has raised a silent alarm' || COALESCE(' at ' || r.address || ', ' || r.postcode, '') ||
              '. Do not phone them openly. ' || COALESCE(r.def ->> 'instruction', '')
            WHEN r.kind = 'end_of_day' THEN
              r.worker_name || ' has not confirmed they finished work safely (due by ' ||
              to_char(r.deadline_at AT TIME ZONE 'Europe/London', 'HH24:MI') || '). Try to reach them. ' || COALESCE(r.def ->> 'instruction', '')
            ELSE
              r.worker_name || ' was due to check in by ' || to_char(r.deadline_at AT TIME ZONE 'Europe/London', 'HH24:MI') ||
              COALESCE(' at ' || r.postcode, '') || ' and has not. Try to reach them. ' || COALESCE(r.def ->> 'instruction', '')
          END,
          ${deps.baseUrl} || '/alerts/' || r.alert_id
        FROM recipients r
        ON CONFLICT DO NOTHING
        RETURNING alert_id, step, recipient_id
      ), tl AS (
        INSERT INTO timeline_events (visit_id, alert_id, type, text, detail)
        SELECT f.visit_id, f.alert_id, 'step',
          'Step ' || (f.step + 1) || ' of ' || f.steps || ' (' || (f.def ->> 'label') || '): ' || COALESCE(nm.who, 'nobody to tell at this step'),
          jsonb_build_object('step', f.step, 'key', f.def ->> 'key')
        FROM f LEFT JOIN names nm ON nm.alert_id = f.alert_id AND nm.step = f.step
      ), next AS (
        INSERT INTO timers (kind, subject_id, seq, fire_at)
        SELECT 'alert_step', f.alert_id, f.step + 1,
               GREATEST(now() + make_interval(secs => (f.policy -> (f.step + 1) ->> 'delaySeconds')::int), COALESCE(a.paused_until, now()))
        FROM f JOIN alerts a ON a.id = f.alert_id
        WHERE f.step + 1 < f.steps
        ON CONFLICT DO NOTHING
      ), upd AS (
        UPDATE alerts a SET next_step = GREATEST(a.next_step, f.step + 1) FROM f WHERE a.id = f.alert_id
      )
      SELECT count(*)::int AS n FROM f`.execute(trx);
    return rows[0]?.n ?? 0;
  }

  return { tick, fireSteps };
}

/** end_of_day timers are keyed by worker and date in one bigint. */
export function dayTimerSubject(workerId: number, workDate: string): bigint {
  const days = Math.round((Date.parse(`${workDate}T00:00:00Z`) - Date.parse('2000-01-01T00:00:00Z')) / 86400_000);
  return BigInt(workerId) * 100000n + BigInt(days);
}

export type EscalationEngine = ReturnType<typeof buildEscalationEngine>;
