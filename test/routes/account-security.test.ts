/**
 * Accounts that look after themselves (issue 17), with CSRF on: people change their own password
 * (current one, 12 characters, not a common password, typed twice; every problem at once), and
 * every other session of the account ends; an administrator turning an account off ends its
 * sessions at once and stops its API tokens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { demoIds, errorLinks } from './support.ts';
import { passwordProblem } from '../../src/features/auth/passwords.ts';

const fieldErrors = (res: { body: string; statusCode: number }) =>
  errorLinks(res as never)
    .filter((l) => l !== 'main-content')
    .sort();

describe('changing your own password', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  test('common passwords are refused, whatever their case or trailing digits', () => {
    for (const p of [
      'password1234',
      'Password12345!',
      'qwertyuiop123',
      'aaaaaaaaaaaaaaaa',
      'Liverpool2026!!',
      'abababababababab',
    ])
      assert.match(passwordProblem(p) ?? '', /too common/, p);
    assert.equal(passwordProblem('correct horse battery staple'), null);
    assert.match(passwordProblem('short') ?? '', /12 characters or more/);
  });

  test('every problem is shown at once, each naming its field', async () => {
    const chloe = await t.signIn(demo.worker);
    assert.equal((await chloe.get('/account/password')).statusCode, 200);
    const empty = await chloe.submit('/account/password', '/account/password', {
      current: '',
      password: '',
      confirm: '',
    });
    assert.equal(empty.statusCode, 400);
    assert.deepEqual(fieldErrors(empty), ['current', 'password']);
    const wrong = await chloe.submit('/account/password', '/account/password', {
      current: 'not-my-password',
      password: 'Password12345',
      confirm: 'Password12345',
    });
    assert.deepEqual(fieldErrors(wrong), ['current', 'password']);
    assert.match(wrong.body, /Your current password is not right/);
    assert.match(wrong.body, /Password is too common/);
    const mismatch = await chloe.submit('/account/password', '/account/password', {
      current: DEMO_PASSWORD,
      password: 'violet lantern orbit 42',
      confirm: 'violet lantern orbit 43',
    });
    assert.deepEqual(fieldErrors(mismatch), ['confirm']);
    assert.ok(!mismatch.body.includes('violet lantern'), 'passwords are never echoed back');
  });

  test('a change ends every other session; this browser stays signed in; only the new password works', async () => {
    const phone = await t.signIn(demo.teamManager);
    const laptop = await t.signIn(demo.teamManager);
    const res = await laptop.submit('/account/password', '/account/password', {
      current: DEMO_PASSWORD,
      password: 'violet lantern orbit 42',
      confirm: 'violet lantern orbit 42',
    });
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/account/password?changed=1');
    assert.match((await laptop.get('/account/password?changed=1')).body, /Your password has been changed/);
    const phoneNow = await phone.get('/');
    assert.equal(phoneNow.statusCode, 303);
    assert.match(String(phoneNow.headers.location), /^\/sign-in/);
    assert.equal(
      (await t.agent().submit('/sign-in', '/sign-in', { email: demo.teamManager, password: DEMO_PASSWORD })).statusCode,
      400,
    );
    assert.equal(
      (await t.agent().submit('/sign-in', '/sign-in', { email: demo.teamManager, password: 'violet lantern orbit 42' }))
        .statusCode,
      303,
    );
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'account.password_change')
      .execute();
    assert.deepEqual(
      audit.map((a) => a.detail),
      [{ sessionsEnded: 2 }],
    );
  });
});

describe('turning an account off', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  test('ends its sessions at once, stops its API tokens and sign-in; turning it on again lets them back', async () => {
    const ids = await demoIds(t.repos.db);
    const chloeId = ids.account(demo.worker);
    const chloe = await t.signIn(demo.worker);
    const { token } = await t.services.auth.createApiToken(null, chloeId, 'phone', null);
    const admin = await t.signIn(demo.admin);
    assert.equal((await admin.submit('/admin/accounts', `/admin/accounts/${chloeId}/disable`, {})).statusCode, 303);
    assert.match((await admin.get('/admin/accounts')).body, /Chloe Davies \(turned off\)/);
    assert.equal((await chloe.get('/')).statusCode, 303);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
      401,
    );
    assert.equal(
      (await t.agent().submit('/sign-in', '/sign-in', { email: demo.worker, password: DEMO_PASSWORD })).statusCode,
      400,
    );
    assert.equal((await admin.submit('/admin/accounts', `/admin/accounts/${chloeId}/enable`, {})).statusCode, 303);
    assert.equal(
      (await t.agent().submit('/sign-in', '/sign-in', { email: demo.worker, password: DEMO_PASSWORD })).statusCode,
      303,
    );
  });

  test('an administrator cannot turn off their own account', async () => {
    const ids = await demoIds(t.repos.db);
    const admin = await t.signIn(demo.admin);
    const res = await admin.submit('/admin/accounts', `/admin/accounts/${ids.account(demo.admin)}/disable`, {});
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /You cannot turn off your own account/);
  });
});
