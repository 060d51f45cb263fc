import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';
import { buildRepositories, buildServices } from '../src/composition.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { createPostgresDatabase } from '../test/helpers/database.ts';
import { actorFor, buildVisitForm } from '../test/helpers/lone-working.ts';

async function waitForHealth(port: number) {
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

function load(
  url: string,
  body: string,
  seconds: number,
  targets: { path: string; token: string }[] | null,
): Promise<autocannon.Result> {
  let n = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        connections: 20,
        duration: seconds,
        requests: [
          {
            setupRequest: (req) => {
              if (!targets) return req;
              const t = targets[n++ % targets.length]!;
              return { ...req, path: t.path, headers: { ...req.headers, authorization: `Bearer ${t.token}` } };
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

/**
 * Check-in throughput over HTTP: POST /api/v1/visits/:id/check-ins (bearer token, JSON Schema and
 * service rules, a transaction with two writes) against a bare route that inserts one row, in the
 * same server process and run. The server is a separate process from the load generator. The
 * check-ins go to 200 running sessions of 20 workers, each with their own token.
 */
export async function benchCheckIn(engine: 'pglite' | 'postgres', seconds = 10) {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-bench-checkin-'));
  let drop: (() => Promise<void>) | undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    BENCH_BARE_ROUTE: 'true',
    HOST: '127.0.0.1',
    PORT: '3931',
    PGLITE_DATA_DIR: join(dir, 'data'),
  };
  delete env.DATABASE_URL;
  if (engine === 'postgres') {
    process.env.TEST_DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
    const created = await createPostgresDatabase();
    drop = created.drop;
    env.DATABASE_URL = created.url;
  }
  const database = await openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR });
  let server;
  try {
    await migrate(database);
    const repos = buildRepositories(database.db);
    await seedDemo(database.db, repos.audit);
    const services = buildServices(repos);
    // 200 running sessions across the demo workers, each worker with their own API token, so the
    // load is many people checking in (as in life), not one row being updated by everyone.
    const workers = await database.db
      .selectFrom('staff')
      .innerJoin('accounts', 'accounts.staff_id', 'staff.id')
      .select('accounts.email')
      .where('staff.team_id', 'is not', null)
      .execute();
    const targets: { path: string; token: string }[] = [];
    for (let i = 0; i < 200; i++) {
      const actor = await actorFor(database.db, workers[i % workers.length]!.email);
      const visitId = await services.visits.plan(actor, buildVisitForm());
      await services.visits.arrive(actor, visitId);
      const { token } = await services.auth.createApiToken(null, actor.accountId, `bench ${i}`, null);
      targets.push({ path: `/api/v1/visits/${visitId}/check-ins`, token });
    }
    // Long deadlines so the sessions stay running through the run.
    await sql`UPDATE visits SET due_at = now() + interval '2 hours' WHERE state = 'in_progress'`.execute(database.db);
    await sql`UPDATE timers SET fire_at = now() + interval '2 hours' WHERE kind = 'visit_due'`.execute(database.db);
    await database.close();

    // BENCH_CPU_PROF_DIR=<dir> writes the server's CPU profile there (open it in Chrome DevTools).
    const profile = process.env.BENCH_CPU_PROF_DIR
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
      : [];
    server = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/server.ts'], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });

    await waitForHealth(3931);
    const body = JSON.stringify({ lat: 51.14, lng: 0.87 });
    await load('http://127.0.0.1:3931/', body, 2, targets); // warm-up
    const checkIns = await load('http://127.0.0.1:3931/', body, seconds, targets);
    const bare = await load('http://127.0.0.1:3931/api/bench/bare', '{}', seconds, null);
    const ratio = checkIns.requests.average / bare.requests.average;
    return {
      name: `checkin-throughput-${engine}`,
      seconds,
      checkIn: {
        requestsPerSec: Math.round(checkIns.requests.average),
        p99Ms: checkIns.latency.p99,
        non2xx: checkIns.non2xx,
        errors: checkIns.errors,
      },
      bareInsert: {
        requestsPerSec: Math.round(bare.requests.average),
        p99Ms: bare.latency.p99,
        non2xx: bare.non2xx,
        errors: bare.errors,
      },
      ratio: Math.round(ratio * 100) / 100,
      target: { ratio: 0.5 },
      met: ratio >= 0.5 && checkIns.non2xx === 0,
    };
  } finally {
    if (server)
      await new Promise((r) => {
        server!.once('exit', r);
        server!.kill('SIGTERM');
      });
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
