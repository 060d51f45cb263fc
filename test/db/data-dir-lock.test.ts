/**
 * One process per embedded (PGlite) data directory: a second Harbour on the same directory stops at
 * once with a message naming the directory and the process that holds it, and a lock left by a
 * process that was killed is taken over by the next start. (PostgreSQL takes any number of instances.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { childProcessDatabase, onPostgres } from '../helpers/database.ts';
import {
  exited,
  freePorts,
  kill,
  startServer,
  stop,
  waitForHealth,
  killAllServers,
} from '../helpers/server-process.ts';

let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;

before(async () => {
  ({ env, cleanup } = await childProcessDatabase(
    { SEED_DEMO: 'false', JOBS: 'true', HOST: '127.0.0.1' },
    { migrated: true },
  ));
  delete env.DATABASE_URL; // Always the embedded database, whatever the tier runs on.
});
after(async () => {
  await killAllServers();
  await cleanup();
});

test(
  'a second process on one PGlite directory is refused; a killed holder’s lock is taken over',
  { skip: onPostgres ? 'embedded database only' : false, timeout: 120_000 },
  async () => {
    const [port1, port2, port3] = (await freePorts(3)) as [number, number, number];
    const first = startServer(env, port1);
    await waitForHealth(port1, 60_000, first);

    const second = startServer(env, port2);
    let stderr = '';
    second.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const t0 = Date.now();
    const code = await exited(second);
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(code, 75, 'exits non-zero');
    assert.ok(seconds < 15, `refused within seconds (${seconds.toFixed(1)} s)`);
    assert.match(stderr, new RegExp(`in use by process ${first.pid}`), stderr);
    assert.ok(stderr.includes(env.PGLITE_DATA_DIR!), 'names the directory');
    assert.ok((await fetch(`http://127.0.0.1:${port1}/health`)).ok, 'the first carries on');

    // Killed without a chance to remove its lock: the next start finds it stale and takes over.
    await kill(first);
    const third = startServer(env, port3);
    await waitForHealth(port3, 60_000, third);
    await stop(third);
  },
);
