/**
 * Issue 15: the lists that page (people, sign-in accounts, alerts, warning flags, risk reviews,
 * lockdowns, register reports) and the filters above them pass axe and fit a 360 px phone without
 * the page scrolling sideways; the register reports' period uses GOV.UK date inputs. axe checks
 * every page this test loads.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE } from './support/harness.ts';
import { SignInPage, demoUsers } from './support/pages.ts';

const PAGES: Record<keyof typeof demoUsers, string[]> = {
  admin: ['/people', '/people?q=a&page=2', '/admin/accounts?status=on', '/lockdowns', '/admin?done=teams-added'],
  teamManager: [
    '/alerts',
    '/alerts?status=closed',
    '/risk/flags',
    '/risk/reviews',
    '/registers/reports?from-day=1&from-month=1&from-year=2026',
  ],
  worker: ['/risk/flags'],
};

describe('lists that page, on a phone and a desktop', () => {
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
    it(`every list page is accessible and fits (${label})`, async () => {
      for (const [who, paths] of Object.entries(PAGES) as [keyof typeof demoUsers, string[]][]) {
        const s = await e2e.session(`lists ${who} ${label}`, viewport ? { viewport } : {});
        await new SignInPage(s).open();
        assert.equal(await new SignInPage(s).signIn(demoUsers[who]), 200);
        for (const path of paths) {
          assert.equal(await s.goto(path), 200, path);
          const { scrollWidth } = await s.pageScrollWidth();
          assert.ok(scrollWidth <= (viewport?.width ?? 1280), `${path}: no sideways scrolling (${scrollWidth})`);
        }
        if (who === 'teamManager') {
          assert.equal(
            await s.page.locator('input[type="date"]').count(),
            0,
            'no native date input on the register reports',
          );
          assert.equal(await s.page.locator('#from-day').inputValue(), '1');
        }
        await s.close();
      }
    });
  }
});
