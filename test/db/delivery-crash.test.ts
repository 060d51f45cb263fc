/**
 * Issue 13: at most one text per step and recipient, through SIGKILLs. Sessions go overdue in a burst
 * and escalate (five steps a second apart) while the server processes are killed and restarted. The
 * Notify-protocol stub is slow (it keeps each text at once and answers 200 ms later), so kills land
 * between Notify accepting a text and Harbour recording it: the next dispatcher must ask Notify by
 * reference and not send it again.
 *
 * On PostgreSQL two instances run at once (and are killed in turn); PGlite runs one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.ts';
import { childProcessDatabase, engineName, onPostgres } from '../helpers/database.ts';
import {
  freePorts,
  kill,
  killAllServers,
  sleep,
  startServer as startChild,
  stop,
  waitForHealth,
} from '../helpers/server-process.ts';
import { burst, prepare } from '../helpers/escalation-burst.ts';
import { NOTIFY_API_KEY, startNotifyStub, type NotifyStub } from '../helpers/notifications.ts';

const SESSIONS = 40;
const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
let env: NodeJS.ProcessEnv;
let cleanup: () => Promise<void>;
let notify: NotifyStub;

before(async () => {
  notify = await startNotifyStub();
  notify.mode = 'slow';
  notify.slowMs = 200;
  ({ env, cleanup } = await childProcessDatabase({
    SEED_DEMO: 'false',
    JOBS: 'true',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NOTIFY_API_KEY,
    NOTIFY_BASE_URL: notify.url,
    NOTIFY_SMS_TEMPLATE_ID: SMS_TEMPLATE,
  }));
});
after(async () => {
  await killAllServers();
  await notify.close();
  await cleanup();
});

const open = () => openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDataDir: env.PGLITE_DATA_DIR, poolSize: 4 });
const distinctTexts = () => new Set(notify.requests.map((r) => String(r.body.reference))).size;

test(`[${engineName}] no text is sent twice through SIGKILLs mid-send`, { timeout: 300_000 }, async () => {
  let database = await open();
  await prepare(database, SESSIONS);
  if (!onPostgres) await burst(database, 8);
  await database.close();

  const instances = onPostgres ? 2 : 1;
  const ports = await freePorts(instances);
  const children: ChildProcess[] = ports.map((p) => startChild(env, p));
  await Promise.all(ports.map((p) => waitForHealth(p)));
  if (onPostgres) {
    database = await open();
    await burst(database, 4);
    await database.close();
  }

  // Kill an instance every 1.5 s or so while texts are being sent, restarting it each time.
  let kills = 0;
  const t0 = Date.now();
  while (kills < 6 && Date.now() - t0 < 60_000) {
    await sleep(1_000 + Math.floor(Math.random() * 1_000));
    const i = kills % instances;
    await kill(children[i]!);
    children[i] = startChild(env, ports[i]!);
    await waitForHealth(ports[i]!, 60_000, children[i]);
    kills++;
  }
  // Let the survivors finish: every text accepted (rows claimed by a killed process come back
  // after their 15-second lease), then no new text for a while.
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() - stableSince < 20_000) {
    await sleep(1_000);
    const n = notify.requests.length;
    if (n !== last) {
      last = n;
      stableSince = Date.now();
    }
  }
  await Promise.all(children.map((c) => stop(c)));

  database = await open();
  try {
    const {
      rows: [counts],
    } = await sql<{ texts: number; accepted: number }>`
      SELECT count(*)::int AS texts, count(*) FILTER (WHERE accepted_at IS NOT NULL)::int AS accepted FROM notifications WHERE channel = 'sms' AND alert_id IS NOT NULL`.execute(
      database.db,
    );
    assert.ok(counts!.texts >= SESSIONS * 4, `${counts!.texts} text messages`);
    assert.equal(counts!.accepted, counts!.texts, 'every text accepted by Notify');
    const duplicates = notify.requests.length - distinctTexts();
    assert.equal(duplicates, 0, `${duplicates} texts sent twice (${kills} kills)`);
    assert.equal(distinctTexts(), counts!.texts);
    const {
      rows: [lookups],
    } = await sql<{ found: number; unknown_left: number }>`
      SELECT count(*) FILTER (WHERE outcome = 'found')::int AS found, count(*) FILTER (WHERE outcome IN ('sending', 'unknown'))::int AS unknown_left
        FROM delivery_attempts`.execute(database.db);
    assert.equal(lookups!.unknown_left, 0, 'every attempt settled');
    // What the kills cost: deadline → Notify accepted the step-0 text (reported, not asserted).
    const {
      rows: [latency],
    } = await sql<{ p50: number; p99: number; max: number }>`
      WITH l AS (SELECT extract(epoch FROM n.accepted_at - a.deadline_at) AS s FROM notifications n JOIN alerts a ON a.id = n.alert_id WHERE n.step = 0)
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY s) AS p99, max(s) AS max FROM l`.execute(
      database.db,
    );
    console.log(
      JSON.stringify({
        engine: engineName,
        kills,
        texts: counts!.texts,
        foundAtNotify: lookups!.found,
        step0ToNotifySeconds: latency,
      }),
    );
  } finally {
    await database.close();
  }
});
