import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { buildRepositories, buildServices } from '../src/composition.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { startLoop } from '../src/jobs/loop.ts';
import { startNotificationWorkers } from '../src/features/notifications/workers.ts';
import { createPostgresDatabase } from '../test/helpers/database.ts';

/**
 * Alarm latency: N running sessions whose deadlines all pass in one burst. Measures, for each
 * session, the time from its deadline to its first alert message being handed to a channel
 * (notifications.handed_at), as the real engine and dispatcher loops run in this process.
 */
export async function benchAlarmLatency(engine: 'pglite' | 'postgres', sessions: number) {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-bench-alarm-'));
  let drop: (() => Promise<void>) | undefined;
  let database: Database | undefined;
  const logger = pino({ level: 'silent' });
  try {
    if (engine === 'postgres') {
      if (!process.env.TEST_DATABASE_URL) process.env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
      const created = await createPostgresDatabase();
      drop = created.drop;
      database = await openDatabase({ databaseUrl: created.url, poolSize: 8 });
    } else {
      database = await openDatabase({ pgliteDataDir: join(dir, 'data') });
    }
    await migrate(database);
    const repos = buildRepositories(database.db);
    await seedDemo(database.db, repos.audit);
    const services = buildServices(repos, { sessionTtlHours: 12, instanceId: 'bench', baseUrl: 'http://localhost:3000', engineConcurrency: engine === 'postgres' ? Number(process.env.BENCH_ENGINE_CONCURRENCY ?? 2) : 1 });

    // N sessions in progress for the demo staff, checked in with one shared deadline: the burst.
    // Sessions are checked in long before their deadline in real life; 30 s ahead gives the engine
    // its usual chance to prepare the workers' prompts.
    const leadSeconds = Number(process.env.BENCH_BURST_LEAD_SECONDS ?? 30);
    const t0 = Date.now();
    const { rows: [burst] } = await sql<{ at: Date }>`SELECT now() + make_interval(secs => ${leadSeconds}) AS at`.execute(database.db);
    await sql`
      WITH w AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n FROM staff WHERE team_id IS NOT NULL)
      INSERT INTO visits (worker_id, kind, starts_at, ends_at, postcode, state, arrived_at, due_at)
      SELECT w.id, 'visit', now() - interval '1 hour', ${burst!.at}, 'TN23 1AA', 'in_progress', now() - interval '1 hour', ${burst!.at}
      FROM generate_series(0, ${sessions - 1}) g JOIN w ON w.i = g % w.n`.execute(database.db);
    await sql`INSERT INTO timers (kind, subject_id, seq, fire_at) SELECT 'visit_due', id, 0, due_at FROM visits WHERE state = 'in_progress'`.execute(database.db);
    if (engine === 'postgres') await sql`ANALYZE`.execute(database.db);
    const setupMs = Date.now() - t0;

    const config = loadConfig({ ...process.env, DATABASE_URL: '', SMTP_URL: '', NOTIFY_API_KEY: '' });
    const notifications = await startNotificationWorkers({ db: database.db, config, logger, idleMs: 50 });
    // One engine loop by default; BENCH_ENGINE_LOOPS=2 runs two, as two instances would (SKIP LOCKED splits the work).
    const loopCount = Number(process.env.BENCH_ENGINE_LOOPS ?? 1);
    const loops = Array.from({ length: loopCount }, (_, i) => startLoop(`escalation-${i}`, async () => {
      const r = await services.engine.pass();
      if (r.queued) notifications.wake();
      return { more: r.more, nextInMs: r.nextInMs };
    }, 50, logger));

    const deadline = Date.now() + 300_000;
    let handed = 0;
    while (Date.now() < deadline) {
      // Checked every 2 s: the count is a scan, and it must not compete with the burst it measures.
      await new Promise((r) => setTimeout(r, 2000));
      const { rows } = await sql<{ n: number }>`SELECT count(DISTINCT alert_id)::int AS n FROM notifications WHERE step = 0 AND handed_at IS NOT NULL`.execute(database.db);
      handed = rows[0]!.n;
      if (handed >= sessions) break;
    }
    await Promise.all(loops.map((l) => l.stop()));
    const { rows: [{ prepared }] } = await sql<{ prepared: number }>`SELECT count(*)::int AS prepared FROM notifications WHERE visit_id IS NOT NULL`.execute(database.db) as { rows: [{ prepared: number }] };
    await notifications.stop();

    const { rows: [stats] } = await sql<{ min: number; p50: number; p99: number; max: number; n: number }>`
      WITH first AS (
        SELECT a.id, min(n.handed_at) AS handed, a.deadline_at FROM alerts a JOIN notifications n ON n.alert_id = a.id AND n.step = 0
        WHERE n.handed_at IS NOT NULL GROUP BY a.id, a.deadline_at
      ), l AS (SELECT extract(epoch FROM handed - deadline_at) * 1000 AS ms FROM first)
      SELECT min(ms) AS min, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max, count(*)::int AS n FROM l`.execute(database.db);
    const target = engine === 'postgres' ? { p99Ms: 1000 } : null;
    return {
      name: `alarm-latency-${engine}`,
      sessions,
      alerted: stats!.n,
      setupMs,
      latencyMs: { min: Math.round(stats!.min), p50: Math.round(stats!.p50), p99: Math.round(stats!.p99), max: Math.round(stats!.max) },
      ...(target ? { target, met: stats!.p99 <= target.p99Ms && stats!.n === sessions } : {}),
      preparedAhead: prepared,
      burstLeadSeconds: leadSeconds,
      note: 'deadline → first alert message handed to a channel (inbox; no provider configured), engine and dispatcher loops in one process; the worker prompts are prepared up to 90 s ahead and released at the deadline',
    };
  } finally {
    await database?.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
