import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Agent, csrfFrom, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { openTestDatabase } from '../helpers/database.ts';
import { auditCount, demoIds, type DemoIds } from './support.ts';
import { buildApp } from '../../src/app.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { DEMO_PASSWORD, seedDemo } from '../../src/demo/seed.ts';

let t: TestApp;
let ids: DemoIds;

async function message(
  recipient: number,
  values: Partial<{
    subject: string;
    status: string;
    channel: string;
    lastError: string;
    read: boolean;
    createdAt: Date;
    link: string | null;
  }> = {},
) {
  const row = await t.repos.db
    .insertInto('notifications')
    .values({
      recipient_id: recipient,
      channel: values.channel ?? 'inbox',
      subject: values.subject ?? 'Chloe Davies has not checked in',
      body: 'Chloe was due back at 2:30pm.\nCall her now.',
      link: values.link === undefined ? 'http://localhost:3000/alerts/7' : values.link,
      status: (values.status ?? 'sent') as 'sent',
      last_error: values.lastError ?? null,
      read_at: values.read ? new Date() : null,
      ...(values.createdAt ? { created_at: values.createdAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return String(row.id);
}

before(async () => {
  t = await startTestApp();
  ids = await demoIds(t.repos.db);
});
after(() => t.close());

describe('inbox', () => {
  test('shows the signed-in person’s messages, newest first, unread marked, with a link to the alert', async () => {
    const older = await message(ids.person.ben, {
      subject: 'Older message',
      createdAt: new Date(Date.now() - 3600_000),
      read: true,
    });
    const newer = await message(ids.person.ben, { subject: 'Newer message' });
    await message(ids.person.ola, { subject: 'Someone else’s message' });
    const benAgent = await t.signIn('ben.carter@harbour.example');
    const res = await benAgent.get('/inbox');
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.indexOf('Newer message') < res.body.indexOf('Older message'), 'newest first');
    assert.ok(!res.body.includes('Someone else’s message'));
    assert.match(
      res.body,
      new RegExp(`id="message-${newer}" class="harbour-inbox__message harbour-inbox__message--unread"`),
    );
    assert.match(res.body, new RegExp(`id="message-${older}" class="harbour-inbox__message"`));
    assert.match(res.body, /You have 1 unread message\./);
    assert.ok(res.body.includes('href="/alerts/7"'), 'the link stays inside Harbour');
    assert.ok(res.body.includes(`action="/inbox/${newer}/read"`));
    assert.ok(!res.body.includes(`action="/inbox/${older}/read"`), 'a read message has no Mark as read button');
  });

  test('Mark as read marks only one’s own message', async () => {
    const mine = await message(ids.person.ben, { subject: 'Read me' });
    const theirs = await message(ids.person.ola, { subject: 'Not yours' });
    const benAgent = await t.signIn('ben.carter@harbour.example');
    const csrf = await benAgent.csrf('/inbox');
    const res = await benAgent.post(`/inbox/${mine}/read`, { _csrf: csrf });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/inbox#message-${mine}`);
    await benAgent.post(`/inbox/${theirs}/read`, { _csrf: csrf });
    const readAt = async (id: string) =>
      (await t.repos.db.selectFrom('notifications').select('read_at').where('id', '=', id).executeTakeFirstOrThrow())
        .read_at;
    assert.ok(await readAt(mine));
    assert.equal(await readAt(theirs), null, 'another person’s message is left unread');
    assert.equal((await benAgent.post('/inbox/abc/read', { _csrf: csrf })).statusCode, 404);
    assert.equal((await benAgent.post(`/inbox/${mine}/read`, {})).statusCode, 403, 'CSRF token required');
  });

  test('Mark all as read', async () => {
    await message(ids.person.dev, { subject: 'One' });
    await message(ids.person.dev, { subject: 'Two' });
    const devAgent = await t.signIn('dev.patel@harbour.example');
    const res = await devAgent.submit('/inbox', '/inbox/read-all', {});
    assert.equal(res.headers.location, '/inbox?done=all');
    const page = await devAgent.get('/inbox?done=all');
    assert.match(page.body, /All messages marked as read/);
    assert.match(page.body, /You have read all your messages/);
  });

  test('an empty inbox says so', async () => {
    const res = await (await t.signIn(demo.foi)).get('/inbox');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /You have no messages/);
  });

  test('navigation shows Inbox to everyone with a staff record; the menu shows Outbox only to those who may see it', async () => {
    const worker = await t.signIn(demo.worker);
    assert.ok((await worker.get('/inbox')).body.includes('href="/inbox"'));
    assert.ok(!(await worker.get('/menu')).body.includes('href="/outbox"'));
    const support = await t.signIn(demo.businessSupport);
    assert.ok((await support.get('/menu')).body.includes('href="/outbox"'));
  });
});

describe('outbox', () => {
  let failed: string;
  let pending: string;
  before(async () => {
    failed = await message(ids.person.ola, {
      subject: 'Failed text',
      channel: 'sms',
      status: 'failed',
      lastError: 'GOV.UK Notify answered 400 (BadRequestError: phone number)',
    });
    pending = await message(ids.person.ola, { subject: 'Waiting text', channel: 'sms', status: 'pending' });
  });

  test('lists every notification with channel, recipient, status, attempts and last error', async () => {
    const res = await (await t.signIn(demo.healthAndSafety)).get('/outbox');
    assert.equal(res.statusCode, 200);
    for (const text of [
      'Failed text',
      'Waiting text',
      'Ola Adeyemi',
      'Text message',
      'GOV.UK Notify answered 400 (BadRequestError: phone number)',
      'Failed',
      'Waiting',
      'Handed to channel',
    ]) {
      assert.ok(res.body.includes(text), `outbox shows ${text}`);
    }
    void failed;
    void pending;
  });

  test('filters by status', async () => {
    const agent = await t.signIn(demo.admin);
    const res = await agent.get('/outbox?status=failed');
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes('Failed text'));
    assert.ok(!res.body.includes('Waiting text'));
    assert.equal((await agent.get('/outbox?status=nonsense')).statusCode, 400);
  });

  test('a worker may not see it', async () => {
    const res = await (await t.signIn(demo.worker)).get('/outbox');
    assert.equal(res.statusCode, 403);
  });
});

describe('push registration (push not configured)', () => {
  test('the account page says push is not set up; the key endpoint says it is off', async () => {
    const agent = await t.signIn(demo.worker);
    const page = await agent.get('/account/notifications');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /not set up to send push notifications/);
    assert.ok(!page.body.includes('/public/push.js'));
    const key = await agent.get('/push/vapid-public-key');
    assert.deepEqual(key.json(), { enabled: false, publicKey: null });
  });
});

describe('push registration (push configured)', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  let repos: ReturnType<typeof buildRepositories>;

  before(async () => {
    const database = await openTestDatabase();
    repos = buildRepositories(database.db);
    await seedDemo(database.db, repos.audit);
    app = await buildApp(buildServices(repos, { sessionTtlHours: 12, pushEnabled: true }), {
      cookieSecure: false,
      signInRateLimit: 1000,
    });
    await app.ready();
    close = async () => {
      await app.close();
      await database.drop();
    };
  });
  after(() => close());

  async function signIn(email: string) {
    const agent = new Agent(app);
    const res = await agent.submit('/sign-in', '/sign-in', { email, password: DEMO_PASSWORD });
    assert.equal(res.statusCode, 303);
    return agent;
  }
  const keys = () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
  };

  test('the page works without JavaScript: it says push needs it, and the button is hidden until push.js runs', async () => {
    const agent = await signIn(demo.worker);
    const page = await agent.get('/account/notifications');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Push notifications need JavaScript/);
    assert.match(page.body, /<form method="post" action="\/push\/subscriptions" id="push-form" hidden/);
    assert.ok(page.body.includes('<script type="module" src="/public/push.js"></script>'));
    const script = await app.inject({ url: '/public/push.js' });
    assert.equal(script.statusCode, 200);
    assert.equal((await app.inject({ url: '/public/push-sw.js' })).statusCode, 200);
  });

  test('the VAPID public key is made once and served to signed-in people', async () => {
    const agent = await signIn(demo.worker);
    const first = (await agent.get('/push/vapid-public-key')).json() as { enabled: boolean; publicKey: string };
    assert.equal(first.enabled, true);
    assert.match(first.publicKey, /^[A-Za-z0-9_-]{80,}$/);
    assert.deepEqual((await agent.get('/push/vapid-public-key')).json(), first);
    assert.equal((await new Agent(app).get('/push/vapid-public-key')).statusCode, 303, 'anonymous: off to sign in');
  });

  test('push.js’s JSON post saves the subscription (CSRF checked); it can be removed again', async () => {
    const agent = await signIn(demo.worker);
    const page = await agent.get('/account/notifications');
    const csrf = csrfFrom(page.body);
    const sub = { endpoint: 'https://push.example/send/abc', ...keys() };
    // As push.js sends it: JSON with the page's CSRF token, the session cookie alongside.
    const cookie = (agent as unknown as { cookieHeader(): string }).cookieHeader();
    const post = (body: Record<string, unknown>) =>
      app.inject({
        method: 'POST',
        url: '/push/subscriptions',
        payload: body,
        headers: { cookie, 'content-type': 'application/json' },
      });
    assert.equal((await post(sub)).statusCode, 403, 'no CSRF token');
    const bad = await post({ ...sub, _csrf: csrf, endpoint: 'http://push.example/insecure' });
    assert.equal(bad.statusCode, 400);
    assert.match((bad.json() as { message: string }).message, /https/);
    const audits = await auditCount(repos.db);
    const ok = await post({ ...sub, _csrf: csrf });
    assert.equal(ok.statusCode, 201);
    assert.equal((await post({ ...sub, _csrf: csrf })).statusCode, 201, 'subscribing again replaces, not duplicates');
    const ids2 = await demoIds(repos.db);
    const rows = await repos.db
      .selectFrom('push_subscriptions')
      .selectAll()
      .where('staff_id', '=', ids2.person.chloe)
      .execute();
    assert.equal(rows.length, 1);
    assert.deepEqual(rows[0]!.keys, { p256dh: sub.p256dh, auth: sub.auth });
    assert.equal(await auditCount(repos.db), audits + 2);

    const after = await agent.get('/account/notifications');
    assert.match(after.body, /1 browser is registered/);
    const removed = await agent.post('/account/notifications/remove-devices', { _csrf: csrf });
    assert.equal(removed.headers.location, '/account/notifications?done=removed');
    assert.equal(
      (await repos.db.selectFrom('push_subscriptions').selectAll().where('staff_id', '=', ids2.person.chloe).execute())
        .length,
      0,
    );
  });
});
