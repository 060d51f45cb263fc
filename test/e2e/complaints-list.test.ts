/**
 * Issue 15: the complaints list (search, filters with GOV.UK date boxes, paging) passes axe and fits
 * a 360 px phone without the page scrolling sideways, on a plain load, a filtered one and one with
 * date errors. axe checks every page this test loads.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE } from './support/harness.ts';
import { SignInPage, demoEmailOf } from './support/pages.ts';

const PATHS = [
  '/complaints',
  '/complaints?q=a&status=open&stage=1&deadline=breached&from-day=1&from-month=4&from-year=2020',
  '/complaints?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=13&to-year=2026',
];

describe('the complaints list, on a phone and a desktop', () => {
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
    it(`is accessible and fits (${label})`, async () => {
      const s = await e2e.session(`complaints list ${label}`, viewport ? { viewport } : {});
      await new SignInPage(s).open();
      assert.equal(await new SignInPage(s).signIn(demoEmailOf('Gareth Price')), 200);
      for (const path of PATHS) {
        const status = await s.goto(path);
        assert.equal(status, path.includes('month=13') ? 400 : 200, path);
        const { scrollWidth } = await s.pageScrollWidth();
        assert.ok(scrollWidth <= (viewport?.width ?? 1280), `${path}: no sideways scrolling (${scrollWidth})`);
      }
      assert.equal(await s.page.locator('input[type="date"]').count(), 0, 'no native date inputs');
      assert.equal(await s.page.locator('#from-day').inputValue(), '31', 'what was typed is kept');
      assert.ok(
        await s.page.locator('.govuk-error-summary a[href="#to-day"]').count(),
        'the summary links to the day box',
      );
      await s.close();
    });
  }
});
