/**
 * Help and the statutory pages: open signed in or not, linked from every page's footer, and saying
 * what the council's procedure and the regulations ask.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';

describe('help, accessibility statement and privacy notice', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  test('each opens without signing in, and for every role', async () => {
    const worker = await t.signIn(demo.worker);
    for (const agent of [t.agent(), worker]) {
      const help = await agent.get('/help');
      assert.equal(help.statusCode, 200);
      assert.match(help.body, /call 999/);
      assert.match(help.body, /Purple File/);
      assert.match(help.body, /How Harbour follows the council’s procedure/);
      assert.match(
        help.body,
        /whether Harbour is sending alarms on time right now, open <a class="govuk-link" href="\/status">Service status<\/a>/,
      );
      const a11y = await agent.get('/accessibility');
      assert.equal(a11y.statusCode, 200);
      assert.match(a11y.body, /Web Content Accessibility Guidelines version 2\.2/);
      assert.match(a11y.body, /Enforcement procedure/);
      assert.match(a11y.body, /partially compliant/);
      const privacy = await agent.get('/privacy');
      assert.equal(privacy.statusCode, 200);
      for (const who of ['complain about staff', 'Freedom of Information requests', 'warning flag'])
        assert.ok(privacy.body.includes(who), who);
      assert.match(privacy.body, /article 6\(1\)\(c\)/);
      assert.match(privacy.body, /deleted 3 years after/);
      const status = await agent.get('/status');
      assert.equal(status.statusCode, 200);
      assert.match(status.body, /Alarms (are being processed on time|may be delayed)/);
    }
  });

  test('every page’s footer links to help, the accessibility statement, the privacy notice, contact and the service status', async () => {
    const admin = await t.signIn(demo.admin);
    for (const [agent, url] of [
      [t.agent(), '/sign-in'],
      [admin, '/'],
      [admin, '/people'],
      [admin, '/no-such-page'],
    ] as const) {
      const res = await agent.get(url);
      for (const href of ['/help', '/accessibility', '/privacy', '/help#contact', '/status']) {
        assert.ok(res.body.includes(`class="govuk-footer__link" href="${href}"`), `${url} links to ${href}`);
      }
      assert.ok(
        res.body.includes('href="/status">Service status</a>'),
        `${url}: the status link reads "Service status"`,
      );
      assert.ok(!res.body.includes('(JSON)'), `${url}: no link to raw JSON in the footer`);
    }
  });
});
