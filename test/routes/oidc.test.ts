/**
 * Sign-in with the council's OpenID Connect provider (issue 17), against a real provider
 * (oidc-provider on 127.0.0.1) with CSRF on: the first sign-in links by verified email or employee
 * number and records issuer and subject, later ones match on them; state, nonce and PKCE are
 * checked; unknown, unverified and disabled people get their own page and no session; role mapping;
 * OIDC only; sign-out at the provider too.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { ProviderBrowser, startTestProvider, type TestProvider } from '../helpers/oidc-provider.ts';
import { OIDC_COOKIE, SESSION_COOKIE } from '../../src/web/security.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';

const HARBOUR = 'http://harbour.test';

/** Harbour start → provider login as `login` → back to Harbour's callback; the callback's answer. */
async function signInThroughProvider(agent: Agent, login: string, tamper?: { state?: string; nonce?: string }) {
  const start = await agent.get('/sign-in/oidc?returnTo=/visits');
  assert.equal(start.statusCode, 303);
  const authUrl = new URL(start.headers.location as string);
  assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
  assert.ok(
    authUrl.searchParams.get('state') &&
      authUrl.searchParams.get('nonce') &&
      authUrl.searchParams.get('code_challenge'),
  );
  assert.equal(authUrl.searchParams.get('redirect_uri'), `${HARBOUR}/sign-in/oidc/callback`);
  if (tamper?.nonce) {
    const pending = JSON.parse(Buffer.from(agent.cookie(OIDC_COOKIE)!, 'base64url').toString()) as Record<
      string,
      string
    >;
    agent.setCookie(
      OIDC_COOKIE,
      Buffer.from(JSON.stringify({ ...pending, nonce: tamper.nonce })).toString('base64url'),
    );
  }
  const back = new URL(await new ProviderBrowser().signIn(authUrl.href, login));
  assert.equal(back.origin + back.pathname, `${HARBOUR}/sign-in/oidc/callback`);
  if (tamper?.state) back.searchParams.set('state', tamper.state);
  return agent.get(back.pathname + back.search);
}

async function accountRow(t: TestApp, email: string) {
  return t.repos.db
    .selectFrom('accounts')
    .select(['id', 'oidc_issuer', 'oidc_subject', 'roles', 'disabled_at'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
}

async function sessionCount(t: TestApp, email: string) {
  const { id } = await accountRow(t, email);
  return (await t.repos.db.selectFrom('sessions').select('id_hash').where('account_id', '=', id).execute()).length;
}

describe('OpenID Connect sign-in', () => {
  let t: TestApp;
  let idp: TestProvider;

  before(async () => {
    idp = await startTestProvider(HARBOUR);
    t = await startTestApp({ app: { oidc: idp.config, publicBaseUrl: HARBOUR } });
    idp.people.set('sub-chloe', { email: demo.worker, email_verified: true });
    idp.people.set('sub-stranger', { email: 'someone.new@harbour.example', email_verified: true });
    idp.people.set('sub-unverified', { email: demo.businessSupport, email_verified: false });
    idp.people.set('sub-disabled', { email: 'ben.carter@harbour.example', email_verified: true });
  });
  after(async () => {
    await t.close();
    await idp.close();
  });

  test('the sign-in page links to the council account when configured', async () => {
    const page = await t.agent().get('/sign-in?returnTo=/visits');
    assert.match(page.body, /href="\/sign-in\/oidc\?returnTo=%2Fvisits"[^>]*>\s*Sign in with your council account/);
    assert.match(page.body, /name="password"/);
  });

  test('first sign-in links by verified email and records issuer and subject; later ones match on them', async () => {
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'sub-chloe');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/visits');
    assert.ok(agent.cookie(SESSION_COOKIE));
    assert.equal(agent.cookie(OIDC_COOKIE), undefined);
    const row = await accountRow(t, demo.worker);
    assert.equal(row.oidc_issuer, idp.issuer);
    assert.equal(row.oidc_subject, 'sub-chloe');
    assert.match((await agent.get('/')).body, /Chloe Davies/);
    const link = await t.repos.db
      .selectFrom('audit_log')
      .select(['action', 'ip'])
      .where('action', '=', 'account.oidc_link')
      .where('entity_id', '=', String(row.id))
      .execute();
    assert.equal(link.length, 1);

    // The provider's email changes: the link holds on issuer and subject.
    idp.people.set('sub-chloe', { email: 'chloe.renamed@harbour.example', email_verified: true });
    const again = t.agent();
    assert.equal((await signInThroughProvider(again, 'sub-chloe')).statusCode, 303);
    assert.match((await again.get('/')).body, /Chloe Davies/);
    idp.people.set('sub-chloe', { email: demo.worker, email_verified: true });
  });

  test('a state that does not match is refused with no session', async () => {
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'sub-chloe', { state: 'forged-state' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /We could not sign you in/);
    assert.equal(agent.cookie(SESSION_COOKIE), undefined);
  });

  test('a nonce that does not match the ID token is refused', async () => {
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'sub-chloe', { nonce: 'another-nonce' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /We could not sign you in/);
    assert.equal(agent.cookie(SESSION_COOKIE), undefined);
  });

  test('a callback without the pending sign-in (another browser, or replayed) is refused', async () => {
    const res = await t.agent().get('/sign-in/oidc/callback?code=abc&state=def');
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Your sign-in has expired/);
  });

  test('an unverified email links nothing', async () => {
    const before = await sessionCount(t, demo.businessSupport);
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'sub-unverified');
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /Your email address has not been confirmed/);
    assert.equal(agent.cookie(SESSION_COOKIE), undefined);
    assert.equal((await accountRow(t, demo.businessSupport)).oidc_subject, null);
    assert.equal(await sessionCount(t, demo.businessSupport), before);
  });

  test('an unknown person gets a clear page and no account', async () => {
    const count = async () => (await t.repos.db.selectFrom('accounts').select('id').execute()).length;
    const accounts = await count();
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'sub-stranger');
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /You do not have a Harbour account/);
    assert.equal(await count(), accounts);
    assert.equal(agent.cookie(SESSION_COOKIE), undefined);
    const failed = await t.repos.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'auth.sign_in_failed')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal((failed.detail as { reason: string }).reason, 'unknown');
  });

  test('a disabled account is refused, linked or not', async () => {
    await t.repos.db
      .updateTable('accounts')
      .set({ disabled_at: new Date() })
      .where('email', '=', 'ben.carter@harbour.example')
      .execute();
    const agent = t.agent();
    const res = await signInThroughProvider(agent, 'sub-disabled');
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /Your Harbour account is turned off/);
    assert.equal(agent.cookie(SESSION_COOKIE), undefined);
  });

  test('sign-out ends the Harbour session and sends the browser to the provider to end its own', async () => {
    const agent = t.agent();
    await signInThroughProvider(agent, 'sub-chloe');
    const out = await agent.post('/sign-out', { _csrf: await agent.csrf('/') });
    assert.equal(out.statusCode, 303);
    const to = new URL(out.headers.location as string);
    assert.equal(to.origin, idp.issuer);
    assert.equal(to.searchParams.get('post_logout_redirect_uri'), `${HARBOUR}/sign-in`);
    // A browser follows a form's redirect only to where the CSP's form-action allows.
    assert.match(
      String(out.headers['content-security-policy']),
      new RegExp(`form-action 'self' ${idp.issuer.replace(/\./g, '\\.')}`),
    );
    assert.equal((await agent.get('/')).statusCode, 303);
    // A password session signs out to Harbour's own page.
    const password = await t.signIn(demo.teamManager);
    const out2 = await password.post('/sign-out', { _csrf: await password.csrf('/') });
    assert.equal(out2.headers.location, '/sign-in');
  });
});

describe('OpenID Connect: employee number, role map and OIDC only', () => {
  let t: TestApp;
  let idp: TestProvider;

  before(async () => {
    idp = await startTestProvider(HARBOUR, {
      employeeNumberClaim: 'employee_number',
      roleMap: { 'Harbour.Managers': ['team_manager', 'worker'], 'Harbour.Workers': ['worker'] },
      only: true,
      breakGlassAdmins: [demo.admin],
    });
    t = await startTestApp({ app: { oidc: idp.config, publicBaseUrl: HARBOUR } });
  });
  after(async () => {
    await t.close();
    await idp.close();
  });

  test('the first sign-in links by the employee-number claim and the roles follow the map', async () => {
    const staff = await t.repos.db
      .selectFrom('staff')
      .select('employee_number')
      .where('email', '=', demo.worker)
      .executeTakeFirstOrThrow();
    idp.people.set('emp-sub', {
      email: 'not-the-harbour-email@council.example',
      email_verified: false,
      employee_number: staff.employee_number,
      roles: ['Harbour.Managers', 'Other.Group'],
    });
    const agent = t.agent();
    assert.equal((await signInThroughProvider(agent, 'emp-sub')).statusCode, 303);
    const row = await accountRow(t, demo.worker);
    assert.equal(row.oidc_subject, 'emp-sub');
    assert.deepEqual([...row.roles].sort(), ['team_manager', 'worker']);
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'account.set_roles')
      .where('entity_id', '=', String(row.id))
      .execute();
    assert.equal(audit.length, 1);
  });

  test('with OIDC only, passwords are refused for everyone but the break-glass administrators', async () => {
    const page = await t.agent().get('/sign-in');
    assert.match(page.body, /Emergency administrator sign-in/);
    const agent = t.agent();
    const res = await agent.submit('/sign-in', '/sign-in', { email: demo.teamManager, password: DEMO_PASSWORD });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /Sign in with your council account/);
    assert.equal(agent.cookie(SESSION_COOKIE), undefined);
    assert.equal(
      (await t.agent().submit('/sign-in', '/sign-in', { email: demo.admin, password: DEMO_PASSWORD })).statusCode,
      303,
    );
  });
});
