/*
 * The escalation engine counts as its own repository: it is the alarm path's hot loop, and its
 * set-based SQL (claim the due timers FOR UPDATE SKIP LOCKED, open alerts, fire steps, queue
 * messages and arm the next step, a few statements per batch in one transaction) stays here, next
 * to the rules it carries out, rather than behind repository functions one row at a time. The rest
 * of the alerts feature keeps its SQL in repository.ts (alerts, the timeline, policies) and
 * timers-repository.ts (the durable timers); this file's statements, their order and their locks are unchanged.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { DEFAULT_POLICIES } from './policy.ts';
import type { ChannelName } from '../notifications/routing.ts';
import { buildHealthRepository } from '../health/repository.ts';

type Trx = Transaction<DB>;

export interface EngineDeps {
  db: Kysely<DB>;
  /** Names this process in alert_steps_fired, to show which instance fired a step. */
  instanceId: string;
  plan: { channel: ChannelName; fallbacks: ChannelName[] };
  baseUrl: string;
  /** Prompt releases run side by side (2 on PostgreSQL; PGlite runs one statement at a time). */
  releaseConcurrency?: number;
  /** Prompts per release statement (50,000: measured best for a 100,000-session burst on 2 cores). */
  releaseBatch?: number;
}

export interface TickResult {
  claimed: number;
  alertsOpened: number;
  stepsFired: number;
  more: boolean;
}

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
      const { rows: claimed } = await sql<{ id: string; kind: string; subject_id: string; seq: number; fire_at: Date }>`
        SELECT id, kind, subject_id, seq, fire_at FROM timers
        WHERE status = 'pending' AND fire_at <= now()
        ORDER BY fire_at
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`.execute(trx);
      if (claimed.length === 0) return { claimed: 0, alertsOpened: 0, stepsFired: 0, more: false };
      await sql`UPDATE timers SET status = 'fired', fired_at = now() WHERE id = ANY(${claimed.map((c) => c.id)}::bigint[])`.execute(
        trx,
      );

      const visitIds = claimed.filter((c) => c.kind === 'visit_due').map((c) => Number(c.subject_id));
      const dayIds = claimed.filter((c) => c.kind === 'end_of_day').map((c) => c.subject_id);
      const opened = [...(await openOverdueAlerts(trx, visitIds)), ...(await openEndOfDayAlerts(trx, dayIds))];
      const steps = claimed
        .filter((c) => c.kind === 'alert_step')
        .map((c) => ({ alertId: c.subject_id, step: c.seq, dueAt: new Date(c.fire_at) }));
      const fired = await fireSteps(trx, [...opened.map((a) => ({ alertId: a, step: 0 })), ...steps]);
      return {
        claimed: claimed.length,
        alertsOpened: opened.length,
        stepsFired: fired,
        more: claimed.length === limit,
      };
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
      ), linked AS (
        -- The worker's prompt prepared ahead for this deadline becomes the alert's step-0 message,
        -- so fireSteps (a later statement) finds it and does not queue a second one.
        UPDATE notifications n SET alert_id = a.id
        FROM a JOIN v ON v.id = a.visit_id
        WHERE n.visit_id = v.id AND n.release_at = v.due_at AND n.alert_id IS NULL
        RETURNING n.id, n.visit_id, n.alert_id, n.recipient_id, n.channel, n.status, n.handed_at
      ), ${recordPromptDeliveries(sql`SELECT * FROM linked WHERE status = 'sent' AND channel = 'inbox'`)}
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
  async function fireSteps(trx: Trx, steps: { alertId: string; step: number; dueAt?: Date }[]): Promise<number> {
    if (steps.length === 0) return 0;
    // Duress, and the last step of any policy, go to every external channel at once: the message on
    // the plan's first channel, and a copy (lane) on each other one. Copies are not in the inbox.
    const lanes = deps.plan.fallbacks.filter((c) => c !== 'inbox' && c !== deps.plan.channel);
    const { rows } = await sql<{ n: number }>`
      WITH req AS (
        SELECT * FROM unnest(${steps.map((s) => s.alertId)}::bigint[], ${steps.map((s) => s.step)}::int[],
                             ${steps.map((s) => s.dueAt?.toISOString() ?? null)}::timestamptz[]) AS r(alert_id, step, due)
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
        INSERT INTO notifications (alert_id, step, recipient_id, channel, fallbacks, due_at, subject, body, link)
        SELECT r.alert_id, r.step, r.recipient_id, ${deps.plan.channel}, ${deps.plan.fallbacks}::text[],
          -- The deadline the message answers: the alert's for step 0, else when the step's timer was due.
          coalesce(CASE WHEN r.step = 0 THEN r.deadline_at END, (SELECT max(q.due) FROM req q WHERE q.alert_id = r.alert_id AND q.step = r.step), now()),
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
        RETURNING alert_id, step, recipient_id, subject, body, link, due_at
      ), lane_copies AS (
        INSERT INTO notifications (alert_id, step, recipient_id, channel, fallbacks, lane, due_at, subject, body, link)
        SELECT n.alert_id, n.step, n.recipient_id, l.lane, '{}'::text[], l.lane, n.due_at, n.subject, n.body, n.link
        FROM n JOIN f ON f.alert_id = n.alert_id AND f.step = n.step
        CROSS JOIN unnest(${lanes}::text[]) l(lane)
        WHERE f.kind = 'duress' OR f.step = f.steps - 1
        ON CONFLICT DO NOTHING
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

  /**
   * Prepares the worker's "are you safe?" prompt for every running session whose deadline falls in
   * the next `lookaheadSeconds`, where the team's overdue policy starts by prompting the worker. The
   * prompt waits as a 'scheduled' notification nobody can see (see 0014_prompts_ahead.sql).
   * Idempotent: one prompt per session deadline, however many engines prepare it.
   */
  async function prepare(lookaheadSeconds = 90, limit = 20_000): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      WITH ins AS (
        -- Dated at the deadline (created_at, next_attempt_at), so the release has nothing more to set
        -- than the status: the inbox shows it in its place, and the dispatcher may send it at once.
        INSERT INTO notifications (visit_id, release_at, alert_id, step, recipient_id, channel, fallbacks, subject, body, link, status, next_attempt_at, created_at)
        SELECT v.id, v.due_at, NULL, 0, v.worker_id, ${deps.plan.channel}, ${deps.plan.fallbacks}::text[],
          'Harbour: are you safe?',
          'Your visit was due to end at ' || to_char(v.due_at AT TIME ZONE 'Europe/London', 'HH24:MI') ||
          '. Open Harbour and tap "Visit over, I''m safe" or extend. If we do not hear from you, your buddy will be alerted.',
          ${deps.baseUrl} || '/visits/' || v.id,
          'scheduled', v.due_at, v.due_at
        FROM timers t
        JOIN visits v ON v.id = t.subject_id AND v.due_at = t.fire_at AND v.state = 'in_progress'
        JOIN staff s ON s.id = v.worker_id
        LEFT JOIN escalation_policies p ON p.team_id = s.team_id AND p.kind = 'overdue'
        WHERE t.kind = 'visit_due' AND t.status = 'pending'
          AND t.fire_at > now() AND t.fire_at <= now() + make_interval(secs => ${lookaheadSeconds})
          AND (COALESCE(p.steps, ${JSON.stringify(DEFAULT_POLICIES.overdue)}::jsonb) -> 0 -> 'targets') ? 'worker'
          AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.visit_id = v.id AND n.release_at = v.due_at)
        ORDER BY t.fire_at
        LIMIT ${limit}
        ON CONFLICT DO NOTHING
        RETURNING 1
      )
      SELECT count(*)::int AS n FROM ins`.execute(db);
    const n = rows[0]?.n ?? 0;
    // Thousands of new prompts at once (a busy afternoon, or a test burst): refresh the planner's
    // statistics now, not at autovacuum's next visit, so the release at the deadline is planned on
    // the prompts actually waiting (an index range, not a scan of a table it thinks is empty).
    if (n >= 5000) await sql`ANALYZE notifications`.execute(db);
    return n;
  }

  /**
   * Hands over the prepared prompts whose deadline has passed, if the session is still running with
   * that deadline. One statement, so each prompt is released exactly once (row lock plus status
   * change), by whichever engine gets it. An inbox prompt is delivered there and then; any other
   * channel's is queued for the dispatcher.
   */
  async function release(
    limit = 50_000,
    share: { of: number; part: number } = { of: 1, part: 0 },
  ): Promise<{ released: number; queued: number; more: boolean }> {
    // Releases side by side take disjoint shares of the rows rather than queueing on each other's locks.
    const mine = share.of > 1 ? sql`AND n.id % ${share.of} = ${share.part}` : sql``;
    const { rows } = await sql<{ inbox: number; queued: number }>`
      WITH picked AS (
        SELECT n.id FROM notifications n JOIN visits v ON v.id = n.visit_id
        WHERE n.status = 'scheduled' AND n.release_at <= now() ${mine}
          AND v.due_at = n.release_at AND v.state IN ('in_progress', 'overdue')
        ORDER BY n.release_at
        LIMIT ${limit}
        FOR UPDATE OF n SKIP LOCKED
      ), done AS (
        UPDATE notifications n SET
          status = CASE WHEN n.channel = 'inbox' THEN 'sent' ELSE 'pending' END,
          attempts = CASE WHEN n.channel = 'inbox' THEN 1 ELSE 0 END,
          handed_at = CASE WHEN n.channel = 'inbox' THEN clock_timestamp() END,
          sent_at = CASE WHEN n.channel = 'inbox' THEN clock_timestamp() END
        FROM picked WHERE n.id = picked.id
        RETURNING n.id, n.visit_id, n.alert_id, n.recipient_id, n.channel, n.handed_at
      ),
      -- Rarely, the alert was opened first (by another engine): then the delivery is written here.
      ${recordPromptDeliveries(sql`SELECT * FROM done WHERE alert_id IS NOT NULL AND channel = 'inbox'`)}
      SELECT count(*) FILTER (WHERE channel = 'inbox')::int AS inbox, count(*) FILTER (WHERE channel <> 'inbox')::int AS queued FROM done`.execute(
      db,
    );
    const { inbox, queued } = rows[0] ?? { inbox: 0, queued: 0 };
    return { released: inbox + queued, queued, more: inbox + queued >= limit };
  }

  /**
   * Deletes prompts that will never be released because the session ended or its deadline moved.
   * (A released prompt's delivery attempt and timeline line are written when it meets its alert:
   * in openOverdueAlerts, or in the release if the alert came first. A prompt released to a worker
   * who then ends the session before the alert opens keeps no delivery line: it was still sent.)
   */
  async function tidyPrompts(): Promise<{ deleted: number }> {
    const r = await sql`
      DELETE FROM notifications n
      WHERE n.status = 'scheduled' AND n.release_at < now() - interval '1 minute'
        AND NOT EXISTS (SELECT 1 FROM visits v WHERE v.id = n.visit_id AND v.due_at = n.release_at AND v.state IN ('in_progress', 'overdue'))`.execute(
      db,
    );
    return { deleted: Number(r.numAffectedRows ?? 0) };
  }

  const health = buildHealthRepository(db);
  let lastBeat = 0;
  /** Records this instance's heartbeat for the escalation loop, every 2 s at most. */
  async function beat(): Promise<void> {
    if (Date.now() - lastBeat < 2000) return;
    lastBeat = Date.now();
    await health.beat(deps.instanceId, 'escalation', new Date());
  }

  let lastPrepared = 0;
  let releasedSinceTidy = false;
  /** The next prepared prompt's deadline as last seen (epoch ms), so an idle pass asks nothing more. */
  let nextReleaseAt: number | null = null;
  /**
   * One pass of the engine loop, most urgent first: release the prompts that are due (nothing else
   * runs while a burst is being released), then fire due deadlines and steps; every few seconds,
   * prepare the prompts of the coming deadlines and tidy up. An idle pass is two statements, which
   * matters on PGlite, where every statement holds the one connection the web requests also need.
   * `queued` counts messages waiting for the dispatcher (wake it when non-zero).
   */
  async function pass(options: { prepareEveryMs?: number; lookaheadSeconds?: number } = {}) {
    // Several releases side by side on PostgreSQL use more than one core; SKIP LOCKED splits the rows.
    const of = deps.releaseConcurrency ?? 1;
    const batches = await Promise.all(
      Array.from({ length: of }, (_, part) => release(deps.releaseBatch, { of, part })),
    );
    const released = {
      more: batches.some((b) => b.more),
      queued: batches.reduce((n, b) => n + b.queued, 0),
      n: batches.reduce((n, b) => n + b.released, 0),
    };
    if (released.n > 0) releasedSinceTidy = true;
    if (released.more) return { more: true, queued: released.queued };
    const ticked = await tick();
    await beat();
    const queued = released.queued + ticked.stepsFired;
    if (ticked.more) return { more: true, queued };
    let more = false;
    // Housekeeping waits when prompts are about to fall due, so it never delays their release.
    if (nextReleaseAt !== null && nextReleaseAt - Date.now() < 2000 && nextReleaseAt > Date.now()) {
      return { more, queued, nextInMs: Math.max(0, nextReleaseAt - Date.now()) };
    }
    if (Date.now() - lastPrepared >= (options.prepareEveryMs ?? 5000)) {
      // A full batch means more to prepare: go again at once rather than in a few seconds.
      if ((await prepare(options.lookaheadSeconds)) < 20_000) lastPrepared = Date.now();
      else more = true;
      releasedSinceTidy = true; // also clears prompts left behind by check-outs and extensions
      nextReleaseAt = await nextRelease();
    }
    if (releasedSinceTidy) {
      await tidyPrompts();
      releasedSinceTidy = false;
      nextReleaseAt = await nextRelease();
    }
    const nextInMs = nextReleaseAt === null ? null : Math.max(0, nextReleaseAt - Date.now());
    return { more, queued, nextInMs };
  }

  /** When the next prepared prompt falls due (epoch ms), so the loop can wake for it on the dot. */
  async function nextRelease(): Promise<number | null> {
    const { rows } = await sql<{ at: Date | null }>`
      SELECT min(release_at) AS at FROM notifications WHERE status = 'scheduled' AND release_at > now()`.execute(db);
    return rows[0]?.at ? new Date(rows[0].at).getTime() : null;
  }

  return { tick, fireSteps, prepare, release, tidyPrompts, pass };
}

/**
 * The delivery attempt and timeline line of released inbox prompts: two entries for a
 * data-modifying WITH (`prompt_att`, `prompt_tl`), over `rows` (id, visit_id, alert_id,
 * recipient_id, handed_at).
 */
function recordPromptDeliveries(rows: ReturnType<typeof sql>) {
  return sql`prompt_att AS (
      INSERT INTO delivery_attempts (notification_id, at, channel, ok) SELECT r.id, r.handed_at, 'inbox', true FROM (${rows}) r
    ), prompt_tl AS (
      INSERT INTO timeline_events (visit_id, alert_id, at, type, text, detail)
      SELECT r.visit_id, r.alert_id, r.handed_at, 'delivery', 'Shown in ' || s.given_name || ' ' || s.family_name || '''s Harbour inbox (not a text message or email)',
             jsonb_build_object('notificationId', r.id::text, 'channel', 'inbox', 'recipientId', r.recipient_id, 'ok', true)
      FROM (${rows}) r JOIN staff s ON s.id = r.recipient_id
    )`;
}

/** end_of_day timers are keyed by worker and date in one bigint. */
export function dayTimerSubject(workerId: number, workDate: string): bigint {
  const days = Math.round((Date.parse(`${workDate}T00:00:00Z`) - Date.parse('2000-01-01T00:00:00Z')) / 86400_000);
  return BigInt(workerId) * 100000n + BigInt(days);
}

export type EscalationEngine = ReturnType<typeof buildEscalationEngine>;
