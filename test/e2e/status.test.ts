/**
 * Issue 15: "Service status" in every page's footer opens a page people can read, signed in or
 * not, at desktop width and on a 360 px phone; axe checks every page this test loads.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE } from './support/harness.ts';
import { SignInPage, demoUsers } from './support/pages.ts';

describe('service status page', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  for (const [label, viewport] of [
    ['desktop', undefined],
    ['phone 360×740', PHONE],
  ] as const) {
    it(`opens from the footer signed out and signed in (${label})`, async () => {
      const s = await e2e.session(`status ${label}`, viewport ? { viewport } : {});
      await new SignInPage(s).open();
      assert.equal(
        await s.navigate((p) => p.getByRole('contentinfo').getByRole('link', { name: 'Service status' }).click()),
        200,
      );
      assert.equal(s.path, '/status');
      assert.equal(await s.page.getByRole('heading', { level: 1 }).innerText(), 'Service status');
      // The server's own loops run here (JOBS=true): each has had a pass.
      await s.page.getByRole('table', { name: 'Last pass of each loop' }).waitFor();
      assert.match(await s.page.locator('#verdict').innerText(), /Alarms (are being processed on time|may be delayed)/);
      const { scrollWidth } = await s.pageScrollWidth();
      assert.ok(scrollWidth <= (viewport?.width ?? 1280), `no sideways scrolling (${scrollWidth})`);

      assert.equal(await new SignInPage(s).open(), 200);
      assert.equal(await new SignInPage(s).signIn(demoUsers.worker), 200);
      assert.equal(
        await s.navigate((p) => p.getByRole('contentinfo').getByRole('link', { name: 'Service status' }).click()),
        200,
      );
      assert.equal(s.path, '/status');
      await s.close();
    });
  }
});
