import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Database } from '../../src/db/database.ts';
import { seedDatabase } from './services.ts';
import { actorFor, buildVisitForm } from './lone-working.ts';

/**
 * An escalation burst for the fault tests (kills, cut connections): the demo council, a fast
 * overdue route of STEPS steps one second apart, many running sessions whose deadlines all pass at
 * once, and the checks that every step then fired exactly once.
 */
export const STEPS = 5;

/** Demo council, a fast escalation route (steps one second apart), and SESSIONS running sessions. */
export async function prepare(database: Database, SESSIONS: number) {
  const { services } = await seedDatabase(database);
  const steps = ['worker', 'buddy', 'line_manager', 'service_manager', 'assistant_director'].map((target, i) => ({
    key: target,
    label: target,
    targets: [target],
    delaySeconds: i === 0 ? 0 : 1,
  }));
  for (const team of await database.db.selectFrom('teams').select('id').execute()) {
    await database.db
      .insertInto('escalation_policies')
      .values({ team_id: team.id, kind: 'overdue', steps: JSON.stringify(steps) })
      .execute();
  }
  const workers = await database.db
    .selectFrom('staff')
    .innerJoin('accounts', 'accounts.staff_id', 'staff.id')
    .select('accounts.email')
    .where('staff.team_id', 'is not', null)
    .execute();
  const actors = await Promise.all(workers.map((w) => actorFor(database.db, w.email)));
  for (let i = 0; i < SESSIONS; i++) {
    const actor = actors[i % actors.length]!;
    const id = await services.visits.plan(actor, buildVisitForm());
    await services.visits.arrive(actor, id);
  }
}

/**
 * The burst: every deadline passes within `leadSeconds` to `leadSeconds` + 10 seconds,
 * while the instances are killed. Deadlines still ahead when an engine prepares (at its start and
 * every 5 s) get their worker's prompt prepared and released at the deadline; the rest go the
 * direct way. Both paths run under the kills.
 */
export async function burst(database: Database, leadSeconds: number) {
  await sql`UPDATE visits SET due_at = now() + make_interval(secs => ${leadSeconds}) + random() * interval '10 seconds' WHERE state = 'in_progress'`.execute(
    database.db,
  );
  await sql`UPDATE timers t SET fire_at = v.due_at FROM visits v WHERE t.kind = 'visit_due' AND t.subject_id = v.id`.execute(
    database.db,
  );
}

export async function firedSteps(database: Database): Promise<number> {
  return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM alert_steps_fired`.execute(database.db)).rows[0]!.n;
}

/** Every session alerted once, every alert through every step once, one message per recipient per step. */
export async function assertEveryStepOnce(database: Database, SESSIONS: number, options: { preparedAhead: boolean }) {
  const done = await firedSteps(database);
  const alerts = await sql<{
    visits: number;
    alerts: number;
  }>`SELECT count(DISTINCT visit_id)::int AS visits, count(*)::int AS alerts FROM alerts`.execute(database.db);
  assert.deepEqual(alerts.rows[0], { visits: SESSIONS, alerts: SESSIONS }, 'one alert per overdue session');

  const steps = await sql<{ bad: number }>`
    SELECT count(*)::int AS bad FROM (
      SELECT a.id, count(f.step) AS n, count(DISTINCT f.step) AS d, min(f.step) AS lo, max(f.step) AS hi
      FROM alerts a LEFT JOIN alert_steps_fired f ON f.alert_id = a.id GROUP BY a.id
    ) s WHERE n <> ${STEPS} OR d <> ${STEPS} OR lo <> 0 OR hi <> ${STEPS - 1}`.execute(database.db);
  assert.equal(
    steps.rows[0]!.bad,
    0,
    `every alert fired steps 0..${STEPS - 1} once (fired ${done} of ${SESSIONS * STEPS})`,
  );

  // The timeline records each step once, and each person was messaged once per step.
  const timeline = await sql<{ n: number }>`SELECT count(*)::int AS n FROM timeline_events WHERE type = 'step'`.execute(
    database.db,
  );
  assert.equal(timeline.rows[0]!.n, SESSIONS * STEPS, 'one timeline entry per fired step');
  const overdue = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM timeline_events WHERE type = 'overdue'`.execute(database.db);
  assert.equal(overdue.rows[0]!.n, SESSIONS);
  const expected = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM alerts a
    CROSS JOIN LATERAL jsonb_array_elements(a.policy) WITH ORDINALITY p(def, i)
    CROSS JOIN LATERAL (SELECT DISTINCT r FROM jsonb_array_elements_text(p.def -> 'targets') t(target), harbour_recipients(a.worker_id, t.target) r) x`.execute(
    database.db,
  );
  const sent = await sql<{ n: number }>`SELECT count(*)::int AS n FROM notifications`.execute(database.db);
  assert.equal(sent.rows[0]!.n, expected.rows[0]!.n, 'one message per recipient per step');
  const prepared = await sql<{ n: number; unlinked: number }>`
    SELECT count(*)::int AS n, count(*) FILTER (WHERE alert_id IS NULL OR status <> 'sent')::int AS unlinked FROM notifications WHERE visit_id IS NOT NULL`.execute(
    database.db,
  );
  // On PostgreSQL the burst is set once the engines run, so some prompts are surely prepared ahead.
  if (options.preparedAhead) assert.ok(prepared.rows[0]!.n > 0, 'some prompts went the prepared-ahead way');
  assert.equal(
    prepared.rows[0]!.unlinked,
    0,
    'every prepared prompt was released and became its alert’s step-0 message',
  );
  const pending = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM timers WHERE status = 'pending' AND kind <> 'end_of_day'`.execute(database.db);
  assert.equal(pending.rows[0]!.n, 0, 'no deadline or step left pending (end-of-day checks are later)');
}
