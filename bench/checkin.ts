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
    try { if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

function load(url: string, headers: Record<string, string>, body: string, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, connections: 20, duration: seconds }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/**
 * Check-in throughput over HTTP: POST /api/v1/visits/:id/check-ins (bearer token, JSON Schema and
 * service rules, a transaction with two writes) against a bare route that inserts one row, in the
 * same server process and run. The server is a separate process from the load generator.
 */
export async function benchCheckIn(engine: 'pglite' | 'postgres', seconds = 10) {
  const dir = mkdtempSync(join(tmpdir(), 'harbour-bench-checkin-'));
  let drop: (() => Promise<void>) | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', SEED_DEMO: 'false', BENCH_BARE_ROUTE: 'true', HOST: '127.0.0.1', PORT: '3931', PGLITE_DATA_DIR: join(dir, 'data') };
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
    const chloe = await actorFor(database.db, 'chloe.davies@harbour.example');
    const visitId = await services.visits.plan(chloe, buildVisitForm());
    await services.visits.arrive(chloe, visitId);
    // Long deadline so the session stays running through the run.
    await sql`UPDATE visits SET due_at = now() + interval '2 hours' WHERE id = ${visitId}`.execute(database.db);
    await sql`UPDATE timers SET fire_at = now() + interval '2 hours' WHERE kind = 'visit_due' AND subject_id = ${visitId}`.execute(database.db);
    const { token } = await services.auth.createApiToken(null, chloe.accountId, 'bench', null);
    await database.close();

    server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

    await waitForHealth(3931);
    const body = JSON.stringify({ lat: 51.14, lng: 0.87 });
    await load(`http://127.0.0.1:3931/api/v1/visits/${visitId}/check-ins`, { authorization: `Bearer ${token}` }, body, 2); // warm-up
    const checkIns = await load(`http://127.0.0.1:3931/api/v1/visits/${visitId}/check-ins`, { authorization: `Bearer ${token}` }, body, seconds);
    const bare = await load('http://127.0.0.1:3931/api/bench/bare', {}, '{}', seconds);
    const ratio = checkIns.requests.average / bare.requests.average;
    return {
      name: `checkin-throughput-${engine}`,
      seconds,
      checkIn: { requestsPerSec: Math.round(checkIns.requests.average), p99Ms: checkIns.latency.p99, non2xx: checkIns.non2xx, errors: checkIns.errors },
      bareInsert: { requestsPerSec: Math.round(bare.requests.average), p99Ms: bare.latency.p99, non2xx: bare.non2xx, errors: bare.errors },
      ratio: Math.round(ratio * 100) / 100,
      target: { ratio: 0.5 },
      met: ratio >= 0.5 && checkIns.non2xx === 0,
    };
  } finally {
    if (server) await new Promise((r) => { server!.once('exit', r); server!.kill('SIGTERM'); });
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  }
}
