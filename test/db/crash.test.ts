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
import { openDatabase } from '../../src/db/database.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { seedDatabase } from '../helpers/services.ts';
import { childProcessDatabase, engineName, onPostgres } from '../helpers/database.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import {
  freePorts,
  kill,
  sleep,
  startServer as startChild,
  stop,
  waitForHealth,
  killAllServers,
} from '../helpers/server-process.ts';
import { assertEveryStepOnce, burst, firedSteps, prepare, STEPS } from '../helpers/escalation-burst.ts';
import { HttpAgent } from '../helpers/http-agent.ts';

const SESSIONS = 500;
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;

before(async () => {
  ({ env, cleanup } = await childProcessDatabase(
    { SEED_DEMO: 'false', JOBS: 'true', HOST: '127.0.0.1' },
    { migrated: true },
  ));
});
after(async () => {
  await killAllServers();
  await cleanup();
});

const open = () => openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR, poolSize: 4 });

const startServer = (port: number) => startChild(env, port);

test(
  `[${engineName}] every due step fires exactly once through SIGKILLs and restarts`,
  { timeout: 300_000 },
  async () => {
    let database = await open();
    await prepare(database, SESSIONS);
    // PGlite's data directory must not be written by two processes at once: there the burst is set
    // before the server starts, with time for it to start. PostgreSQL takes it once they are up.
    if (!onPostgres) await burst(database, 8);
    await database.close();

    const instances = onPostgres ? 2 : 1;
    const ports = await freePorts(instances);
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
    const deadline = Date.now() + 120_000;
    let done = 0;
    if (onPostgres) {
      database = await open();
      while (Date.now() < deadline) {
        done = await firedSteps(database);
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
        done = await firedSteps(database);
        if (process.env.CRASH_DEBUG) console.log(new Date().toISOString(), 'steps fired', done);
        if (done >= SESSIONS * STEPS || Date.now() > deadline) break;
        await database.close();
        children[0] = startServer(ports[0]!);
        await waitForHealth(ports[0]!);
      }
    }

    try {
      await assertEveryStepOnce(database, SESSIONS, { preparedAhead: onPostgres });
    } finally {
      await database.close();
    }
  },
);

/**
 * Taps through the routes the phone uses while SIGKILLs land. Each worker's phone sends "I've
 * arrived" and "Request purple file" taps (each with its own idempotency key, `Harbour-Queue: 1`),
 * and does what public/offline.js does: a tap stays on the phone, and is sent again with the same
 * key, until Harbour answers with its receipt. None may be lost, refused or done twice.
 */
test(
  `[${engineName}] taps sent as the phone sends them are neither lost nor doubled through SIGKILLs`,
  { timeout: 300_000 },
  async (t) => {
    const taps = await childProcessDatabase(
      { SEED_DEMO: 'false', JOBS: 'true', HOST: '127.0.0.1', SIGN_IN_RATE_LIMIT: '1000' },
      { migrated: true },
    );
    const openTaps = () =>
      openDatabase({ databaseUrl: taps.env.DATABASE_URL, pgliteDataDir: taps.env.PGLITE_DATA_DIR, poolSize: 2 });
    const ARRIVE = 60,
      FILE = 40;
    const plan: { email: string; path: string; visitId: number; kind: 'arrive' | 'file' }[] = [];
    let database = await openTaps();
    try {
      const { services } = await seedDatabase(database);
      const workers = await database.db
        .selectFrom('staff')
        .innerJoin('accounts', 'accounts.staff_id', 'staff.id')
        .select('accounts.email')
        .where('staff.team_id', 'is not', null)
        .where('staff.buddy_id', 'is not', null)
        .execute();
      for (let i = 0; i < ARRIVE + FILE; i++) {
        const email = workers[i % workers.length]!.email;
        const actor = await actorFor(database.db, email);
        const visitId = await services.visits.plan(actor, buildVisitForm());
        if (i >= ARRIVE) await services.visits.arrive(actor, visitId);
        plan.push({
          email,
          visitId,
          kind: i < ARRIVE ? 'arrive' : 'file',
          path: i < ARRIVE ? `/visits/${visitId}/arrive` : `/visits/${visitId}/request-file`,
        });
      }
    } finally {
      await database.close();
    }

    const instances = onPostgres ? 2 : 1;
    const ports = await freePorts(instances);
    const children: ChildProcess[] = ports.map((p) => startChild(taps.env, p));
    await Promise.all(ports.map((p) => waitForHealth(p)));
    const phones = new Map<string, { agent: HttpAgent; csrf: string }>();
    for (const email of new Set(plan.map((t) => t.email))) {
      const agent = await new HttpAgent(`http://127.0.0.1:${ports[0]}`).signIn(email, DEMO_PASSWORD);
      phones.set(email, { agent, csrf: await agent.csrf('/visits') });
    }

    // The phones: one tap every 150 ms, each sent until its receipt comes back (any instance will do).
    const attempts: number[] = [];
    const refused: string[] = [];
    // Set when the test fails (or times out, t.signal) before the phones are done, so they stop
    // retrying a dead server for ever, which kept the file, and the whole test run, from finishing.
    let givenUp = false;
    const sendAll = Promise.all(
      plan.map(async (tap, i) => {
        await sleep(i * 150);
        const phone = phones.get(tap.email)!;
        const key = `crash-tap-${tap.kind}-${tap.visitId}`;
        for (let n = 1; !givenUp && !t.signal.aborted; n++) {
          phone.agent.baseUrl = `http://127.0.0.1:${ports[n % instances]}`;
          try {
            const res = await phone.agent.post(
              tap.path,
              { _csrf: phone.csrf, idempotency_key: key },
              { 'harbour-queue': '1' },
            );
            if (res.status === 200 && (res.json as { receipt?: string } | null)?.receipt === key) {
              attempts.push(n);
              return;
            }
            if (res.status >= 400 && res.status < 500 && res.status !== 409) {
              refused.push(`${tap.path}: ${res.status}`);
              return;
            }
          } catch {
            /* no answer: the instance died under it */
          }
          await sleep(100);
        }
      }),
    );

    // Meanwhile: kill an instance five times, restarting it each time.
    try {
      for (let k = 0; k < 5; k++) {
        await sleep(800 + Math.floor(Math.random() * 1200));
        const i = k % instances;
        await kill(children[i]!);
        children[i] = startChild(taps.env, ports[i]!);
        await waitForHealth(ports[i]!);
      }
    } catch (err) {
      givenUp = true;
      throw err;
    }
    await sendAll;
    await Promise.all(children.map((c) => stop(c)));

    database = await openTaps();
    try {
      assert.deepEqual(refused, [], 'no tap refused (a refusal would mean its effect was there without its key)');
      assert.equal(attempts.length, ARRIVE + FILE, 'every tap got its receipt');
      const arrivals = await database.db
        .selectFrom('timeline_events')
        .select(['visit_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('type', '=', 'arrived')
        .where(
          'visit_id',
          'in',
          plan.filter((t) => t.kind === 'arrive').map((t) => t.visitId),
        )
        .groupBy('visit_id')
        .execute();
      assert.equal(arrivals.length, ARRIVE, 'every "I\'ve arrived" started its session');
      assert.ok(
        arrivals.every((a) => Number(a.n) === 1),
        'and only once',
      );
      const started = await database.db
        .selectFrom('visits')
        .select('id')
        .where('state', '=', 'planned')
        .where(
          'id',
          'in',
          plan.map((t) => t.visitId),
        )
        .execute();
      assert.deepEqual(started, [], 'no session left planned');
      const alarms = await database.db
        .selectFrom('alerts')
        .select(['visit_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('kind', '=', 'duress')
        .groupBy('visit_id')
        .execute();
      assert.equal(alarms.length, FILE, 'every "Request purple file" raised its alarm');
      assert.ok(
        alarms.every((a) => Number(a.n) === 1),
        'one alarm each',
      );
      const raised = await sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM audit_log WHERE action = 'duress.raise'`.execute(database.db);
      assert.equal(raised.rows[0]!.n, FILE, 'each alarm raised once');
      if (process.env.CRASH_DEBUG) console.log('taps resent after a kill:', attempts.filter((n) => n > 1).length);
    } finally {
      await database.close();
      await taps.cleanup();
    }
  },
);
