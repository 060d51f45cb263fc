import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pino from 'pino';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildStaff } from '../helpers/factories.ts';
import {
  NOTIFY_API_KEY,
  NOTIFY_SERVICE_ID,
  startNotifyStub,
  startPushStub,
  startSmtpStub,
  type NotifyStub,
  type PushStub,
  type SmtpStub,
} from '../helpers/notifications.ts';
import type { NotificationsConfig } from '../../src/config.ts';
import { buildChannels, closeChannels, type Channels } from '../../src/features/notifications/channels.ts';
import { buildDispatcher } from '../../src/features/notifications/dispatcher.ts';
import { buildNotificationsRepository } from '../../src/features/notifications/repository.ts';
import { ensureVapidKeys } from '../../src/features/notifications/web-push.ts';
import { startNotificationWorkers } from '../../src/features/notifications/workers.ts';
import { SENDING_LEASE_MS } from '../../src/features/notifications/rules.ts';

const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const EMAIL_TEMPLATE = 'a1b2c3d4-0000-4000-8000-00000000e0a1';
const BASE = 'https://harbour.example.gov.uk';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let notify: NotifyStub;
let smtp: SmtpStub;
let push: PushStub;
let channels: Channels;
let ben: { id: number; email: string };
let alertId: string;
/** The dispatchers' clock: tests move it on to make retries due. */
let clock: Date;

const config = (): NotificationsConfig => ({
  publicBaseUrl: BASE,
  notify: { apiKey: NOTIFY_API_KEY, baseUrl: notify.url, smsTemplateId: SMS_TEMPLATE, emailTemplateId: null },
  smtp: { url: smtp.url, from: 'Harbour <harbour@council.example>' },
  vapidSubject: 'mailto:safety@council.example',
});

const dispatcher = (instanceId = 'test', chosen: Channels = channels) =>
  buildDispatcher({ db: database.db, channels: chosen, instanceId, now: () => clock });

async function drain(d = dispatcher()) {
  for (let i = 0; i < 50; i++) if (!(await d.tick()).more) return;
  throw new Error('dispatcher never ran out of work');
}

const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

async function notification(values: {
  channel: string;
  fallbacks?: string[];
  recipient?: number;
  alert?: string | null;
  link?: string | null;
  status?: string;
  next?: Date;
  claimedBy?: string;
}) {
  const row = await database.db
    .insertInto('notifications')
    .values({
      recipient_id: values.recipient ?? ben.id,
      channel: values.channel,
      fallbacks: values.fallbacks ?? [],
      alert_id: values.alert === undefined ? null : values.alert,
      step: null,
      subject: 'Chloe Davies has not checked in',
      body: 'Chloe Davies was due back from a visit at 2:30pm.\nCall her now.',
      link: values.link === undefined ? '/alerts/1' : values.link,
      ...(values.status ? { status: values.status as 'sending' } : {}),
      ...(values.next ? { next_attempt_at: values.next } : {}),
      ...(values.claimedBy ? { claimed_by: values.claimedBy } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

const row = (id: string) =>
  database.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const attempts = (id: string) =>
  database.db.selectFrom('delivery_attempts').selectAll().where('notification_id', '=', id).orderBy('id').execute();
const timeline = async (alert: string) =>
  await database.db
    .selectFrom('timeline_events')
    .select(['text', 'type'])
    .where('alert_id', '=', alert)
    .orderBy('id')
    .execute();

/** A browser's push subscription keys (a real P-256 public key, as PushSubscription.toJSON() gives). */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

before(async () => {
  database = await openTestDatabase();
  [notify, smtp, push] = await Promise.all([startNotifyStub(), startSmtpStub(), startPushStub()]);
  channels = await buildChannels(database.db, config(), { timeoutMs: 5_000 });
  const staff = await buildStaff(database.db, {
    given_name: 'Ben',
    family_name: 'Carter',
    work_mobile: '07700 900 123',
  });
  ben = { id: staff.id, email: staff.email };
  const alert = await sql<{
    id: string;
  }>`INSERT INTO alerts (worker_id, kind, policy, deadline_at) VALUES (${ben.id}, 'overdue', '[]'::jsonb, now()) RETURNING id::text AS id`.execute(
    database.db,
  );
  alertId = alert.rows[0]!.id;
});
after(async () => {
  await closeChannels(channels);
  await Promise.all([notify.close(), smtp.close(), push.close()]);
  await database.drop();
});
beforeEach(async () => {
  notify.failWith = null;
  smtp.rejectWith = null;
  clock = new Date(Date.now() + 1000);
  // Each test starts with nothing waiting, so one test's rows never reach another's dispatcher.
  await database.db
    .updateTable('notifications')
    .set({ status: 'failed' })
    .where('status', 'in', ['pending', 'sending'])
    .execute();
});

describe(`[${engineName}] notification delivery`, () => {
  test('an SMS goes to GOV.UK Notify with a valid token, the template, personalisation and the notification id as reference', async () => {
    const id = await notification({ channel: 'sms', fallbacks: ['email', 'inbox'], alert: alertId });
    const result = await dispatcher().tick();
    assert.equal(result.handed, 1);
    const sent = notify.requests.find((r) => r.body.reference === id);
    assert.ok(sent, 'Notify received the SMS');
    assert.equal(sent.path, '/v2/notifications/sms');
    assert.equal(sent.body.phone_number, '07700 900 123');
    assert.equal(sent.body.template_id, SMS_TEMPLATE);
    assert.deepEqual(sent.body.personalisation, {
      subject: 'Chloe Davies has not checked in',
      body: 'Chloe Davies was due back from a visit at 2:30pm.\nCall her now.',
      link: `${BASE}/alerts/1`,
    });
    const r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.provider_ref, sent.id);
    assert.ok(r.handed_at && r.sent_at);
    assert.equal(r.claimed_by, null);
    const a = await attempts(id);
    assert.deepEqual(
      a.map((x) => [x.channel, x.ok, x.provider_ref]),
      [['sms', true, sent.id]],
    );
    assert.ok(
      (await timeline(alertId)).some((e) => e.type === 'delivery' && e.text === 'Text message to Ben Carter delivered'),
    );
  });

  test('an email goes through a real SMTP server', async () => {
    const id = await notification({ channel: 'email', fallbacks: ['inbox'] });
    await dispatcher().tick();
    const mail = smtp.messages.find((m) => m.raw.includes(`X-Harbour-Notification: ${id}`));
    assert.ok(mail, 'the SMTP server received the email');
    assert.deepEqual(mail.to, [ben.email]);
    assert.equal(mail.from, 'harbour@council.example');
    assert.match(mail.raw, /Subject: Chloe Davies has not checked in/);
    assert.ok(mail.raw.includes(`${BASE}/alerts/1`), 'the link is absolute');
    const r = await row(id);
    assert.equal(r.status, 'sent');
    assert.match(r.provider_ref ?? '', /@/);
  });

  test('email through Notify when Notify has an email template', async () => {
    const notifyEmail = await buildChannels(
      database.db,
      { ...config(), notify: { ...config().notify!, emailTemplateId: EMAIL_TEMPLATE } },
      { timeoutMs: 5_000 },
    );
    try {
      const id = await notification({ channel: 'email' });
      await dispatcher('notify-email', notifyEmail).tick();
      const sent = notify.requests.find((r) => r.body.reference === id);
      assert.equal(sent?.path, '/v2/notifications/email');
      assert.equal(sent?.body.email_address, ben.email);
      assert.equal(sent?.body.template_id, EMAIL_TEMPLATE);
      assert.equal((await row(id)).status, 'sent');
    } finally {
      await closeChannels(notifyEmail);
    }
  });

  test('a message that is not an alarm, Notify failing with 500: SMS is retried with backoff, then email (refused) and then the inbox; every attempt is recorded', async () => {
    notify.failWith = 500;
    smtp.rejectWith = 550;
    const id = await notification({ channel: 'sms', fallbacks: ['email', 'inbox'], alert: null });

    await dispatcher().tick();
    let r = await row(id);
    assert.deepEqual([r.status, r.channel, r.attempts], ['pending', 'sms', 1]);
    assert.equal(r.next_attempt_at.getTime(), clock.getTime() + 5_000, 'first retry after 5 seconds');
    assert.match(r.last_error ?? '', /GOV\.UK Notify answered 500/);

    assert.equal((await dispatcher().tick()).handed, 0, 'not due yet');
    advance(5_000);
    await dispatcher().tick();
    r = await row(id);
    assert.deepEqual([r.status, r.channel, r.attempts], ['pending', 'sms', 2]);
    assert.equal(r.next_attempt_at.getTime(), clock.getTime() + 30_000, 'second retry after 30 seconds');

    advance(30_000);
    const third = await dispatcher().tick();
    assert.equal(third.more, true, 'a fallback that is due now asks for another pass');
    r = await row(id);
    // Sends run independently, so the email attempt (refused at once) may already have finished
    // within that pass: the row is then on its last fallback. The attempts below show the order.
    assert.ok(
      (r.channel === 'email' && JSON.stringify(r.fallbacks) === '["inbox"]') ||
        (r.channel === 'inbox' && r.fallbacks.length === 0),
      `moved on from SMS to email (or already past it): ${r.channel} ${JSON.stringify(r.fallbacks)}`,
    );
    assert.equal(r.status, 'pending');

    await drain();
    r = await row(id);
    assert.deepEqual([r.status, r.channel, r.fallbacks], ['sent', 'inbox', []]);
    assert.ok(r.sent_at);

    const a = await attempts(id);
    assert.deepEqual(
      a.map((x) => [x.channel, x.ok]),
      [
        ['sms', false],
        ['sms', false],
        ['sms', false],
        ['email', false],
        ['inbox', true],
      ],
    );
    assert.match(a[3]!.error ?? '', /550/);
    assert.deepEqual(
      a.map((x) => x.outcome),
      ['failed', 'failed', 'failed', 'failed', 'accepted'],
      'each attempt finished with its outcome',
    );
  });

  test('a token Notify does not accept (403) is not retried: the next channel is tried at once', async () => {
    const wrongKey = await buildChannels(database.db, {
      ...config(),
      notify: { ...config().notify!, apiKey: `other-${NOTIFY_SERVICE_ID}-00000000-0000-4000-8000-000000000000` },
    });
    try {
      const id = await notification({ channel: 'sms', fallbacks: ['inbox'] });
      await dispatcher('wrong-key', wrongKey).tick();
      const r = await row(id);
      assert.deepEqual([r.status, r.channel], ['pending', 'inbox']);
      assert.match(r.last_error ?? '', /403 \(AuthError: Invalid token: signature/);
    } finally {
      await closeChannels(wrongKey);
    }
  });

  test('no mobile number: straight on to the next channel; nothing left: failed', async () => {
    const noMobile = await buildStaff(database.db, { work_mobile: null });
    const id = await notification({ channel: 'sms', fallbacks: [], recipient: noMobile.id });
    await dispatcher().tick();
    const r = await row(id);
    assert.equal(r.status, 'failed');
    assert.match(r.last_error ?? '', /has no work mobile number/);
    assert.equal((await attempts(id)).length, 1);
  });

  test('Web Push: sent to every subscription; a 410 from the push service deletes that subscription', async () => {
    const person = await buildStaff(database.db);
    const repo = buildNotificationsRepository(database.db);
    await repo.savePushSubscription(database.db, person.id, `${push.url}/push/gone/1`, browserKeys());
    await repo.savePushSubscription(database.db, person.id, `${push.url}/push/ok/1`, browserKeys());
    const id = await notification({ channel: 'push', fallbacks: ['inbox'], recipient: person.id });
    await dispatcher().tick();
    const r = await row(id);
    assert.equal(r.status, 'sent');
    assert.match(r.provider_ref ?? '', /\/messages\//);
    const remaining = await repo.pushSubscriptionsFor(person.id);
    assert.deepEqual(
      remaining.map((s) => s.endpoint),
      [`${push.url}/push/ok/1`],
    );
    const okRequest = push.requests.find((x) => x.path === '/push/ok/1')!;
    assert.match(String(okRequest.headers.authorization), /^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
    assert.equal(okRequest.headers['content-encoding'], 'aes128gcm');
    assert.ok(okRequest.bytes > 100, 'the payload is encrypted and sent');

    // Now only an expired subscription: it is deleted and the inbox gets the message.
    await repo.savePushSubscription(database.db, person.id, `${push.url}/push/gone/2`, browserKeys());
    await database.db.deleteFrom('push_subscriptions').where('endpoint', '=', `${push.url}/push/ok/1`).execute();
    const second = await notification({ channel: 'push', fallbacks: ['inbox'], recipient: person.id });
    await drain();
    assert.equal((await row(second)).status, 'sent');
    assert.deepEqual(
      (await attempts(second)).map((x) => [x.channel, x.ok]),
      [
        ['push', false],
        ['inbox', true],
      ],
    );
    assert.equal((await repo.pushSubscriptionsFor(person.id)).length, 0);
  });

  test('Web Push with no subscription fails over at once', async () => {
    const id = await notification({ channel: 'push', fallbacks: ['email'] });
    await dispatcher().tick();
    const r = await row(id);
    assert.deepEqual([r.status, r.channel, r.attempts], ['pending', 'email', 0]);
    assert.match(r.last_error ?? '', /has not turned on push notifications/);
  });

  test('the VAPID key pair is made once and kept', async () => {
    const repo = buildNotificationsRepository(database.db);
    const [a, b] = await Promise.all([ensureVapidKeys(repo), ensureVapidKeys(repo)]);
    assert.deepEqual(a, b);
    assert.deepEqual(await ensureVapidKeys(repo), a);
    const rows = await database.db.selectFrom('app_settings').selectAll().where('key', '=', 'vapid').execute();
    assert.equal(rows.length, 1);
  });

  test('a row stuck in sending past its lease (a crashed process) is claimed again; one inside its lease is left alone', async () => {
    const stale = await notification({
      channel: 'email',
      status: 'sending',
      next: new Date(clock.getTime() - 1000),
      claimedBy: 'dead-process#1',
    });
    const live = await notification({
      channel: 'email',
      status: 'sending',
      next: new Date(clock.getTime() + SENDING_LEASE_MS),
      claimedBy: 'busy-process#1',
    });
    await dispatcher().tick();
    assert.equal((await row(stale)).status, 'sent');
    const l = await row(live);
    assert.deepEqual([l.status, l.claimed_by], ['sending', 'busy-process#1']);
    assert.equal((await attempts(live)).length, 0);
  });

  test('the outcomes of sends that finish together are recorded in one statement, each row its own; a row whose claim was lost is left alone', async () => {
    const repo = buildNotificationsRepository(database.db);
    // Only these three are due (every earlier test's rows are settled or in the future).
    await sql`UPDATE notifications SET next_attempt_at = now() + interval '1 day' WHERE status IN ('pending', 'sending')`.execute(
      database.db,
    );
    const a = await notification({
      channel: 'sms',
      fallbacks: ['email'],
      alert: alertId,
      next: new Date(clock.getTime() - 3000),
    });
    const b = await notification({
      channel: 'sms',
      fallbacks: ['email'],
      alert: alertId,
      next: new Date(clock.getTime() - 2000),
    });
    const c = await notification({ channel: 'sms', fallbacks: ['email'], next: new Date(clock.getTime() - 1000) });
    const claimed = await repo.claim(
      'batch#1',
      { only: 'sms' },
      clock,
      new Date(clock.getTime() + SENDING_LEASE_MS),
      10,
    );
    assert.deepEqual(claimed.map((r) => r.id).sort(), [a, b, c].sort());
    // Meanwhile another dispatcher took c over (its lease had run out).
    await database.db.updateTable('notifications').set({ claimed_by: 'other#9' }).where('id', '=', c).execute();
    const [ra, rb, rc] = [a, b, c].map((id) => claimed.find((r) => r.id === id)!) as [
      (typeof claimed)[0],
      (typeof claimed)[0],
      (typeof claimed)[0],
    ];
    const later = new Date(clock.getTime() + 5_000);
    const held = await repo.recordOutcomes([
      {
        id: a,
        claim: 'batch#1',
        channel: 'sms',
        now: clock,
        attempt: { id: ra.attempt_id, outcome: 'accepted', error: null, providerRef: 'notify-a' },
        set: { status: 'sent', attempts: 1, providerRef: 'notify-a', external: true },
        timeline: { alertId, text: 'Text message to Ben Carter delivered', detail: { n: 'a' } },
      },
      {
        id: b,
        claim: 'batch#1',
        channel: 'sms',
        now: clock,
        attempt: { id: rb.attempt_id, outcome: 'failed', error: 'GOV.UK Notify answered 500', providerRef: null },
        set: {
          status: 'pending',
          channel: 'email',
          fallbacks: [],
          attempts: 1,
          nextAttemptAt: later,
          error: 'GOV.UK Notify answered 500',
        },
        timeline: {
          alertId,
          text: 'Text message to Ben Carter failed: GOV.UK Notify answered 500; trying email',
          detail: { n: 'b' },
        },
      },
      {
        id: c,
        claim: 'batch#1',
        channel: 'sms',
        now: clock,
        attempt: { id: rc.attempt_id, outcome: 'accepted', error: null, providerRef: 'notify-c' },
        set: { status: 'sent', attempts: 1, providerRef: 'notify-c', external: true },
        timeline: null,
      },
    ]);
    assert.deepEqual([...held].sort(), [a, b].sort(), 'c was no longer this claim’s');
    const [na, nb, nc] = await Promise.all([row(a), row(b), row(c)]);
    assert.deepEqual(
      [na.status, na.provider_ref, na.claimed_by, na.accepted_at?.getTime(), na.last_error],
      ['sent', 'notify-a', null, clock.getTime(), null],
    );
    assert.deepEqual(
      [nb.status, nb.channel, nb.fallbacks, nb.next_attempt_at.getTime(), nb.last_error, nb.accepted_at],
      ['pending', 'email', [], later.getTime(), 'GOV.UK Notify answered 500', null],
    );
    assert.deepEqual(
      [nc.status, nc.claimed_by, nc.accepted_at],
      ['sending', 'other#9', null],
      'the row is left to the claim that holds it',
    );
    assert.deepEqual(
      (await attempts(a)).map((t) => [t.outcome, t.ok, t.provider_ref]),
      [['accepted', true, 'notify-a']],
    );
    assert.deepEqual(
      (await attempts(b)).map((t) => [t.outcome, t.ok, t.error]),
      [['failed', false, 'GOV.UK Notify answered 500']],
    );
    assert.deepEqual(
      (await attempts(c)).map((t) => [t.outcome, t.ok]),
      [['accepted', true]],
      'the attempt that was made is recorded all the same',
    );
    const lines = (await timeline(alertId)).map((e) => e.text);
    assert.ok(
      lines.includes('Text message to Ben Carter delivered') &&
        lines.includes('Text message to Ben Carter failed: GOV.UK Notify answered 500; trying email'),
    );
    await database.db
      .updateTable('notifications')
      .set({ status: 'failed', claimed_by: null })
      .where('id', 'in', [b, c])
      .execute();
  });

  test('inbox rows are delivered in bulk: thousands in one pass, handed_at set once', async () => {
    const { rows } = await sql<{ n: number }>`
      INSERT INTO notifications (recipient_id, channel, subject, body, link, alert_id)
      SELECT ${ben.id}, 'inbox', 'Bulk ' || g, 'Body', '/alerts/1', CASE WHEN g % 100 = 0 THEN ${alertId}::bigint END
        FROM generate_series(1, 3000) g
      RETURNING 1 AS n`.execute(database.db);
    assert.equal(rows.length, 3000);
    const started = performance.now();
    const result = await dispatcher().tick();
    const took = performance.now() - started;
    assert.equal(result.handed, 3000);
    const counts = await sql<{ sent: number; handed: number; attempts: number }>`
      SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*) FILTER (WHERE handed_at = ${clock})::int AS handed,
             (SELECT count(*)::int FROM delivery_attempts d JOIN notifications n2 ON n2.id = d.notification_id WHERE n2.subject LIKE 'Bulk %') AS attempts
        FROM notifications WHERE subject LIKE 'Bulk %'`.execute(database.db);
    assert.deepEqual(counts.rows[0], { sent: 3000, handed: 3000, attempts: 3000 });
    const lines = (await timeline(alertId)).filter(
      (e) => e.text === "Shown in Ben Carter's Harbour inbox (not a text message or email)",
    );
    assert.ok(lines.length >= 30, 'one timeline line per delivery with an alert');
    assert.ok(took < 15_000, `bulk inbox pass took ${Math.round(took)} ms`);
  });

  test('two dispatchers running at once never send a row twice', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(await notification({ channel: 'email' }));
    for (let i = 0; i < 100; i++) await notification({ channel: 'inbox' });
    const before = smtp.messages.length;
    const a = dispatcher('instance-a');
    const b = dispatcher('instance-b');
    // Small batches so the two interleave claims many times.
    const run = async (d: ReturnType<typeof dispatcher>) => {
      for (let i = 0; i < 40; i++) if (!(await d.tick(4)).more) return;
    };
    await Promise.all([run(a), run(b), run(a), run(b)]);
    await drain();
    const received = smtp.messages.slice(before).map((m) => /X-Harbour-Notification: (\d+)/.exec(m.raw)?.[1]);
    assert.equal(received.length, ids.length, 'one email per notification');
    assert.deepEqual([...new Set(received)].sort(), [...ids].sort());
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM delivery_attempts GROUP BY notification_id HAVING count(*) > 1 AND bool_and(ok)`.execute(
      database.db,
    );
    assert.deepEqual(rows, [], 'no notification has two successful attempts');
  });

  test('startNotificationWorkers runs the dispatcher in a loop and stops cleanly', async () => {
    const workers = await startNotificationWorkers({
      db: database.db,
      logger: pino({ level: 'silent' }),
      idleMs: 20,
      config: { notifications: { publicBaseUrl: BASE, notify: null, smtp: null, vapidSubject: null } },
    });
    try {
      assert.deepEqual(workers.channels, ['inbox']);
      const id = await notification({ channel: 'inbox', next: new Date(Date.now() - 1000) });
      workers.wake();
      const deadline = Date.now() + 10_000;
      while ((await row(id)).status !== 'sent' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await row(id)).status, 'sent');
    } finally {
      await workers.stop();
    }
  });
});
