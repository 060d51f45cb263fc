import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
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
import { NOTIFY_API_KEY, startNotifyStub, type NotifyStub } from '../test/helpers/notifications.ts';

const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';

/**
 * Alarm latency: N running sessions whose deadlines all pass in one burst. Measures, for each
 * session, the time from its deadline to its first alert message being handed to a channel
 * (notifications.handed_at), as the real engine and dispatcher loops run in this process. With
 * `notify`, text messages go to a local stub that speaks GOV.UK Notify's API (in this process) and
 * the time to the stub accepting the text (notifications.accepted_at) is measured too.
 */
export async function benchAlarmLatency(
  engine: 'pglite' | 'postgres',
  sessions: number,
  options: { notify?: boolean } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-bench-alarm-'));
  let drop: (() => Promise<void>) | undefined;
  let database: Database | undefined;
  const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
  let stub: NotifyStub | undefined;
  try {
    // BENCH_NOTIFY_RATE_PER_MINUTE: the stub keeps Notify's rate limit (answering 429 beyond it) and
    // Harbour keeps it too (NOTIFY_RATE_LIMIT_PER_MINUTE). Unset: no limit on either side, so the
    // figures are Harbour's own throughput.
    const ratePerMinute = Number(process.env.BENCH_NOTIFY_RATE_PER_MINUTE ?? 0);
    if (options.notify) {
      stub = await startNotifyStub();
      if (ratePerMinute > 0) stub.limitRate(ratePerMinute);
    }
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
    const services = buildServices(repos, {
      sessionTtlHours: 12,
      instanceId: 'bench',
      baseUrl: 'http://localhost:3000',
      engineConcurrency: engine === 'postgres' ? Number(process.env.BENCH_ENGINE_CONCURRENCY ?? 2) : 1,
      ...(stub ? { channelPlan: { channel: 'sms' as const, fallbacks: ['inbox' as const] } } : {}),
    });

    // N sessions in progress for the demo staff, checked in with one shared deadline: the burst.
    // Sessions are checked in long before their deadline in real life; 30 s ahead gives the engine
    // its usual chance to prepare the workers' prompts.
    const leadSeconds = Number(process.env.BENCH_BURST_LEAD_SECONDS ?? 30);
    const t0 = Date.now();
    const {
      rows: [burst],
    } = await sql<{ at: Date }>`SELECT now() + make_interval(secs => ${leadSeconds}) AS at`.execute(database.db);
    await sql`
      WITH w AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i, count(*) OVER () AS n FROM staff WHERE team_id IS NOT NULL)
      INSERT INTO visits (worker_id, kind, starts_at, ends_at, postcode, state, arrived_at, due_at)
      SELECT w.id, 'visit', now() - interval '1 hour', ${burst!.at}, 'TN23 1AA', 'in_progress', now() - interval '1 hour', ${burst!.at}
      FROM generate_series(0, ${sessions - 1}) g JOIN w ON w.i = g % w.n`.execute(database.db);
    await sql`INSERT INTO timers (kind, subject_id, seq, fire_at) SELECT 'visit_due', id, 0, due_at FROM visits WHERE state = 'in_progress'`.execute(
      database.db,
    );
    if (engine === 'postgres') await sql`ANALYZE`.execute(database.db);
    const setupMs = Date.now() - t0;

    const config = loadConfig({
      ...process.env,
      DATABASE_URL: '',
      SMTP_URL: '',
      SMTP_FROM: '',
      NOTIFY_API_KEY: '',
      NOTIFY_BASE_URL: '',
      NOTIFY_SMS_TEMPLATE_ID: '',
      NOTIFY_EMAIL_TEMPLATE_ID: '',
      ...(stub
        ? {
            NOTIFY_API_KEY,
            NOTIFY_BASE_URL: stub.url,
            NOTIFY_SMS_TEMPLATE_ID: SMS_TEMPLATE,
            NOTIFY_RATE_LIMIT_PER_MINUTE: String(ratePerMinute),
          }
        : {}),
    });
    const notifications = await startNotificationWorkers({
      db: database.db,
      config,
      logger,
      idleMs: 50,
      ...(process.env.BENCH_SEND_CONCURRENCY ? { concurrency: Number(process.env.BENCH_SEND_CONCURRENCY) } : {}),
    });
    // One engine loop by default; BENCH_ENGINE_LOOPS=2 runs two, as two instances would (SKIP LOCKED splits the work).
    const loopCount = Number(process.env.BENCH_ENGINE_LOOPS ?? 1);
    const loops = Array.from({ length: loopCount }, (_, i) =>
      startLoop(
        `escalation-${i}`,
        async () => {
          const r = await services.engine.pass();
          if (r.queued) notifications.wake();
          return { more: r.more, nextInMs: r.nextInMs };
        },
        50,
        logger,
      ),
    );

    const deadline = Date.now() + Number(process.env.BENCH_ALARM_MAX_SECONDS ?? 600) * 1000;
    let handed = 0;
    // The machine is shared: the 1-minute load average while the burst runs says how much of it this bench had.
    const loads: number[] = [];
    while (Date.now() < deadline) {
      // Checked every 2 s: the count is a scan, and it must not compete with the burst it measures.
      await new Promise((r) => setTimeout(r, 2000));
      const { rows } = stub
        ? await sql<{
            n: number;
          }>`SELECT count(DISTINCT alert_id)::int AS n FROM notifications WHERE step = 0 AND accepted_at IS NOT NULL`.execute(
            database.db,
          )
        : await sql<{
            n: number;
          }>`SELECT count(DISTINCT alert_id)::int AS n FROM notifications WHERE step = 0 AND handed_at IS NOT NULL`.execute(
            database.db,
          );
      handed = rows[0]!.n;
      loads.push(loadavg()[0]!);
      if (handed >= sessions) break;
    }
    await Promise.all(loops.map((l) => l.stop()));
    const {
      rows: [{ prepared }],
    } = (await sql<{
      prepared: number;
    }>`SELECT count(*)::int AS prepared FROM notifications WHERE visit_id IS NOT NULL`.execute(database.db)) as {
      rows: [{ prepared: number }];
    };
    await notifications.stop();

    const {
      rows: [stats],
    } = await sql<{ min: number; p50: number; p99: number; max: number; n: number }>`
      WITH first AS (
        SELECT a.id, min(n.handed_at) AS handed, a.deadline_at FROM alerts a JOIN notifications n ON n.alert_id = a.id AND n.step = 0
        WHERE n.handed_at IS NOT NULL GROUP BY a.id, a.deadline_at
      ), l AS (SELECT extract(epoch FROM handed - deadline_at) * 1000 AS ms FROM first)
      SELECT min(ms) AS min, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max, count(*)::int AS n FROM l`.execute(
      database.db,
    );
    const target = engine === 'postgres' ? { p99Ms: 1000 } : null;
    const accepted = stub ? await acceptedLatency(database) : null;
    return {
      name: `alarm-latency-${engine}${stub ? '-notify' : ''}`,
      sessions,
      alerted: stats!.n,
      setupMs,
      latencyMs: {
        min: Math.round(stats!.min),
        p50: Math.round(stats!.p50),
        p99: Math.round(stats!.p99),
        max: Math.round(stats!.max),
      },
      ...(target ? { target, met: stats!.p99 <= target.p99Ms && stats!.n === sessions } : {}),
      preparedAhead: prepared,
      burstLeadSeconds: leadSeconds,
      loadAverage1m: { min: Math.min(...loads), max: Math.max(...loads) },
      ...(accepted && stub
        ? {
            toNotifyAccepted: {
              ...accepted,
              target: engine === 'postgres' ? { p99Ms: 2000 } : null,
              met: engine === 'postgres' ? accepted.latencyMs.p99 <= 2000 && accepted.alerts === sessions : null,
              textsReceived: stub.requests.length,
              duplicateTexts: duplicates(stub),
              answered429: stub.rateLimited,
              stubRateLimitPerMinute: ratePerMinute || null,
            },
            againstNotifyRateLimit: notifyLimitNote(sessions),
          }
        : {}),
      note: stub
        ? `latencyMs: deadline → first alert message handed to the text channel; toNotifyAccepted: deadline → the local Notify-protocol stub (same process) accepted the text; engine, dispatcher and stub in one process; ${ratePerMinute ? `stub and Harbour keep a limit of ${ratePerMinute} a minute` : 'no rate limit on the stub or in Harbour (see againstNotifyRateLimit)'}`
        : 'deadline → first alert message handed to a channel (inbox; no provider configured), engine and dispatcher loops in one process; the worker prompts are prepared up to 90 s ahead and released at the deadline',
    };
  } finally {
    await stub?.close();
    await database?.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What a burst of this many texts means against GOV.UK Notify's real limit: 3,000 requests a minute
 * per API key, a token bucket that lets 1,001 through at once and then 50 a second, 429
 * RateLimitError beyond. Worked out, not measured.
 */
export function notifyLimitNote(texts: number, perMinute = 3_000) {
  const burst = Math.min(Math.ceil(perMinute / 3) + 1, 1001);
  const perSecond = perMinute / 60;
  const lastAfterSeconds = Math.max(0, (texts - burst) / perSecond);
  const p99AfterSeconds = Math.max(0, (Math.ceil(texts * 0.99) - burst) / perSecond);
  return {
    notifyRateLimitPerMinute: perMinute,
    burst,
    fastestP99Seconds: Math.round(p99AfterSeconds),
    lastTextAfterSeconds: Math.round(lastAfterSeconds),
    textsWithinTwoSeconds: Math.min(texts, burst + 2 * perSecond),
    rateNeededForP99TwoSecondsPerMinute: Math.ceil(Math.max(0, Math.ceil(texts * 0.99) - burst) / 2) * 60,
    note:
      `With one API key at Notify's limit, ${texts.toLocaleString('en-GB')} texts in one burst cannot all reach Notify within 2 s: ` +
      `${burst} go at once, then ${perSecond} a second, so the 99th percentile is at least ${Math.round(p99AfterSeconds)} s after the deadline. ` +
      "The 2 s target is measured against a stub with no limit (Harbour's own throughput); meeting it in service needs Notify to raise the " +
      "key's limit to the figure above, or fewer texts per burst. Harbour keeps the limit (NOTIFY_RATE_LIMIT_PER_MINUTE) and treats a 429 as wait-and-retry on the same channel.",
  };
}

/** Deadline → Notify accepted the step-0 text, per alert. */
async function acceptedLatency(database: Database) {
  const {
    rows: [a],
  } = await sql<{ p50: number; p99: number; max: number; n: number }>`
    WITH first AS (
      SELECT a.id, min(n.accepted_at) AS accepted, a.deadline_at FROM alerts a JOIN notifications n ON n.alert_id = a.id AND n.step = 0
      WHERE n.accepted_at IS NOT NULL GROUP BY a.id, a.deadline_at
    ), l AS (SELECT extract(epoch FROM accepted - deadline_at) * 1000 AS ms FROM first)
    SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max, count(*)::int AS n FROM l`.execute(
    database.db,
  );
  return { alerts: a!.n, latencyMs: { p50: Math.round(a!.p50), p99: Math.round(a!.p99), max: Math.round(a!.max) } };
}

/** Texts the stub received more than once for one notification (reference). */
function duplicates(stub: NotifyStub): number {
  const seen = new Map<string, number>();
  for (const r of stub.requests) seen.set(String(r.body.reference), (seen.get(String(r.body.reference)) ?? 0) + 1);
  return [...seen.values()].filter((n) => n > 1).length;
}
