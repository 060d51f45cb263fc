/**
 * Issue 17: an authenticator-app code (TOTP) after the password, required of administrators in
 * production; and one-time set-password links that administrators send instead of typing a
 * password. Route tests with CSRF on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { demo, startTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { errorLinks } from './support.ts';
import { checkCode, groupSecret, normaliseCode } from '../../src/features/auth/second-factor.ts';

const fieldErrors = (res: { body: string; statusCode: number }) =>
  errorLinks(res as never)
    .filter((l) => l !== 'main-content')
    .sort();

/** The authenticator-app key as the person's app has it: stored sealed, opened with the keyring. */
async function secretOf(t: TestApp, email: string): Promise<string> {
  const row = await t.repos.db
    .selectFrom('accounts')
    .select(['id', 'totp_secret'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return t.services.emergency.secretBox.open(row.totp_secret!, `totp:${row.id}`);
}

/**
 * Code for the 30-second step `offset` steps from now. Within 3 s of the next step it first waits
 * for that step, so the server checks the code in the step it was made for (a loaded machine once
 * took long enough for step -1 to become step -2, outside the window).
 */
const codeAt = async (secret: string, offset = 0) => {
  const intoStep = Date.now() % 30_000;
  if (intoStep > 27_000) await new Promise((resolve) => setTimeout(resolve, 30_000 - intoStep + 50));
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offset * 30 });
};

async function turnOn(t: TestApp, agent: Agent, email: string) {
  assert.equal((await agent.get('/account/two-factor')).statusCode, 200);
  const secret = await secretOf(t, email);
  const res = await agent.submit('/account/two-factor', '/account/two-factor', { code: await codeAt(secret, -1) });
  assert.equal(res.statusCode, 303, res.body);
  return secret;
}

describe('codes, as typed', () => {
  test('spaces and dashes are dropped; anything but six digits is no code', async () => {
    assert.equal(normaliseCode(' 123 456 '), '123456');
    assert.equal(normaliseCode('123-456'), '123456');
    assert.equal(normaliseCode('12345'), null);
    assert.equal(normaliseCode('12345a'), null);
    assert.equal(groupSecret('ABCDEFGHIJ'), 'ABCD EFGH IJ');
  });
  test('a code is accepted one step either side of now, and never at or before the last step used', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const step = await checkCode(secret, await codeAt(secret), null);
    assert.ok(step);
    assert.ok(await checkCode(secret, await codeAt(secret, -1), null));
    assert.equal(await checkCode(secret, await codeAt(secret, -3), null), null);
    assert.equal(await checkCode(secret, await codeAt(secret), step), null, 'the same code again is refused');
  });
});

describe('a second factor for a password account', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  test('setting it up: a wrong code names its field; a right one turns it on and is audited', async () => {
    const chloe = await t.signIn(demo.worker);
    const page = await chloe.get('/account/two-factor');
    const secret = await secretOf(t, demo.worker);
    assert.ok(page.body.includes(groupSecret(secret)), 'the key is shown to type into the app');
    assert.match(page.body, /otpauth:\/\/totp\/Harbour/);
    const wrong = await chloe.submit('/account/two-factor', '/account/two-factor', { code: '000000' });
    assert.equal(wrong.statusCode, 400);
    assert.deepEqual(fieldErrors(wrong), ['code']);
    const ok = await chloe.submit('/account/two-factor', '/account/two-factor', { code: await codeAt(secret) });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, '/account/two-factor?done=on');
    assert.match((await chloe.get('/account/two-factor?done=on')).body, /Your authenticator app is set up/);
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'account.two_factor_on')
      .execute();
    assert.equal(audit.length, 1);
  });

  test('signing in then asks for the code: the password alone does not sign in; a wrong code is refused; the right one does', async () => {
    const secret = await secretOf(t, demo.worker);
    const browser = t.agent();
    const first = await browser.submit('/sign-in?returnTo=%2Fvisits', '/sign-in', {
      email: demo.worker,
      password: DEMO_PASSWORD,
      returnTo: '/visits',
    });
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, '/sign-in/code?returnTo=%2Fvisits');
    const notYet = await browser.get('/');
    assert.equal(notYet.statusCode, 303, 'not signed in before the code');
    assert.match(String(notYet.headers.location), /^\/sign-in/);
    const codePage = await browser.get('/sign-in/code?returnTo=%2Fvisits');
    assert.equal(codePage.statusCode, 200);
    assert.match(codePage.body, /autocomplete="one-time-code"/);
    const empty = await browser.submit('/sign-in/code', '/sign-in/code', { code: '', returnTo: '/visits' });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(fieldErrors(empty), ['code']);
    const wrong = await browser.submit('/sign-in/code', '/sign-in/code', { code: '111111', returnTo: '/visits' });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /The code is not right/);
    const right = await browser.submit('/sign-in/code', '/sign-in/code', {
      code: await codeAt(secret, 1),
      returnTo: '/visits',
    });
    assert.equal(right.statusCode, 303);
    assert.equal(right.headers.location, '/visits');
    assert.equal((await browser.get('/')).statusCode, 200);
  });

  test('a code cannot be used twice, and five wrong codes end the attempt', async () => {
    const secret = await secretOf(t, demo.worker);
    const used = await codeAt(secret, 1); // accepted in the test before
    const browser = t.agent();
    await browser.submit('/sign-in', '/sign-in', { email: demo.worker, password: DEMO_PASSWORD });
    const replay = await browser.submit('/sign-in/code', '/sign-in/code', { code: used });
    assert.equal(replay.statusCode, 400);
    for (let i = 0; i < 3; i++)
      assert.equal((await browser.submit('/sign-in/code', '/sign-in/code', { code: '222222' })).statusCode, 400);
    const fifth = await browser.submit('/sign-in/code', '/sign-in/code', { code: '333333' });
    assert.equal(fifth.statusCode, 400);
    assert.match(fifth.body, /Sign in again/);
    // The challenge is gone: even the right code now does nothing but send the person to sign in.
    const after = await browser.post('/sign-in/code', {
      _csrf: await browser.csrf('/sign-in'),
      code: await codeAt(secret, 0),
    });
    assert.equal(after.statusCode, 303);
    assert.equal(after.headers.location, '/sign-in');
    const failed = await t.repos.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'auth.second_factor_failed')
      .execute();
    assert.equal(failed.length, 6);
  });

  test("turning it off needs the password; an administrator can reset someone else's, which ends their sessions", async () => {
    const manager = await t.signIn(demo.teamManager);
    await turnOn(t, manager, demo.teamManager);
    const noPassword = await manager.submit('/account/two-factor', '/account/two-factor/remove', {
      password: 'wrong password here',
    });
    assert.equal(noPassword.statusCode, 400);
    assert.deepEqual(fieldErrors(noPassword), ['password']);
    assert.equal(
      (await manager.submit('/account/two-factor', '/account/two-factor/remove', { password: DEMO_PASSWORD }))
        .statusCode,
      303,
    );
    await turnOn(t, manager, demo.teamManager);

    const accountId = (
      await t.repos.db
        .selectFrom('accounts')
        .select('id')
        .where('email', '=', demo.teamManager)
        .executeTakeFirstOrThrow()
    ).id;
    const worker = await t.signIn(demo.businessSupport);
    assert.equal(
      (await worker.post(`/admin/accounts/${accountId}/two-factor/reset`, { _csrf: await worker.csrf() })).statusCode,
      403,
    );
    const admin = await t.signIn(demo.admin);
    const reset = await admin.post(`/admin/accounts/${accountId}/two-factor/reset`, {
      _csrf: await admin.csrf('/admin/accounts'),
    });
    assert.equal(reset.statusCode, 303);
    assert.equal((await manager.get('/')).statusCode, 303, 'their sessions ended');
    assert.equal(
      (await t.agent().submit('/sign-in', '/sign-in', { email: demo.teamManager, password: DEMO_PASSWORD })).headers
        .location,
      '/',
    );
  });
});

describe('authenticator-app keys at rest', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const stored = async (email: string) =>
    t.repos.db
      .selectFrom('accounts')
      .select(['id', 'totp_secret'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
  const signInWithCode = async (email: string, code: string) => {
    const browser = t.agent();
    await browser.submit('/sign-in', '/sign-in', { email, password: DEMO_PASSWORD });
    return browser.submit('/sign-in/code', '/sign-in/code', { code });
  };

  test('are sealed with the emergency-pack keyring, so a copy of the database gives no one the key; a key copied onto another account does not open', async () => {
    const chloe = await t.signIn(demo.worker);
    const secret = await turnOn(t, chloe, demo.worker);
    const row = await stored(demo.worker);
    assert.match(row.totp_secret!, /^sealed:k[0-9a-f]{16}:/);
    assert.ok(!row.totp_secret!.includes(secret), 'the key is not in the column');
    assert.equal((await signInWithCode(demo.worker, await codeAt(secret, 1))).statusCode, 303);

    // Someone with write access to the table moves Chloe's sealed key onto Emma's account, which has one set up.
    const emma = await t.signIn(demo.businessSupport);
    await turnOn(t, emma, demo.businessSupport);
    await t.repos.db
      .updateTable('accounts')
      .set({ totp_secret: row.totp_secret })
      .where('email', '=', demo.businessSupport)
      .execute();
    const refused = await signInWithCode(demo.businessSupport, await codeAt(secret, 0));
    assert.equal(refused.statusCode, 400, 'refused as a wrong code, not a server error');
  });

  test('keys kept in clear before sealing began still work, and key rotation seals them', async () => {
    const manager = await t.signIn(demo.teamManager);
    const secret = await turnOn(t, manager, demo.teamManager);
    await t.repos.db
      .updateTable('accounts')
      .set({ totp_secret: secret })
      .where('email', '=', demo.teamManager)
      .execute();
    assert.equal((await signInWithCode(demo.teamManager, await codeAt(secret, 0))).statusCode, 303);
    const result = await t.services.auth.resealTotpSecrets();
    const row = await stored(demo.teamManager);
    assert.ok(result.resealed >= 1 && !result.unreadable.includes(row.id));
    assert.match(row.totp_secret!, /^sealed:/);
    assert.equal(
      (await signInWithCode(demo.teamManager, await codeAt(secret, 1))).statusCode,
      303,
      'the same app still works',
    );
    assert.equal((await t.services.auth.resealTotpSecrets()).resealed, 0, 'nothing left to seal');
  });
});

describe('administrators must have a second factor in production', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ app: { requireAdminTwoFactor: true } });
  });
  after(() => t.close());

  test('an administrator without one is sent to set it up, from every page and every form, and cannot turn it off', async () => {
    const admin = await t.signIn(demo.admin);
    for (const path of ['/', '/admin/accounts', '/people']) {
      const res = await admin.get(path);
      assert.equal(res.statusCode, 303, path);
      assert.equal(res.headers.location, '/account/two-factor?required=1');
    }
    const page = await admin.get('/account/two-factor?required=1');
    assert.match(page.body, /Administrators must set up an authenticator app/);
    const csrf = await admin.csrf('/account/two-factor');
    assert.equal(
      (await admin.post('/admin/accounts/1/disable', { _csrf: csrf })).headers.location,
      '/account/two-factor?required=1',
    );
    await turnOn(t, admin, demo.admin);
    assert.equal((await admin.get('/admin/accounts')).statusCode, 200);
    const off = await admin.submit('/account/two-factor', '/account/two-factor/remove', { password: DEMO_PASSWORD });
    assert.equal(off.statusCode, 400);
    assert.match(off.body, /Administrators must keep a second factor/);
  });

  test('other people are not made to', async () => {
    const chloe = await t.signIn(demo.worker);
    assert.equal((await chloe.get('/')).statusCode, 200);
  });
});

describe('set-password links', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const accountId = async (email: string) =>
    await t.repos.db
      .selectFrom('accounts')
      .select(['id', 'staff_id'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();

  test('only administrators send them; the link is shown once, emailed to the member of staff, and works once', async () => {
    const { id, staff_id } = await accountId(demo.worker);
    const manager = await t.signIn(demo.teamManager);
    assert.equal(
      (await manager.post(`/admin/accounts/${id}/password-link`, { _csrf: await manager.csrf() })).statusCode,
      403,
    );

    const chloe = await t.signIn(demo.worker);
    const admin = await t.signIn(demo.admin);
    const sent = await admin.post(`/admin/accounts/${id}/password-link`, {
      _csrf: await admin.csrf('/admin/accounts'),
    });
    assert.equal(sent.statusCode, 200);
    const url = /(https?:\/\/[^<\s]+\/set-password\/[A-Za-z0-9_-]+)/.exec(sent.body)?.[1];
    assert.ok(url, 'the link is on the page');
    const path = new URL(url).pathname;
    const email = await t.repos.db
      .selectFrom('notifications')
      .select(['channel', 'link'])
      .where('recipient_id', '=', staff_id!)
      .where('subject', '=', 'Set your Harbour password')
      .execute();
    assert.deepEqual(email, [{ channel: 'email', link: path }]);
    const stored = await t.repos.db.selectFrom('password_links').select('id_hash').execute();
    assert.ok(
      stored.every((s) => !path.includes(s.id_hash)),
      'only a hash of the token is kept',
    );

    const visitor = t.agent();
    const form = await visitor.get(path);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /chloe\.davies@harbour\.example/);
    const bad = await visitor.submit(path, path, { password: 'password1234', confirm: 'different' });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(fieldErrors(bad), ['password']);
    const mismatch = await visitor.submit(path, path, {
      password: 'amber kettle river 7',
      confirm: 'amber kettle river 8',
    });
    assert.deepEqual(fieldErrors(mismatch), ['confirm']);
    const done = await visitor.submit(path, path, {
      password: 'amber kettle river 7',
      confirm: 'amber kettle river 7',
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/sign-in?passwordSet=1');
    assert.equal((await chloe.get('/')).statusCode, 303, 'her other sessions ended');
    assert.equal(
      (await t.agent().submit('/sign-in', '/sign-in', { email: demo.worker, password: 'amber kettle river 7' }))
        .statusCode,
      303,
    );
    const again = await t.agent().get(path);
    assert.equal(again.statusCode, 404);
    assert.match(again.body, /expired or been used/);
    assert.equal(
      (
        await visitor.post(path, {
          _csrf: await visitor.csrf('/sign-in'),
          password: 'another good phrase 9',
          confirm: 'another good phrase 9',
        })
      ).statusCode,
      404,
    );
  });

  test('a newer link replaces an older one; an unknown link is a 404', async () => {
    const { id } = await accountId(demo.businessSupport);
    const admin = await t.signIn(demo.admin);
    const first = await admin.post(`/admin/accounts/${id}/password-link`, {
      _csrf: await admin.csrf('/admin/accounts'),
    });
    const firstPath = new URL(/(https?:\/\/[^<\s]+\/set-password\/[A-Za-z0-9_-]+)/.exec(first.body)![1]!).pathname;
    await admin.post(`/admin/accounts/${id}/password-link`, { _csrf: await admin.csrf('/admin/accounts') });
    assert.equal((await t.agent().get(firstPath)).statusCode, 404);
    assert.equal((await t.agent().get('/set-password/not-a-real-token')).statusCode, 404);
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'account.password_link')
      .execute();
    assert.ok(audit.length >= 2);
  });
});
