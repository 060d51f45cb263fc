/**
 * Error pages: 404 for unknown pages, a 500 that reveals nothing about the cause, and sign-in's
 * returnTo only ever sending people to a path on this site.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';

const SECRET = 'kraken-7731 password=hunter2 at /srv/harbour/src/secret.ts:42';

describe('error pages', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({
      beforeReady: (app) => {
        app.get('/test/throws', () => {
          throw new Error(SECRET);
        });
        app.get('/test/rejects', async () => {
          await Promise.resolve();
          throw new TypeError(SECRET);
        });
        app.get('/test/database', async () => sql`select * from ${sql.raw('"kraken_7731_table"')}`.execute(t.repos.db));
        app.get('/api/v1/test/throws', async () => {
          throw new Error(SECRET);
        });
      },
    });
  });
  after(() => t.close());

  test('an unknown page is a GOV.UK 404 page, signed in or not', async () => {
    const admin = await t.signIn(demo.admin);
    for (const [agent, url] of [
      [t.agent(), '/no-such-page'],
      [admin, '/no-such-page'],
      [admin, '/people/abc'],
      [admin, '/people/99999999999'],
      [admin, '/teams/0'],
      [admin, '/admin/teams/999999/edit'],
    ] as const) {
      const res = await agent.get(url);
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.ok(res.body.includes('govuk-template'), `${url}: uses the GOV.UK template`);
      assert.match(res.body, /<h1 class="govuk-heading-l">Page not found<\/h1>/, url);
      assert.match(res.body, /<title>Page not found – Harbour<\/title>/);
    }
  });

  test('an unknown API path is JSON, not a page', async () => {
    const res = await t.app.inject({ url: '/api/v1/nothing' });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /application\/json/);
  });

  test('an unexpected error is a 500 page that reveals nothing about the cause', async () => {
    const agent = await t.signIn(demo.worker);
    for (const url of ['/test/throws', '/test/rejects', '/test/database']) {
      const res = await agent.get(url);
      assert.equal(res.statusCode, 500, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.ok(res.body.includes('Sorry, there is a problem with the service'), url);
      assert.ok(res.body.includes('dial 999'), 'still tells people what to do if someone is in danger');
      for (const leak of [
        'kraken',
        'hunter2',
        'secret.ts',
        'TypeError',
        'Error:',
        '    at ',
        'node_modules',
        '/work/',
        'select *',
      ]) {
        assert.ok(!res.body.includes(leak), `${url}: the page must not contain ${JSON.stringify(leak)}`);
      }
      assert.ok(!JSON.stringify(res.headers).includes('kraken'), 'nor the headers');
    }
  });

  test('an unexpected API error is a JSON 500 that reveals nothing', async () => {
    const { token } = await t.services.auth.createApiToken(
      null,
      (await t.repos.db.selectFrom('accounts').select('id').where('email', '=', demo.worker).executeTakeFirstOrThrow())
        .id,
      'errors',
      null,
    );
    const res = await t.app.inject({ url: '/api/v1/test/throws', headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), {
      error: 'Internal Server Error',
      message: 'Sorry, there is a problem with the service',
    });
  });
});

describe('sign-in returnTo', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  const ORIGIN = 'https://harbour.example';
  /** Where a browser on this site would actually go. */
  const destination = (location: string) => new URL(location, ORIGIN);

  async function signInWith(returnTo: string) {
    const agent = t.agent();
    const page = await agent.get(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`);
    assert.equal(page.statusCode, 200);
    const res = await agent.submit(`/sign-in?returnTo=${encodeURIComponent(returnTo)}`, '/sign-in', {
      email: demo.worker,
      password: DEMO_PASSWORD,
      returnTo,
    });
    assert.equal(res.statusCode, 303, `signing in with returnTo ${JSON.stringify(returnTo)}`);
    return { agent, location: String(res.headers.location) };
  }

  test('a protected page sends you to sign in and back again', async () => {
    const agent = t.agent();
    const first = await agent.get('/people?q=ola');
    assert.equal(first.statusCode, 303);
    assert.equal(first.headers.location, `/sign-in?returnTo=${encodeURIComponent('/people?q=ola')}`);
    const res = await agent.submit(String(first.headers.location), '/sign-in', {
      email: demo.worker,
      password: DEMO_PASSWORD,
      returnTo: '/people?q=ola',
    });
    assert.equal(res.headers.location, '/people?q=ola');
    assert.equal((await agent.get('/people?q=ola')).statusCode, 200);
  });

  for (const evil of [
    '//evil.example',
    '//evil.example/people',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example/',
    'http:evil.example',
    'javascript:alert(1)',
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example',
    ' //evil.example',
    '%2F%2Fevil.example',
    '/%2F/evil.example',
    '/\\/evil.example',
  ]) {
    test(`returnTo ${JSON.stringify(evil)} is ignored: you stay on this site`, async () => {
      const { location } = await signInWith(evil);
      assert.equal(destination(location).origin, ORIGIN, `location ${JSON.stringify(location)} must stay on this site`);
      assert.ok(!/[\t\r\n]/.test(location), 'no control characters in the Location header');
    });
  }

  test('a signed-in visit to /sign-in?returnTo=//evil.example stays on this site', async () => {
    const agent = await t.signIn(demo.worker);
    const res = await agent.get('/sign-in?returnTo=//evil.example');
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/');
  });

  test('a same-site path is kept', async () => {
    assert.equal((await signInWith('/buildings')).location, '/buildings');
  });
});
