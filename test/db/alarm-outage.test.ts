import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import pino from 'pino';
import { engineName } from '../helpers/database.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';
import { actorFor, buildVisitForm, expireDeadline, expireNextStep } from '../helpers/lone-working.ts';
import {
  NOTIFY_API_KEY,
  startNotifyStub,
  startSmtpStub,
  type NotifyStub,
  type SmtpStub,
} from '../helpers/notifications.ts';
import type { NotificationsConfig } from '../../src/config.ts';
import { buildChannels, type Channels } from '../../src/features/notifications/channels.ts';
import { startNotificationWorkers, type NotificationWorkers } from '../../src/features/notifications/workers.ts';

/**
 * Issue 13, end to end: the escalation engine fires every step of overdue alerts while GOV.UK Notify
 * answers 500 and the mail server refuses; when both come back, every step reaches every recipient
 * by an external channel, with no text sent twice. Then: the operations contact is told once when
 * text messages keep failing.
 */

const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const logger = pino({ level: process.env.TEST_LOG ?? 'silent' });

let seeded: Seeded;
let notify: NotifyStub;
let smtp: SmtpStub;
/** Each test's own adapters: stopping the workers closes them (the SMTP pool). */
const channels = (): Promise<Channels> => buildChannels(seeded.database.db, config(), { timeoutMs: 2_000 });
let workers: NotificationWorkers | null = null;
/** Every set of workers started, so a test that fails part-way cannot leave one running (the file would never end). */
const started: NotificationWorkers[] = [];
const start = async (...args: Parameters<typeof startNotificationWorkers>) => {
  const w = await startNotificationWorkers(...args);
  started.push(w);
  return w;
};

const config = (extra: Partial<NotificationsConfig> = {}): NotificationsConfig => ({
  publicBaseUrl: 'https://harbour.example.gov.uk',
  notify: { apiKey: NOTIFY_API_KEY, baseUrl: notify.url, smsTemplateId: SMS_TEMPLATE, emailTemplateId: null },
  smtp: { url: smtp.url, from: 'Harbour <harbour@council.example>' },
  vapidSubject: null,
  externalFailureEscalateSeconds: 0,
  ...extra,
});

async function until(what: string, ms: number, check: () => Promise<boolean>) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
  return Date.now() - started;
}

before(async () => {
  [notify, smtp] = await Promise.all([startNotifyStub(), startSmtpStub()]);
  seeded = await openSeeded({
    sessionTtlHours: 12,
    instanceId: 'test',
    channelPlan: { channel: 'sms', fallbacks: ['email', 'inbox'] },
  });
});
after(async () => {
  for (const w of started) await w.stop().catch(() => {});
  await Promise.all([notify.close(), smtp.close()]);
  await seeded.database.drop();
});

describe(`[${engineName}] an outage of both providers`, () => {
  test(
    'every step of every alert is delivered externally once they are back, one text per step and recipient',
    { timeout: 120_000 },
    async () => {
      const { services, database } = seeded;
      const db = database.db;
      notify.failWith = 500;
      smtp.down = true;
      workers = await start({
        db,
        config: { notifications: config() },
        logger,
        channels: await channels(),
        idleMs: 100,
        sendTimeoutMs: 2_000,
      });

      const alerts: string[] = [];
      const visits: number[] = [];
      for (const email of ['chloe.davies@harbour.example', 'ben.carter@harbour.example']) {
        const worker = await actorFor(db, email);
        const visitId = await services.visits.plan(worker, buildVisitForm());
        await services.visits.arrive(worker, visitId);
        await expireDeadline(db, visitId);
        visits.push(visitId);
      }
      await services.engine.pass();
      // Only these two visits' alerts: late in the evening the engine may also open end-of-day checks.
      for (const a of await db
        .selectFrom('alerts')
        .select('id')
        .where('status', '=', 'open')
        .where('visit_id', 'in', visits)
        .execute())
        alerts.push(String(a.id));
      assert.equal(alerts.length, 2);
      // Every step of the policy, made due one after another.
      for (let step = 1; step < 5; step++) {
        for (const a of alerts) await expireNextStep(db, a);
        await services.engine.pass();
      }
      workers.wake();
      const rows = () => db.selectFrom('notifications').selectAll().where('alert_id', 'in', alerts).execute();
      const all = await rows();
      assert.ok(all.length >= 10, `${all.length} messages`);
      assert.ok(
        all.some((r) => r.lane === 'email'),
        'the last step also went straight to email',
      );

      // The outage: nothing goes out; every message ends up going round its channels.
      await until('every message to have failed every external channel', 30_000, async () =>
        (await rows()).every((r) => r.unreached_since !== null),
      );
      assert.equal(notify.requests.length, 0);
      assert.ok(
        (await rows()).every((r) => r.status === 'pending' && r.accepted_at === null),
        'none given up, none marked delivered by the inbox',
      );

      // Both come back.
      notify.failWith = null;
      smtp.down = false;
      const took = await until('every message to be accepted by a provider', 60_000, async () =>
        (await rows()).every((r) => r.accepted_at !== null),
      );
      assert.ok(took <= 35_000, `every step delivered externally ${took} ms after recovery`);
      console.log(
        JSON.stringify({ engine: engineName, messages: all.length, deliveredExternallyAfterRecoveryMs: took }),
      );

      // One text per step and recipient.
      const byReference = new Map<string, number>();
      for (const r of notify.requests)
        byReference.set(String(r.body.reference), (byReference.get(String(r.body.reference)) ?? 0) + 1);
      assert.ok(
        [...byReference.values()].every((n) => n === 1),
        'no text sent twice',
      );
      const texted = (await rows()).filter((r) => r.channel === 'sms');
      assert.equal(byReference.size, texted.length);
      const timeline = (
        await db.selectFrom('timeline_events').select('text').where('alert_id', 'in', alerts).execute()
      ).map((t) => t.text);
      assert.ok(timeline.some((t) => t.startsWith('Text message to') && t.endsWith(' delivered')));
      assert.ok(!timeline.some((t) => /inbox.* delivered/i.test(t)), 'the inbox copy is never called delivered');
      await workers.stop();
      workers = null;
    },
  );

  test(
    'Notify keeps failing: the operations contact is told once, by email, and the incident closes when texts work again',
    { timeout: 60_000 },
    async () => {
      const { services, database } = seeded;
      const db = database.db;
      notify.failWith = 500;
      smtp.down = false;
      workers = await start({
        db,
        logger,
        channels: await channels(),
        idleMs: 100,
        sendTimeoutMs: 2_000,
        watchEveryMs: 300,
        failingForMs: 1_000,
        config: { notifications: config({ opsAlert: { email: 'ops@council.example', sms: null } }) },
      });
      const worker = await actorFor(db, 'owen.jones@harbour.example');
      const visitId = await services.visits.plan(worker, buildVisitForm());
      await services.visits.arrive(worker, visitId);
      await expireDeadline(db, visitId);
      await services.engine.pass();
      workers.wake();
      const opsMail = () => smtp.messages.filter((m) => m.to.includes('ops@council.example'));
      await until('the operations contact to be told', 20_000, async () => opsMail().length > 0);
      await sleep(1_500);
      assert.equal(opsMail().length, 1, 'once per incident');
      assert.match(opsMail()[0]!.raw, /delivery channel keeps failing/);
      const open = await sql<{
        kind: string;
        told_by: string;
      }>`SELECT kind, told_by FROM ops_incidents WHERE closed_at IS NULL`.execute(db);
      assert.deepEqual(open.rows, [{ kind: 'channel_failing:sms', told_by: 'email' }]);

      notify.failWith = null;
      await until(
        'the incident to close',
        30_000,
        async () => (await sql`SELECT 1 FROM ops_incidents WHERE closed_at IS NULL`.execute(db)).rows.length === 0,
      );
      await workers.stop();
      workers = null;
    },
  );

  test(
    'the engine is behind: the operations contact is told once, and the incident closes when it catches up',
    { timeout: 60_000 },
    async () => {
      const db = seeded.database.db;
      const told = () =>
        smtp.messages.filter((m) => m.to.includes('ops@council.example') && m.raw.includes('alarm engine is behind'));
      notify.failWith = null;
      smtp.down = false;
      workers = await start({
        db,
        logger,
        channels: await channels(),
        idleMs: 100,
        watchEveryMs: 300,
        config: {
          notifications: config({ opsAlert: { email: 'ops@council.example', sms: null } }),
          monitoring: { engineLagLimitSeconds: 30, metricsToken: null },
        },
      });
      // A step that should have fired two minutes ago (no engine runs in this test).
      await sql`INSERT INTO timers (kind, subject_id, seq, fire_at) VALUES ('visit_due', 990101, 0, now() - interval '2 minutes')`.execute(
        db,
      );
      await until('the operations contact to be told', 20_000, async () => told().length > 0);
      await sleep(1_000);
      assert.equal(told().length, 1, 'once per incident');
      const incident = await sql<{
        detail: string;
        told_by: string;
      }>`SELECT detail, told_by FROM ops_incidents WHERE kind = 'engine_behind' AND closed_at IS NULL`.execute(db);
      assert.match(incident.rows[0]!.detail, /escalation engine is 1\d\d s behind/);
      assert.equal(incident.rows[0]!.told_by, 'email');
      await sql`DELETE FROM timers WHERE subject_id = 990101`.execute(db);
      await until(
        'the incident to close',
        20_000,
        async () =>
          (await sql`SELECT 1 FROM ops_incidents WHERE closed_at IS NULL AND kind = 'engine_behind'`.execute(db)).rows
            .length === 0,
      );
      await workers.stop();
      workers = null;
    },
  );
});
