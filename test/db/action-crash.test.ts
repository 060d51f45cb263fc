/**
 * A tap is never lost, and never done twice, when the process dies in the middle of it.
 *
 * Harbour runs as a real server (a child process) armed with a failpoint that SIGKILLs it at a
 * chosen point inside an action, as the phone's queue sends it (`Harbour-Queue: 1`, an idempotency
 * key). The phone gets no answer, so it sends the same tap again, with the same key, to a server
 * without the failpoint (on PGlite: the same data directory, after the dead one's lock; on
 * PostgreSQL: another instance). The replay must do the action, exactly once, and only then answer
 * with the receipt that lets the phone forget the tap.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { seedDatabase } from '../helpers/services.ts';
import { childProcessDatabase, engineName } from '../helpers/database.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { demo } from '../helpers/app.ts';
import { HttpAgent } from '../helpers/http-agent.ts';
import { exited, freePort, startServer, stop, waitForHealth, killAllServers } from '../helpers/server-process.ts';

let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;
const planned: number[] = [];
const running: number[] = [];

const open = () => openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR, poolSize: 2 });

before(async () => {
  ({ env, cleanup } = await childProcessDatabase(
    { SEED_DEMO: 'false', JOBS: 'false', HOST: '127.0.0.1' },
    { migrated: true },
  ));
  const database = await open();
  try {
    const { services } = await seedDatabase(database);
    const chloe = await actorFor(database.db, demo.worker);
    await services.duress.setPins(chloe, { duressPin: '9111', checkoutPin: '' });
    for (let i = 0; i < 4; i++) planned.push(await services.visits.plan(chloe, buildVisitForm()));
    for (let i = 0; i < 4; i++) {
      const id = await services.visits.plan(chloe, buildVisitForm());
      await services.visits.arrive(chloe, id);
      running.push(id);
    }
  } finally {
    await database.close();
  }
});
after(async () => {
  await killAllServers();
  await cleanup();
});

/** Starts a server (with failpoints if given) and signs Chloe in on it. */
async function server(failpoints?: string): Promise<{ child: ChildProcess; agent: HttpAgent }> {
  const p = await freePort();
  const child = startServer(env, p, failpoints ? { HARBOUR_FAILPOINTS: failpoints } : {});
  await waitForHealth(p, 120_000, child);
  return { child, agent: await new HttpAgent(`http://127.0.0.1:${p}`).signIn(demo.worker, DEMO_PASSWORD) };
}

async function inDatabase<T>(fn: (db: Awaited<ReturnType<typeof open>>['db']) => Promise<T>): Promise<T> {
  const database = await open();
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

/**
 * Sends a tap to a server armed to die at `failpoint`, then the same tap (same key) twice to a fresh
 * server; returns what the replays answered.
 */
async function tapThroughCrash(failpoint: string, path: string, form: Record<string, string>, key: string) {
  const doomed = await server(`${failpoint}=exit`);
  const csrf = await doomed.agent.csrf(path.replace(/\/[a-z-]+$/, ''));
  const body = { _csrf: csrf, idempotency_key: key, ...form };
  await assert.rejects(
    doomed.agent.post(path, body, { 'harbour-queue': '1' }),
    'the phone gets no answer from a process that died mid-action',
  );
  assert.equal(await exited(doomed.child), 'SIGKILL', 'the failpoint killed the process');

  const fresh = await server();
  try {
    const replayCsrf = await fresh.agent.csrf(path.replace(/\/[a-z-]+$/, ''));
    const first = await fresh.agent.post(path, { ...body, _csrf: replayCsrf }, { 'harbour-queue': '1' });
    const again = await fresh.agent.post(path, { ...body, _csrf: replayCsrf }, { 'harbour-queue': '1' });
    return { first, again };
  } finally {
    await stop(fresh.child);
  }
}

describe(`[${engineName}] a tap survives the process dying mid-action`, { timeout: 1_200_000 }, () => {
  for (const point of ['action.claimed', 'action.done']) {
    test(`"I've arrived" killed at ${point}: the replay starts the session, once`, async () => {
      const id = planned.shift()!;
      const key = `arrive-${point.replace('.', '-')}-0001`;
      const { first, again } = await tapThroughCrash(point, `/visits/${id}/arrive`, {}, key);
      assert.equal(first.status, 200, first.body.slice(0, 300));
      assert.deepEqual(
        first.json,
        { receipt: key, location: `/visits/${id}?done=arrived` },
        'the receipt proves the session started',
      );
      assert.deepEqual(again.json, first.json, 'a second replay gets the first answer');
      await inDatabase(async (db) => {
        const visit = await db.selectFrom('visits').select(['state']).where('id', '=', id).executeTakeFirstOrThrow();
        assert.equal(visit.state, 'in_progress');
        const timers = await db
          .selectFrom('timers')
          .select('id')
          .where('kind', '=', 'visit_due')
          .where('subject_id', '=', String(id))
          .where('status', '=', 'pending')
          .execute();
        assert.equal(timers.length, 1, 'one deadline armed');
        const arrived = await db
          .selectFrom('timeline_events')
          .select('id')
          .where('visit_id', '=', id)
          .where('type', '=', 'arrived')
          .execute();
        assert.equal(arrived.length, 1, 'arrived once');
      });
    });
  }

  test('"Visit over" with the duress PIN killed between the alarm and the end: one alarm, and the visit ends', async () => {
    const id = running.shift()!;
    const key = 'duress-pin-crash-0001';
    const { first, again } = await tapThroughCrash('duress.raised', `/visits/${id}/end`, { pin: '9111' }, key);
    assert.equal(first.status, 200, first.body.slice(0, 300));
    assert.deepEqual(
      first.json,
      { receipt: key, location: `/visits/${id}?done=ended` },
      'the answer is the ordinary "Visit over" one',
    );
    assert.deepEqual(again.json, first.json);
    await inDatabase(async (db) => {
      const alarms = await db
        .selectFrom('alerts')
        .select('id')
        .where('visit_id', '=', id)
        .where('kind', '=', 'duress')
        .execute();
      assert.equal(alarms.length, 1, 'exactly one duress alarm');
      const visit = await db.selectFrom('visits').select('state').where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(visit.state, 'completed');
    });
  });

  for (const point of ['action.claimed', 'action.done']) {
    test(`"Request purple file" killed at ${point}: exactly one alarm`, async () => {
      const id = running.shift()!;
      const key = `request-file-${point.replace('.', '-')}-01`;
      const before = await inDatabase((db) =>
        db.selectFrom('alerts').select('id').where('kind', '=', 'duress').where('visit_id', '=', id).execute(),
      );
      assert.equal(before.length, 0);
      const { first, again } = await tapThroughCrash(point, `/visits/${id}/request-file`, {}, key);
      assert.equal(first.status, 200, first.body.slice(0, 300));
      assert.deepEqual(
        first.json,
        { receipt: key, location: `/visits/${id}` },
        'the answer says nothing about an alarm',
      );
      assert.deepEqual(again.json, first.json);
      await inDatabase(async (db) => {
        const alarms = await db
          .selectFrom('alerts')
          .select('id')
          .where('kind', '=', 'duress')
          .where('visit_id', '=', id)
          .execute();
        assert.equal(alarms.length, 1, 'exactly one duress alarm');
      });
    });
  }

  test('a replay that meets the same tap still in flight waits for it and gets its answer; one effect', async () => {
    const id = planned.shift()!;
    const key = 'arrive-in-flight-0001';
    // The first attempt pauses 1.5 s after writing its effect, before committing.
    const slow = await server('action.done=sleep:1500');
    try {
      const csrf = await slow.agent.csrf(`/visits/${id}`);
      const body = { _csrf: csrf, idempotency_key: key };
      const answers = await Promise.all(
        [0, 200, 400].map(async (delay) => {
          await new Promise((r) => setTimeout(r, delay));
          return slow.agent.post(`/visits/${id}/arrive`, body, { 'harbour-queue': '1' });
        }),
      );
      for (const a of answers)
        assert.deepEqual(a.json, { receipt: key, location: `/visits/${id}?done=arrived` }, `status ${a.status}`);
    } finally {
      await stop(slow.child);
    }
    const arrived = await inDatabase((db) =>
      db.selectFrom('timeline_events').select('id').where('visit_id', '=', id).where('type', '=', 'arrived').execute(),
    );
    assert.equal(arrived.length, 1, 'arrived once');
  });

  test('a page instead of a receipt: signed out, the queue gets the sign-in page, not a receipt', async () => {
    const id = planned.shift()!;
    const { child, agent } = await server();
    try {
      const csrf = await agent.csrf(`/visits/${id}`);
      await agent.post('/sign-out', { _csrf: csrf });
      const res = await agent.post(
        `/visits/${id}/arrive`,
        { _csrf: csrf, idempotency_key: 'arrive-signed-out-01' },
        { 'harbour-queue': '1' },
      );
      assert.notEqual(res.status, 200);
      assert.equal(res.json, null, 'no receipt, so the phone keeps the tap');
    } finally {
      await stop(child);
    }
    const state = await inDatabase((db) =>
      sql<{ state: string }>`SELECT state FROM visits WHERE id = ${id}`.execute(db),
    );
    assert.equal(state.rows[0]!.state, 'planned');
  });
});
