import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { engineName, openTestDatabase } from '../helpers/database.ts';

/**
 * Issue 13: an engine that says when it is behind. A lock held on `timers` (a long migration, a
 * VACUUM FULL, a stuck transaction) stops the engine; /health and /metrics must answer anyway, and
 * say so.
 */

const TOKEN = 'test-metrics-token-0123456789';
let database: Awaited<ReturnType<typeof openTestDatabase>>;
let app: FastifyInstance;

const metric = (text: string, name: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line, `${name} in the metrics`);
  return Number(line.split(' ')[1]);
};
const scrape = async () => {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.statusCode, 200);
  return res.body;
};

before(async () => {
  database = await openTestDatabase();
  const services = buildServices(buildRepositories(database.db));
  app = await buildApp(services, {
    cookieSecure: false,
    monitoring: { engineLagLimitSeconds: 5, metricsToken: TOKEN },
    // As the runtime's: a query of its own (on PGlite it needs the connection a stuck transaction holds).
    health: async () => ({
      status: 'ok',
      database: engineName,
      migration: String((await sql<{ v: number }>`SELECT 1 AS v`.execute(database.db)).rows[0]!.v),
      jobs: 'off',
      channels: { sms: true, email: false, push: false },
    }),
  });
  await app.ready();
});
after(async () => {
  await app.close();
  await database.drop();
});

describe(`[${engineName}] /health and /metrics`, () => {
  test('/metrics needs the token', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal(
      (
        await app.inject({
          method: 'GET',
          url: '/metrics',
          headers: { authorization: 'Bearer wrong-token-0123456789abcd' },
        })
      ).statusCode,
      401,
    );
    const body = await scrape();
    for (const name of [
      'harbour_engine_lag_seconds',
      'harbour_dispatcher_lag_seconds',
      'harbour_timers_due',
      'harbour_engine_behind',
    ])
      metric(body, name);
    assert.match(body, /# TYPE harbour_alarm_latency_seconds histogram/);
    assert.match(body, /# TYPE harbour_deliveries_total counter/);
  });

  test('a due timer within the limit: 200 with the figures; past the limit: 503 with the reason', async () => {
    await database.db
      .insertInto('heartbeats')
      .values({ instance: 'web-1', loop: 'escalation', at: new Date() })
      .execute();
    await sql`INSERT INTO timers (kind, subject_id, seq, fire_at) VALUES ('visit_due', 990001, 0, now() - interval '1 second')`.execute(
      database.db,
    );
    let res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    let body = res.json();
    assert.equal(body.status, 'ok');
    assert.equal(body.engine.timersDue, 1);
    assert.ok(body.engine.oldestDueTimerSeconds >= 1 && body.engine.oldestDueTimerSeconds < 5);
    assert.ok(body.engine.lastPass.escalation.instances['web-1'], 'last pass of each loop, per instance');

    await sql`UPDATE timers SET fire_at = now() - interval '12 seconds' WHERE subject_id = 990001`.execute(database.db);
    res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 503);
    body = res.json();
    assert.equal(body.status, 'degraded');
    assert.match(body.reason, /escalation engine is 1\d s behind/);
    assert.ok(metric(await scrape(), 'harbour_engine_lag_seconds') >= 12);
    await sql`DELETE FROM timers WHERE subject_id = 990001`.execute(database.db);
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });

  test('a lock held on timers: /health answers 503 in about a second and the lag metric rises', async () => {
    await sql`INSERT INTO timers (kind, subject_id, seq, fire_at) VALUES ('visit_due', 990002, 0, now() - interval '1 second')`.execute(
      database.db,
    );
    const before = metric(await scrape(), 'harbour_engine_lag_seconds');
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const stall = database.db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE timers`.execute(trx);
      locked();
      await held;
    });
    try {
      await isLocked;
      const started = Date.now();
      const res = await app.inject({ method: 'GET', url: '/health' });
      const took = Date.now() - started;
      assert.equal(res.statusCode, 503);
      assert.match(res.json().reason, /did not answer .* counted as behind/);
      assert.ok(took < 5_000, `health answered in ${took} ms`);
      await new Promise((r) => setTimeout(r, 300));
      const during = await scrape();
      assert.ok(
        metric(during, 'harbour_engine_lag_seconds') > before,
        'the lag metric rises while the engine is stalled',
      );
      assert.equal(metric(during, 'harbour_engine_behind'), 1);
    } finally {
      release();
      await stall;
    }
    await sql`DELETE FROM timers WHERE subject_id = 990002`.execute(database.db);
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });
});

/** Issue 15: "Service status" is a page people can read, from the same reading as /health. */
describe(`[${engineName}] /status`, () => {
  const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  test('open without signing in: says in plain English that alarms are on time, each loop’s last pass and the channels set up', async () => {
    await database.db
      .insertInto('heartbeats')
      .values({ instance: 'web-secret-host:123', loop: 'notifications', at: new Date(Date.now() - 4_000) })
      .onConflict((oc) => oc.columns(['instance', 'loop']).doUpdateSet({ at: new Date(Date.now() - 4_000) }))
      .execute();
    const res = await app.inject({ method: 'GET', url: '/status' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    const body = text(res.body);
    assert.match(body, /Service status/);
    assert.match(body, /Alarms are being processed on time/);
    assert.match(body, /Escalation engine On time: no deadline or alarm step is waiting/);
    assert.match(body, /Message dispatcher: texts, push, email and the inbox .* \d+ seconds ago/);
    assert.match(body, /Text message: Set up/);
    assert.match(body, /Email: Not set up/);
    assert.match(body, /Harbour inbox: Set up/);
    assert.match(body, /Background jobs are switched off on this server/);
    assert.ok(!res.body.includes('web-secret-host'), 'no host or instance names');
    // /health stays the JSON it was: the channels are not added to it.
    const health = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(health.json().channels, undefined);
    assert.deepEqual(Object.keys(health.json()).slice(0, 4), ['status', 'database', 'migration', 'jobs']);
  });

  test('a timer past the limit: "Alarms may be delayed", with the reason and what to do', async () => {
    await sql`INSERT INTO timers (kind, subject_id, seq, fire_at) VALUES ('visit_due', 990003, 0, now() - interval '2 minutes')`.execute(
      database.db,
    );
    try {
      const res = await app.inject({ method: 'GET', url: '/status' });
      assert.equal(res.statusCode, 200);
      const body = text(res.body);
      assert.match(body, /Alarms may be delayed/);
      assert.match(body, /The escalation engine is 1\d\d s behind/);
      assert.match(body, /Escalation engine Behind: the oldest deadline or alarm step due has waited 2 minutes/);
      assert.match(body, /do not wait for Harbour: phone them/);
    } finally {
      await sql`DELETE FROM timers WHERE subject_id = 990003`.execute(database.db);
    }
  });
});
