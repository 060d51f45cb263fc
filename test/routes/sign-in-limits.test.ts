/**
 * Sign-in limits that work (issue 17), with CSRF on: X-Forwarded-For is believed only from
 * TRUST_PROXY; only failures count, per email address and per client address; a progressive delay,
 * then a lock the account holder is told about; the real client address in the audit trail.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { csrfFrom, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';

/** One browser's password sign-in, with the headers a client (or someone forging them) sends. */
async function attempt(
  app: FastifyInstance,
  email: string,
  password: string,
  headers: Record<string, string> = {},
  remoteAddress = '203.0.113.7',
) {
  const page = await app.inject({ method: 'GET', url: '/sign-in', remoteAddress });
  const cookie = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const body = new URLSearchParams({ _csrf: csrfFrom(page.body), email, password }).toString();
  return app.inject({
    method: 'POST',
    url: '/sign-in',
    payload: body,
    remoteAddress,
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

async function lastAudit(t: TestApp, action: string) {
  return t.repos.db
    .selectFrom('audit_log')
    .select(['ip', 'actor_label', 'detail'])
    .where('action', '=', action)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

/** Moves an email address's last failure back, as if the delay had passed. */
async function passTime(t: TestApp, email: string, ms: number) {
  await t.repos.db
    .updateTable('sign_in_failures')
    .set({ last_failed_at: new Date(Date.now() - ms) })
    .where('key', '=', `account:${email}`)
    .execute();
}

describe('sign-in limits with no trusted proxy', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ signInRateLimit: 8 });
  });
  after(() => t.close());

  test('a forged X-Forwarded-For neither escapes the limit nor reaches the audit trail', async () => {
    for (let i = 1; i <= 3; i++) {
      const res = await attempt(t.app, demo.worker, `wrong-${i}`, { 'x-forwarded-for': `198.51.100.${i}` });
      assert.equal(res.statusCode, 400, `attempt ${i}`);
      const failed = await lastAudit(t, 'auth.sign_in_failed');
      assert.equal(failed.ip, '203.0.113.7');
    }
    // The fourth comes too soon, whatever address it claims, and even with the right password.
    const res = await attempt(t.app, demo.worker, DEMO_PASSWORD, { 'x-forwarded-for': '198.51.100.99' });
    assert.equal(res.statusCode, 429);
    assert.match(res.body, /Too many attempts\. Wait \d+ seconds? and try again\./);
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.equal(
      res.cookies.find((c) => c.name === 'harbour_session'),
      undefined,
    );
    assert.equal((await lastAudit(t, 'auth.sign_in_refused')).ip, '203.0.113.7');
  });

  test('the delay grows with each failure; once it has passed the right password works and clears the count', async () => {
    await passTime(t, demo.worker, 1500);
    assert.equal((await attempt(t.app, demo.worker, 'wrong-4')).statusCode, 400);
    await passTime(t, demo.worker, 1500);
    assert.equal(
      (await attempt(t.app, demo.worker, DEMO_PASSWORD)).statusCode,
      429,
      'the fourth failure means a 2 s wait',
    );
    await passTime(t, demo.worker, 2500);
    assert.equal((await attempt(t.app, demo.worker, DEMO_PASSWORD)).statusCode, 303);
    assert.equal(
      await t.repos.db
        .selectFrom('sign_in_failures')
        .select('key')
        .where('key', '=', `account:${demo.worker}`)
        .executeTakeFirst(),
      undefined,
    );
  });

  test('successes do not count: more colleagues than the limit sign in from one office address', async () => {
    const colleagues = [
      demo.teamManager,
      demo.otherTeamManager,
      demo.serviceManager,
      demo.assistantDirector,
      demo.businessSupport,
      demo.healthAndSafety,
      demo.complaints,
      demo.foi,
      demo.admin,
      demo.noBuddyWorker,
      demo.otherServiceWorker,
    ];
    assert.ok(colleagues.length > 8);
    for (const email of colleagues)
      assert.equal((await attempt(t.app, email, DEMO_PASSWORD, {}, '192.0.2.50')).statusCode, 303, email);
  });

  test('ten failures lock the account for 15 minutes, and its holder is told in their inbox', async () => {
    const email = 'dev.patel@harbour.example';
    await t.repos.db
      .insertInto('sign_in_failures')
      .values({
        key: `account:${email}`,
        failures: 9,
        first_failed_at: new Date(Date.now() - 60_000),
        last_failed_at: new Date(Date.now() - 120_000),
        locked_until: null,
      })
      .execute();
    assert.equal((await attempt(t.app, email, 'wrong-10', {}, '192.0.2.60')).statusCode, 400);
    const locked = await attempt(t.app, email, DEMO_PASSWORD, {}, '192.0.2.61');
    assert.equal(locked.statusCode, 429);
    assert.match(locked.body, /Too many attempts\. Wait 15 minutes and try again\./);
    const staff = await t.repos.db
      .selectFrom('staff')
      .select('id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const told = await t.repos.db
      .selectFrom('notifications')
      .select(['subject', 'channel'])
      .where('recipient_id', '=', staff.id)
      .where('subject', '=', 'Your Harbour sign-in has been locked')
      .execute();
    assert.deepEqual(
      told.map((n) => n.channel),
      ['inbox'],
    );
    assert.deepEqual((await lastAudit(t, 'auth.sign_in_failed')).detail, { locked: true });
  });

  test('an address with too many failures is locked, whichever emails it tries', async () => {
    for (let i = 0; i < 8; i++)
      assert.equal((await attempt(t.app, `nobody${i}@harbour.example`, 'guess', {}, '192.0.2.70')).statusCode, 400);
    const res = await attempt(t.app, demo.complaints, DEMO_PASSWORD, {}, '192.0.2.70');
    assert.equal(res.statusCode, 429);
    assert.equal(
      (await attempt(t.app, demo.complaints, DEMO_PASSWORD, {}, '192.0.2.71')).statusCode,
      303,
      'another address is not affected',
    );
  });
});

describe('sign-in behind a trusted proxy', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ app: { trustProxy: ['10.0.0.0/8'] } });
  });
  after(() => t.close());

  test('the proxy names the client: its address is what the audit trail records', async () => {
    assert.equal(
      (await attempt(t.app, demo.worker, DEMO_PASSWORD, { 'x-forwarded-for': '198.51.100.20' }, '10.1.2.3')).statusCode,
      303,
    );
    assert.equal((await lastAudit(t, 'auth.sign_in')).ip, '198.51.100.20');
  });

  test('a client that is not the proxy cannot name itself', async () => {
    assert.equal(
      (await attempt(t.app, demo.worker, DEMO_PASSWORD, { 'x-forwarded-for': '198.51.100.21' }, '203.0.113.9'))
        .statusCode,
      303,
    );
    assert.equal((await lastAudit(t, 'auth.sign_in')).ip, '203.0.113.9');
  });
});
