/**
 * Crash test: an alarm is never lost and never repeated. 500 sessions go overdue in a burst while
 * the server processes that run the escalation engine are killed with SIGKILL and restarted. Every
 * session must get an alert, and every alert every escalation step exactly once.
 *
 * On PostgreSQL two instances run at once (and are killed in turn). PGlite is embedded in one
 * process, so its variant runs one instance; see the README's production guidance.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { childProcessDatabase, engineName, onPostgres } from '../helpers/database.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { kill, sleep, startServer as startChild, stop, waitForHealth } from '../helpers/server-process.ts';

const SESSIONS = 500;
const STEPS = 5;
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;

before(async () => {
  ({ env, cleanup } = await childProcessDatabase({ SEED_DEMO: 'false', JOBS: 'true', HOST: '127.0.0.1' }));
});
after(() => cleanup());

const open = () => openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR, poolSize: 4 });

/** Demo council, a fast escalation route (steps one second apart), and SESSIONS running sessions. */
async function prepare(database: Database) {
  await migrate(database);
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  const services = buildServices(repos);
  const steps = ['worker', 'buddy', 'line_manager', 'service_manager', 'assistant_director'].map((target, i) => ({
    key: target, label: target, targets: [target], delaySeconds: i === 0 ? 0 : 1,
  }));
  for (const team of await database.db.selectFrom('teams').select('id').execute()) {
    await database.db.insertInto('escalation_policies').values({ team_id: team.id, kind: 'overdue', steps: JSON.stringify(steps) }).execute();
  }
  const workers = await database.db.selectFrom('staff').innerJoin('accounts', 'accounts.staff_id', 'staff.id')
    .select('accounts.email').where('staff.team_id', 'is not', null).execute();
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
async function burst(database: Database, leadSeconds: number) {
  await sql`UPDATE visits SET due_at = now() + make_interval(secs => ${leadSeconds}) + random() * interval '10 seconds' WHERE state = 'in_progress'`.execute(database.db);
  await sql`UPDATE timers t SET fire_at = v.due_at FROM visits v WHERE t.kind = 'visit_due' AND t.subject_id = v.id`.execute(database.db);
}

const startServer = (port: number) => startChild(env, port);

test(`[${engineName}] every due step fires exactly once through SIGKILLs and restarts`, { timeout: 300_000 }, async () => {
  let database = await open();
  await prepare(database);
  // PGlite's data directory must not be written by two processes at once: there the burst is set
  // before the server starts, with time for it to start. PostgreSQL takes it once they are up.
  if (!onPostgres) await burst(database, 8);
  await database.close();

  const instances = onPostgres ? 2 : 1;
  const ports = [4711, 4712].slice(0, instances);
  const children: ChildProcess[] = ports.map(startServer);
  await Promise.all(ports.map((p) => waitForHealth(p)));
  if (onPostgres) {
    database = await open();
    await burst(database, 4);
    await database.close();
  }

  // Kill an instance five times during the burst and escalation, restarting it each time.
  const kills = 5;
  for (let k = 0; k < kills; k++) {
    await sleep(400 + Math.floor(Math.random() * 900));
    const i = k % instances;
    await kill(children[i]!);
    children[i] = startServer(ports[i]!);
    await waitForHealth(ports[i]!);
  }

  // Let the survivors finish: every session alerted and every alert through all its steps.
  const firedSteps = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM alert_steps_fired`.execute(database.db)).rows[0]!.n;
  const deadline = Date.now() + 120_000;
  let done = 0;
  if (onPostgres) {
    database = await open();
    while (Date.now() < deadline) {
      done = await firedSteps();
      if (process.env.CRASH_DEBUG) console.log(new Date().toISOString(), 'steps fired', done);
      if (done >= SESSIONS * STEPS) break;
      await sleep(250);
    }
    await Promise.all(children.map(kill));
  } else {
    // A PGlite data directory has one process at a time: a second one would read a stale copy. So
    // the server is stopped (SIGTERM) to look, and started again until the work is done.
    for (;;) {
      await sleep(4000);
      await stop(children[0]!);
      database = await open();
      done = await firedSteps();
      if (process.env.CRASH_DEBUG) console.log(new Date().toISOString(), 'steps fired', done);
      if (done >= SESSIONS * STEPS || Date.now() > deadline) break;
      await database.close();
      children[0] = startServer(ports[0]!);
      await waitForHealth(ports[0]!);
    }
  }

  try {
    const alerts = await sql<{ visits: number; alerts: number }>`SELECT count(DISTINCT visit_id)::int AS visits, count(*)::int AS alerts FROM alerts`.execute(database.db);
    assert.deepEqual(alerts.rows[0], { visits: SESSIONS, alerts: SESSIONS }, 'one alert per overdue session');

    const steps = await sql<{ bad: number }>`
      SELECT count(*)::int AS bad FROM (
        SELECT a.id, count(f.step) AS n, count(DISTINCT f.step) AS d, min(f.step) AS lo, max(f.step) AS hi
        FROM alerts a LEFT JOIN alert_steps_fired f ON f.alert_id = a.id GROUP BY a.id
      ) s WHERE n <> ${STEPS} OR d <> ${STEPS} OR lo <> 0 OR hi <> ${STEPS - 1}`.execute(database.db);
    assert.equal(steps.rows[0]!.bad, 0, `every alert fired steps 0..${STEPS - 1} once (fired ${done} of ${SESSIONS * STEPS})`);

    // The timeline records each step once, and each person was messaged once per step.
    const timeline = await sql<{ n: number }>`SELECT count(*)::int AS n FROM timeline_events WHERE type = 'step'`.execute(database.db);
    assert.equal(timeline.rows[0]!.n, SESSIONS * STEPS, 'one timeline entry per fired step');
    const overdue = await sql<{ n: number }>`SELECT count(*)::int AS n FROM timeline_events WHERE type = 'overdue'`.execute(database.db);
    assert.equal(overdue.rows[0]!.n, SESSIONS);
    const expected = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM alerts a
      CROSS JOIN LATERAL jsonb_array_elements(a.policy) WITH ORDINALITY p(def, i)
      CROSS JOIN LATERAL (SELECT DISTINCT r FROM jsonb_array_elements_text(p.def -> 'targets') t(target), harbour_recipients(a.worker_id, t.target) r) x`.execute(database.db);
    const sent = await sql<{ n: number }>`SELECT count(*)::int AS n FROM notifications`.execute(database.db);
    assert.equal(sent.rows[0]!.n, expected.rows[0]!.n, 'one message per recipient per step');
    const prepared = await sql<{ n: number; unlinked: number }>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE alert_id IS NULL OR status <> 'sent')::int AS unlinked FROM notifications WHERE visit_id IS NOT NULL`.execute(database.db);
    // On PostgreSQL the burst is set once the engines run, so some prompts are surely prepared ahead.
    if (onPostgres) assert.ok(prepared.rows[0]!.n > 0, 'some prompts went the prepared-ahead way');
    assert.equal(prepared.rows[0]!.unlinked, 0, 'every prepared prompt was released and became its alert’s step-0 message');
    const pending = await sql<{ n: number }>`SELECT count(*)::int AS n FROM timers WHERE status = 'pending' AND kind <> 'end_of_day'`.execute(database.db);
    assert.equal(pending.rows[0]!.n, 0, 'no deadline or step left pending (end-of-day checks are later)');
  } finally {
    await database.close();
  }
});
