import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildStaff } from '../helpers/factories.ts';
import {
  NOTIFY_API_KEY,
  startNotifyStub,
  startSmtpStub,
  type NotifyStub,
  type SmtpStub,
} from '../helpers/notifications.ts';
import type { NotificationsConfig } from '../../src/config.ts';
import { buildChannels, closeChannels, type Channels } from '../../src/features/notifications/channels.ts';
import { buildDispatcher } from '../../src/features/notifications/dispatcher.ts';
import { buildDeliveryWatchRepository } from '../../src/features/notifications/delivery-watch-repository.ts';
import { buildEscalationEngine } from '../../src/features/alerts/engine.ts';

/**
 * Issue 13: every alarm reaches a person. GOV.UK Notify (text messages) is the Notify-protocol stub,
 * email a real SMTP server; both can fail, hang or be slow.
 */

const SMS_TEMPLATE = 'f33517ff-2a88-4f6e-b855-c550268ce08a';
const BASE = 'https://harbour.example.gov.uk';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let notify: NotifyStub;
let smtp: SmtpStub;
let channels: Channels;
let ben: { id: number };
let clock: Date;

const config = (): NotificationsConfig => ({
  publicBaseUrl: BASE,
  notify: { apiKey: NOTIFY_API_KEY, baseUrl: notify.url, smsTemplateId: SMS_TEMPLATE, emailTemplateId: null },
  smtp: { url: smtp.url, from: 'Harbour <harbour@council.example>' },
  vapidSubject: null,
});

const dispatcher = (options: Partial<Parameters<typeof buildDispatcher>[0]> = {}) =>
  buildDispatcher({
    db: database.db,
    channels,
    instanceId: 'test',
    now: () => clock,
    sendTimeoutMs: 2_000,
    ...options,
  });
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

async function openAlert(): Promise<string> {
  const { rows } = await sql<{
    id: string;
  }>`INSERT INTO alerts (worker_id, kind, policy, deadline_at) VALUES (${ben.id}, 'overdue', '[{"targets":["buddy"]},{"targets":["line_manager"]}]'::jsonb, now()) RETURNING id::text AS id`.execute(
    database.db,
  );
  return rows[0]!.id;
}

async function alarm(alertId: string, step = 0): Promise<string> {
  const row = await database.db
    .insertInto('notifications')
    .values({
      recipient_id: ben.id,
      channel: 'sms',
      fallbacks: ['email', 'inbox'],
      alert_id: alertId,
      step,
      subject: 'Harbour: Chloe Davies has not checked in',
      body: 'Chloe Davies was due to check in by 14:30 and has not.',
      link: '/alerts/1',
      next_attempt_at: clock,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

/** An open alert whose first step has fired; the second is due in ten minutes. */
async function alertAtFirstStep(): Promise<string> {
  const alertId = await openAlert();
  await sql`UPDATE alerts SET next_step = 1 WHERE id = ${alertId}`.execute(database.db);
  await sql`INSERT INTO timers (kind, subject_id, seq, fire_at) VALUES ('alert_step', ${alertId}, 1, now() + interval '10 minutes')`.execute(
    database.db,
  );
  return alertId;
}

const row = (id: string) =>
  database.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const attempts = (id: string) =>
  database.db.selectFrom('delivery_attempts').selectAll().where('notification_id', '=', id).orderBy('id').execute();
const texts = (id: string) => notify.requests.filter((r) => r.body.reference === id).length;
const mails = (id: string) => smtp.messages.filter((m) => m.raw.includes(`X-Harbour-Notification: ${id}`)).length;
const timeline = async (alertId: string) =>
  (
    await database.db
      .selectFrom('timeline_events')
      .select('text')
      .where('alert_id', '=', alertId)
      .orderBy('id')
      .execute()
  ).map((e) => e.text);

/** Runs passes until nothing is due now (sends finished). */
async function drain(d = dispatcher()) {
  for (let i = 0; i < 50; i++) {
    const r = await d.tick();
    await d.settled();
    if (!r.more) return;
  }
  throw new Error('dispatcher never ran out of work');
}

before(async () => {
  database = await openTestDatabase();
  [notify, smtp] = await Promise.all([startNotifyStub(), startSmtpStub()]);
  channels = await buildChannels(database.db, config(), { timeoutMs: 2_000 });
  const staff = await buildStaff(database.db, {
    given_name: 'Ben',
    family_name: 'Carter',
    work_mobile: '07700 900 123',
  });
  ben = { id: staff.id };
});
after(async () => {
  await closeChannels(channels);
  await Promise.all([notify.close(), smtp.close()]);
  await database.drop();
});
beforeEach(async () => {
  notify.failWith = null;
  notify.mode = 'ok';
  smtp.rejectWith = null;
  smtp.down = false;
  clock = new Date(Date.now() + 1000);
  await database.db
    .updateTable('notifications')
    .set({ status: 'failed' })
    .where('status', 'in', ['pending', 'sending'])
    .execute();
});

describe(`[${engineName}] alarm delivery outlasts a provider outage`, () => {
  test('both providers down: the inbox copy is pointed out, text and email keep being tried with capped backoff, and the text goes once they are back', async () => {
    const alertId = await openAlert();
    const id = await alarm(alertId);
    notify.failWith = 500;
    smtp.down = true;

    await drain();
    let r = await row(id);
    assert.deepEqual([r.status, r.channel, r.attempts], ['pending', 'sms', 1], 'one retry of the text after 5 seconds');
    advance(5_000);
    await drain();
    r = await row(id);
    assert.equal(r.channel, 'email', 'then email, at once');
    advance(5_000);
    await drain();
    r = await row(id);
    assert.equal(r.status, 'pending', 'the inbox is not the last word for an alarm');
    assert.deepEqual([r.channel, r.cycles], ['sms', 1], 'back to the text message');
    assert.ok(r.unreached_since && r.inbox_copy_at, 'unreached, and the inbox copy pointed out');
    assert.equal(r.accepted_at, null);
    const lines = await timeline(alertId);
    assert.ok(
      lines.some((l) => l.includes('Not reached by text or email: Ben Carter') && l.includes('in their Harbour inbox')),
      lines.join('\n'),
    );
    assert.ok(!lines.some((l) => / delivered/.test(l)), 'nothing says delivered');

    // Four minutes of outage: the waits between rounds grow to 30 seconds and no further.
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      r = await row(id);
      const wait = r.next_attempt_at.getTime() - clock.getTime();
      waits.push(wait);
      advance(Math.max(wait, 0));
      await drain();
    }
    assert.ok(Math.max(...waits) <= 30_000, `waits ${waits.join(', ')}`);
    assert.equal(texts(id), 0);
    const timelineDuringOutage = (await timeline(alertId)).length;

    notify.failWith = null;
    smtp.down = false;
    r = await row(id);
    advance(r.next_attempt_at.getTime() - clock.getTime());
    await drain();
    r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.channel, 'sms');
    assert.ok(r.accepted_at, 'accepted by a provider');
    assert.equal(r.unreached_since, null);
    assert.equal(texts(id), 1, 'one text');
    const after = (await timeline(alertId)).slice(timelineDuringOutage);
    assert.deepEqual(
      after,
      ['Text message to Ben Carter delivered'],
      'later rounds add no lines; the delivery is told',
    );
    const a = await attempts(id);
    assert.ok(a.length >= 10, 'every attempt is recorded');
    assert.ok(
      a.every((x) => x.outcome !== 'sending' && x.finished_at),
      'every attempt finished with an outcome',
    );
    assert.equal(a.at(-1)!.outcome, 'accepted');
  });

  test('SMTP down then up: the email reaches the mail server once it is back', async () => {
    const alertId = await openAlert();
    const id = await alarm(alertId);
    notify.failWith = 400; // the text can never go (permanent): email is the only way
    smtp.down = true;
    await drain();
    advance(5_000);
    await drain();
    let r = await row(id);
    assert.equal(r.status, 'pending');
    assert.equal(mails(id), 0);
    smtp.down = false;
    for (let i = 0; i < 4 && r.status !== 'sent'; i++) {
      advance(Math.max(0, r.next_attempt_at.getTime() - clock.getTime()));
      await drain();
      r = await row(id);
    }
    assert.equal(r.status, 'sent');
    assert.equal(r.channel, 'email');
    assert.equal(mails(id), 1);
  });

  test('an alarm still going round stops when its alert is dealt with', async () => {
    const alertId = await openAlert();
    const id = await alarm(alertId);
    notify.failWith = 500;
    smtp.down = true;
    for (let i = 0; i < 3; i++) {
      await drain();
      advance(5_000);
    }
    assert.ok((await row(id)).cycles >= 1);
    await sql`UPDATE alerts SET status = 'resolved', outcome = 'safe', resolved_at = now() WHERE id = ${alertId}`.execute(
      database.db,
    );
    advance(60_000);
    assert.equal((await dispatcher().tick()).handed, 0, 'not tried again');
    assert.equal(await buildDeliveryWatchRepository(database.db).stopClosedAlarms(clock), 1);
    const r = await row(id);
    assert.equal(r.status, 'failed');
    assert.match(r.last_error ?? '', /alert was dealt with/);
  });

  test('a lockdown alert keeps trying text and email through an outage until the person acknowledges it', async () => {
    const {
      rows: [b],
    } = await sql<{
      id: number;
    }>`INSERT INTO buildings (name, address, postcode) VALUES ('Outage House', '1 High Street', 'TN23 1AA') RETURNING id`.execute(
      database.db,
    );
    const {
      rows: [l],
    } = await sql<{
      id: number;
    }>`INSERT INTO lockdowns (building_id, location, started_by_name) VALUES (${b!.id}, 'inside', 'Fiona Reid') RETURNING id`.execute(
      database.db,
    );
    await sql`INSERT INTO lockdown_recipients (lockdown_id, staff_id, reason) VALUES (${l!.id}, ${ben.id}, 'based')`.execute(
      database.db,
    );
    const n = await database.db
      .insertInto('notifications')
      .values({
        recipient_id: ben.id,
        channel: 'sms',
        fallbacks: ['email', 'inbox'],
        alert_id: null,
        step: null,
        lockdown_id: l!.id,
        subject: 'LOCKDOWN at Outage House',
        body: 'Stay inside.',
        link: null,
        next_attempt_at: clock,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = String(n.id);
    notify.failWith = 500;
    smtp.down = true;
    for (let i = 0; i < 3; i++) {
      await drain();
      advance(5_000);
    }
    let r = await row(id);
    assert.deepEqual([r.status, r.channel], ['pending', 'sms'], 'not left in the inbox');
    assert.ok(r.cycles >= 1 && r.unreached_since);
    await sql`UPDATE lockdown_recipients SET acknowledged_at = now() WHERE lockdown_id = ${l!.id}`.execute(database.db);
    advance(60_000);
    assert.equal((await dispatcher().tick()).handed, 0, 'acknowledged: not tried again');
    assert.equal(await buildDeliveryWatchRepository(database.db).stopClosedAlarms(clock), 1);
    r = await row(id);
    assert.equal(r.status, 'failed');
  });

  test('Notify accepts a text but its answer never comes: Notify is asked by reference and the text is not sent twice', async () => {
    const alertId = await openAlert();
    const id = await alarm(alertId);
    notify.mode = 'accept-then-hang';
    await drain(dispatcher({ sendTimeoutMs: 300 }));
    let r = await row(id);
    assert.equal(r.status, 'pending');
    assert.equal((await attempts(id))[0]!.outcome, 'unknown', 'no answer in time: outcome unknown');
    assert.equal(texts(id), 1, 'Notify has it');

    notify.mode = 'ok';
    advance(5_000);
    await drain();
    r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(texts(id), 1, 'not sent again');
    assert.ok(
      notify.lookups.some((q) => q.includes(`reference=${id}`)),
      'asked Notify by reference',
    );
    assert.deepEqual(
      (await attempts(id)).map((a) => a.outcome),
      ['accepted', 'found'],
      'the unknown attempt settled as accepted once Notify said it had it',
    );
    assert.ok(
      (await timeline(alertId)).includes(
        'Text message to Ben Carter delivered (GOV.UK Notify already had it: not sent again)',
      ),
    );
  });

  test('a dispatcher killed mid-send: the next one finds the text at Notify and does not send it again', async () => {
    const alertId = await openAlert();
    const id = await alarm(alertId);
    // What the dead process left: its claim (lease run out), an attempt still 'sending', and Notify had accepted the text.
    await database.db
      .updateTable('notifications')
      .set({ status: 'sending', claimed_by: 'dead#1', next_attempt_at: new Date(clock.getTime() - 1) })
      .where('id', '=', id)
      .execute();
    await database.db
      .insertInto('delivery_attempts')
      .values({
        notification_id: id,
        at: clock,
        channel: 'sms',
        ok: null,
        outcome: 'sending',
        claim: 'dead#1',
        error: null,
        provider_ref: null,
      })
      .execute();
    notify.requests.push({
      path: '/v2/notifications/sms',
      body: { reference: id, phone_number: '07700900123' },
      id: 'b8a4e0c1-0000-4000-8000-000000000001',
    });
    await drain();
    const r = await row(id);
    assert.equal(r.status, 'sent');
    assert.equal(r.provider_ref, 'b8a4e0c1-0000-4000-8000-000000000001');
    assert.equal(texts(id), 1);
  });

  test('a row whose claim was taken over is not sent by the old claim', async () => {
    const alertId = await openAlert();
    const id = await alarm(alertId);
    notify.mode = 'slow';
    notify.slowMs = 1_200;
    const first = dispatcher({ leaseMs: 600, renewMs: 150 });
    const running = first.tick();
    await sleep(400);
    advance(700); // past the first lease as it was taken, but it is renewed while the send runs
    await sleep(350);
    const second = dispatcher();
    assert.equal((await second.tick()).handed, 0, 'a renewed lease keeps the row');
    await running;
    assert.equal(texts(id), 1);
  });

  test('a hanging Notify holds up only text messages: email goes at once', async () => {
    notify.mode = 'hang';
    const alertId = await openAlert();
    const sms: string[] = [];
    for (let i = 0; i < 20; i++) sms.push(await alarm(alertId, 100 + i));
    const emails: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await database.db
        .insertInto('notifications')
        .values({
          recipient_id: ben.id,
          channel: 'email',
          fallbacks: ['inbox'],
          alert_id: alertId,
          step: 200 + i,
          subject: 'Alarm',
          body: 'Alarm',
          link: null,
          next_attempt_at: clock,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      emails.push(String(r.id));
    }
    const d = dispatcher({ sendTimeoutMs: 5_000, concurrency: 8 });
    const started = Date.now();
    // As the workers' loop runs it: a pass does not wait for its sends.
    while (emails.some((e) => mails(e) === 0) && Date.now() - started < 4_000) {
      await d.tick(500, { wait: false });
      await sleep(50);
    }
    const took = Date.now() - started;
    assert.ok(
      emails.every((e) => mails(e) === 1),
      `every email sent while Notify hangs (after ${took} ms)`,
    );
    assert.ok(took < 3_000, `emails took ${took} ms`);
    notify.mode = 'ok';
    await d.settled();
    assert.ok(
      sms.every((id) => texts(id) === 0),
      'no text got through the hanging Notify',
    );
  });

  test('duress, and the last step of a policy, go to every external channel at once; other steps to the first', async () => {
    const worker = await buildStaff(database.db, {
      given_name: 'Chloe',
      family_name: 'Davies',
      buddy_id: ben.id,
      line_manager_id: ben.id,
    });
    const engine = buildEscalationEngine({
      db: database.db,
      instanceId: 'test',
      plan: { channel: 'sms', fallbacks: ['email', 'inbox'] },
      baseUrl: 'https://harbour.example.gov.uk',
    });
    const policy = JSON.stringify([
      { key: 'a', label: 'Buddy', targets: ['buddy'], delaySeconds: 0 },
      { key: 'b', label: 'Line manager', targets: ['line_manager'], delaySeconds: 60 },
    ]);
    const open = async (kind: string) =>
      (
        await sql<{
          id: string;
        }>`INSERT INTO alerts (worker_id, kind, policy, deadline_at) VALUES (${worker.id}, ${kind}, ${policy}::jsonb, now()) RETURNING id::text AS id`.execute(
          database.db,
        )
      ).rows[0]!.id;
    const overdue = await open('overdue');
    const duress = await open('duress');
    await database.db.transaction().execute((trx) =>
      engine.fireSteps(trx, [
        { alertId: overdue, step: 0 },
        { alertId: overdue, step: 1 },
        { alertId: duress, step: 0 },
      ]),
    );
    const sent = async (alertId: string, step: number) =>
      (
        await database.db
          .selectFrom('notifications')
          .select(['channel', 'lane'])
          .where('alert_id', '=', alertId)
          .where('step', '=', step)
          .orderBy('id')
          .execute()
      ).map((r) => `${r.channel}${r.lane ? ' (copy)' : ''}`);
    assert.deepEqual(await sent(overdue, 0), ['sms'], 'an ordinary step: text first, email if it fails');
    assert.deepEqual(await sent(overdue, 1), ['sms', 'email (copy)'], 'the last step: text and email at once');
    assert.deepEqual(await sent(duress, 0), ['sms', 'email (copy)'], 'duress: text and email at once');
    const inbox = await database.db
      .selectFrom('notifications')
      .select('id')
      .where('alert_id', '=', duress)
      .where('recipient_id', '=', ben.id)
      .where('lane', 'is', null)
      .execute();
    assert.equal(inbox.length, 1, 'one message in the inbox; the copy is not listed twice');
  });

  test('nobody at a step reached by text or email for 60 seconds: the next step fires early, once, and the timeline says why', async () => {
    const alertId = await alertAtFirstStep();
    const id = await alarm(alertId, 0);
    const watch = buildDeliveryWatchRepository(database.db);
    await database.db
      .updateTable('notifications')
      .set({ unreached_since: sql<Date>`now() - interval '30 seconds'` })
      .where('id', '=', id)
      .execute();
    assert.deepEqual(await watch.escalateUnreached(60), [], 'not yet: 30 seconds');
    await database.db
      .updateTable('notifications')
      .set({ unreached_since: sql<Date>`now() - interval '61 seconds'` })
      .where('id', '=', id)
      .execute();
    assert.deepEqual(await watch.escalateUnreached(60), [alertId]);
    const timer = await sql<{
      due: boolean;
    }>`SELECT fire_at <= now() AS due FROM timers WHERE kind = 'alert_step' AND subject_id = ${alertId} AND seq = 1`.execute(
      database.db,
    );
    assert.equal(timer.rows[0]!.due, true);
    assert.deepEqual(await watch.escalateUnreached(60), [], 'once');
    assert.ok(
      (await timeline(alertId)).includes(
        'Nobody at step 1 was reached by text message or email for 60 seconds: step 2 fires now',
      ),
    );
  });

  test('someone reached at the step: no early escalation', async () => {
    const alertId = await alertAtFirstStep();
    const a = await alarm(alertId, 0);
    const other = await buildStaff(database.db, { given_name: 'Dev', family_name: 'Patel' });
    await database.db
      .insertInto('notifications')
      .values({
        recipient_id: other.id,
        channel: 'sms',
        fallbacks: [],
        alert_id: alertId,
        step: 0,
        subject: 's',
        body: 'b',
        link: null,
        status: 'sent',
        accepted_at: new Date(),
        next_attempt_at: clock,
      } as never)
      .execute();
    await database.db
      .updateTable('notifications')
      .set({ unreached_since: sql<Date>`now() - interval '5 minutes'` })
      .where('id', '=', a)
      .execute();
    assert.deepEqual(await buildDeliveryWatchRepository(database.db).escalateUnreached(60), []);
  });
});

describe(`[${engineName}] GOV.UK Notify's rate limit (3,000 a minute per key; 429 RateLimitError beyond)`, () => {
  /** Channels of their own: a 429 pauses the key's budget, which must not carry over to other tests. */
  async function ownChannels(ratePerMinute: number | null) {
    // Generous timeouts: these are about the rate limit, not a slow machine.
    return buildChannels(
      database.db,
      { ...config(), notify: { ...config().notify!, ratePerMinute } },
      { timeoutMs: 20_000 },
    );
  }

  /** `n` alarm texts of one alert (steps from `firstStep`), due now by the real clock. */
  async function burstDueNow(n: number, firstStep: number): Promise<string[]> {
    const alertId = await openAlert();
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(await alarm(alertId, firstStep + i));
    await sql`UPDATE notifications SET next_attempt_at = now() - interval '1 second' WHERE id = ANY(${ids}::bigint[])`.execute(
      database.db,
    );
    return ids;
  }

  test('a 429 is wait and send again on the same channel: no attempt counted, no fallback to email or the inbox, nobody "not reached" (so no early escalation)', async () => {
    const own = await ownChannels(3_000);
    try {
      const d = dispatcher({ channels: own });
      const alertId = await openAlert();
      const id = await alarm(alertId);
      const lines = (await timeline(alertId)).length;
      notify.failWith = 429;
      const waits: number[] = [];
      for (let i = 0; i < 8; i++) {
        await drain(d);
        const r = await row(id);
        assert.deepEqual(
          [r.status, r.channel, r.attempts, r.cycles],
          ['pending', 'sms', 0, 0],
          `after 429 number ${i + 1}: waiting for the text`,
        );
        assert.equal(r.unreached_since, null, 'a rate limit is not a failure to reach anyone');
        assert.equal(r.inbox_copy_at, null);
        assert.match(r.last_error ?? '', /429 \(RateLimitError/);
        waits.push(r.next_attempt_at.getTime() - clock.getTime());
        advance(waits.at(-1)! - 1);
        assert.equal((await d.tick()).handed, 0, 'nothing is claimed for the key before its pause is over');
        advance(1);
      }
      assert.deepEqual(
        waits,
        [1_000, 2_000, 5_000, 10_000, 30_000, 30_000, 30_000, 30_000],
        'the pause grows after each 429 in a row, capped',
      );
      assert.equal(d.failing().size, 0, 'not an outage: the operations contact is not told');
      assert.equal(mails(id), 0, 'no email instead');
      assert.equal((await timeline(alertId)).length, lines, 'the timeline is not filled with rate-limit lines');

      notify.failWith = null;
      await drain(d);
      const r = await row(id);
      assert.deepEqual([r.status, r.channel], ['sent', 'sms']);
      assert.ok(r.accepted_at);
      assert.equal(texts(id), 1, 'one text');
      const a = await attempts(id);
      assert.equal(a.length, 9, 'every 429 recorded as an attempt');
      assert.ok(a.slice(0, 8).every((x) => x.outcome === 'failed' && /429/.test(x.error ?? '')));
      assert.equal(a.at(-1)!.outcome, 'accepted');
    } finally {
      await closeChannels(own);
    }
  });

  test('Harbour keeps the limit itself: a burst beyond it waits as pending rather than drawing 429s', async () => {
    const own = await ownChannels(60); // a bucket of 21, refilled at 1 a second
    try {
      const d = dispatcher({ channels: own, now: () => new Date() });
      const ids = await burstDueNow(30, 300);
      const first = await d.tick();
      await d.settled();
      assert.equal(first.handed, 21, 'only as many as the budget allows are claimed');
      assert.ok(
        first.nextInMs !== null && first.nextInMs > 0 && first.nextInMs <= 1_000,
        `comes back when a token is due (${first.nextInMs} ms)`,
      );
      const waiting = await database.db
        .selectFrom('notifications')
        .select(['status', 'attempts'])
        .where('id', 'in', ids)
        .where('status', '=', 'pending')
        .execute();
      assert.equal(waiting.length, 9);
      assert.ok(
        waiting.every((w) => w.attempts === 0),
        'nothing attempted for the rest',
      );
      assert.equal(notify.rateLimited, 0);
    } finally {
      await closeChannels(own);
    }
  });

  test('another instance using the key: Notify answers 429 beyond its limit, and every text still goes, once, by text', async () => {
    const own = await ownChannels(null); // this instance keeps no limit: Notify's own decides
    notify.limitRate(600, 5); // a bucket of 5, refilled at 10 a second
    try {
      const d = dispatcher({ channels: own, now: () => new Date(), sendTimeoutMs: 20_000 });
      const ids = await burstDueNow(25, 400);
      const started = Date.now();
      while (ids.some((id) => texts(id) === 0) && Date.now() - started < 30_000) {
        await d.tick();
        await d.settled();
        await sleep(100);
      }
      assert.ok(notify.rateLimited > 0, 'Notify refused some for the rate limit');
      assert.deepEqual(
        ids.map((id) => texts(id)),
        ids.map(() => 1),
        'each text sent once',
      );
      const rows = await database.db
        .selectFrom('notifications')
        .select(['status', 'channel', 'attempts'])
        .where('id', 'in', ids)
        .execute();
      assert.ok(
        rows.every((r) => r.status === 'sent' && r.channel === 'sms' && r.attempts === 1),
        `all by text, only the accepted attempt counted: ${JSON.stringify(rows)}`,
      );
    } finally {
      notify.limitRate(null);
      await closeChannels(own);
    }
  });
});

describe(`[${engineName}] a dispatcher never takes back a row it is still sending`, () => {
  test('its lease ran out (renewals held up): the next pass does not claim the row again, and the send finishes under its first claim', async () => {
    const alertId = await openAlert();
    const id = await alarm(alertId, 500);
    notify.mode = 'slow';
    notify.slowMs = 500;
    // Generous timeouts: this is about the lease, not a slow machine.
    const own = await buildChannels(database.db, config(), { timeoutMs: 20_000 });
    try {
      const d = dispatcher({ channels: own, leaseMs: 100, renewMs: 60_000, sendTimeoutMs: 20_000 }); // no renewal comes in time
      await d.tick(500, { wait: false });
      advance(1_000); // past the lease
      assert.equal((await d.tick(500, { wait: false })).handed, 0, 'not claimed again by the dispatcher sending it');
      await d.settled();
      d.close();
    } finally {
      await closeChannels(own);
    }
    const r = await row(id);
    assert.equal(r.status, 'sent', `${r.status}: ${r.last_error}`);
    assert.equal(texts(id), 1);
    assert.deepEqual(
      (await attempts(id)).map((a) => a.outcome),
      ['accepted'],
      'one attempt, no lookup needed',
    );
  });
});
