/**
 * Harbour outlives its database connection. A TCP proxy sits between a Harbour instance and
 * PostgreSQL and resets every connection twelve times during an escalation burst (as a failover,
 * a restart, pg_terminate_backend or a network fault would). The process must never exit, /health
 * must say 503 while the database is unreachable and 200 again after, and every step due during the
 * cuts must fire exactly once after the connection comes back. PostgreSQL only: PGlite is in-process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase, type Database } from '../../src/db/database.ts';
import { childProcessDatabase, onPostgres } from '../helpers/database.ts';
import { freePort, sleep, startServer, stop, waitForHealth, killAllServers } from '../helpers/server-process.ts';
import { assertEveryStepOnce, burst, firedSteps, prepare, STEPS } from '../helpers/escalation-burst.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

const SESSIONS = 200;
const CUTS = 12;
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;
let proxy: TcpProxy;

before(async () => {
  if (!onPostgres) return;
  ({ env, cleanup } = await childProcessDatabase(
    { SEED_DEMO: 'false', JOBS: 'true', HOST: '127.0.0.1' },
    { migrated: true },
  ));
  const direct = new URL(env.DATABASE_URL!);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
});
after(async () => {
  await killAllServers();
  await proxy?.close();
  await cleanup?.();
});

test(
  '[postgres] the process survives connection cuts and fires every step once after them',
  { skip: onPostgres ? false : 'PostgreSQL only', timeout: 300_000 },
  async () => {
    const open = () => openDatabase({ databaseUrl: env.DATABASE_URL, poolSize: 2 });
    let database: Database = await open();
    await prepare(database, SESSIONS);
    await database.close();

    const proxied = new URL(env.DATABASE_URL!);
    proxied.port = String(proxy.port);
    const port = await freePort();
    const child = startServer(env, port, { DATABASE_URL: proxied.toString() });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await waitForHealth(port, 60_000, child);

    database = await open();
    await burst(database, 2);
    // Cut every connection every 700 ms, each time down for 300 ms, through the burst and its steps.
    const healthDuringCuts: number[] = [];
    for (let i = 0; i < CUTS; i++) {
      await sleep(400);
      proxy.cut(300);
      healthDuringCuts.push((await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status ?? 0);
      await sleep(300);
      assert.equal(
        child.exitCode ?? child.signalCode,
        null,
        `the process is still running after cut ${i + 1}: ${stderr.slice(-2000)}`,
      );
    }
    assert.ok(
      healthDuringCuts.includes(503),
      `/health said 503 while the database was unreachable (${healthDuringCuts.join(',')})`,
    );

    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (await firedSteps(database)) < SESSIONS * STEPS) await sleep(250);
    assert.equal(child.exitCode ?? child.signalCode, null, `the process never exited: ${stderr.slice(-2000)}`);
    assert.equal(
      (await fetch(`http://127.0.0.1:${port}/health`)).status,
      200,
      'healthy again once the database is back',
    );
    try {
      await assertEveryStepOnce(database, SESSIONS, { preparedAhead: false });
    } finally {
      await database.close();
      await stop(child);
    }
    assert.equal(proxy.cuts, CUTS);
  },
);
