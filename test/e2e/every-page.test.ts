import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE, type BrowserSession } from './support/harness.ts';
import { SignInPage, demoEmailOf, demoUsers } from './support/pages.ts';
import { actorFor } from '../helpers/lone-working.ts';

// Every page an administrator can open, with ids from the demo council (a fresh database per file):
// team 1 is Ashford Children in Care, person 10 is Ola Adeyemi, building 1 the Civic Centre.
const PAGES = [
  '/',
  '/teams?all=1',
  '/teams/1',
  '/people',
  '/people?q=zzz-nobody',
  '/people/10',
  '/buildings',
  '/buildings/1',
  '/major-incident-contacts',
  '/account/tokens',
  '/admin',
  '/admin/import',
  '/admin/accounts',
  '/admin/accounts/new',
  '/admin/accounts/1/roles',
  '/admin/audit',
  '/admin/audit?verify=1',
  '/admin/directorates/1/edit',
  '/admin/services/1/edit',
  '/admin/teams/1/edit',
  '/admin/staff/10/edit',
  '/admin/buildings/1/edit',
  '/help',
  '/accessibility',
  '/privacy',
  '/admin/retention',
  '/visits/history',
  '/visits/history?state=completed&page=2',
];

// Each "add" form, submitted empty: the error state must pass too.
const EMPTY_FORMS = [
  { path: '/admin/directorates/new', button: 'Save directorate' },
  { path: '/admin/services/new', button: 'Save service' },
  { path: '/admin/teams/new', button: 'Save team' },
  { path: '/admin/staff/new', button: 'Save member of staff' },
  { path: '/admin/buildings/new', button: 'Save building' },
  { path: '/admin/accounts/new', button: 'Add account' },
  { path: '/account/tokens', button: 'Create token' },
  { path: '/admin/import', button: 'Import' },
  { path: '/admin/retention', button: 'Place legal hold' },
];

describe('every page on a phone', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  // At phone width: tables scroll, the navigation collapses, and anything too wide shows. Desktop
  // layouts of the same templates are checked by the other test files.
  it('every administrator page and form error passes axe on a 360px phone, without sideways scroll', async () => {
    const s = await e2e.session('every page, phone 360×740', { viewport: PHONE });
    await new SignInPage(s).open();
    assert.equal(await new SignInPage(s).signIn(demoUsers.admin), 200);
    const wide: string[] = [];
    const noteWidth = async () => {
      const { scrollWidth } = await s.pageScrollWidth();
      if (scrollWidth > PHONE.width) wide.push(`${s.path} (${scrollWidth}px)`);
    };

    // A warning flag, so its withdraw page (and that form's error state) is checked too.
    const flag = await e2e.harbour.services.risk.addFlag(await actorFor(e2e.db, demoUsers.admin), {
      caseSystem: null,
      caseId: null,
      postcode: 'TN23 4ZZ',
      category: 'violence',
      description: 'Every-page check',
      expiresOn: null,
    });
    for (const path of [...PAGES, '/risk/flags', `/risk/flags/${flag}/withdraw`]) {
      assert.equal(await s.goto(path), 200, path);
      await noteWidth();
    }
    for (const form of [...EMPTY_FORMS, { path: `/risk/flags/${flag}/withdraw`, button: 'Withdraw warning flag' }]) {
      await s.goto(form.path);
      assert.equal(
        await s.navigate(() =>
          s.page.getByRole('main').getByRole('button', { name: form.button, exact: true }).click(),
        ),
        400,
        form.path,
      );
      assert.equal(await s.page.locator('.govuk-error-summary').count(), 1, `${form.path} shows the error summary`);
      await noteWidth();
    }
    // The visit history's filter with dates that do not exist: its error state passes too.
    assert.equal(
      await s.goto('/visits/history?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=13&to-year=2026'),
      400,
    );
    assert.equal(await s.page.locator('.govuk-error-summary').count(), 1, 'the visit history shows the error summary');
    await noteWidth();
    assert.deepEqual(wide, [], 'pages that scroll sideways on a phone');
    await s.close();
  });

  // Each role's "More" menu lists every page it may use: each opens, passes axe (the harness checks
  // every load) and fits a 360px phone. Between them the roles reach every feature's pages.
  for (const name of [
    'Chloe Davies',
    'Aisha Khan',
    'Emma Green',
    'Fiona Reid',
    'Gareth Price',
    'Irene Cole',
    'Priya Shah',
  ]) {
    it(`every page on ${name}'s menu opens and passes axe on a phone`, async () => {
      const s = await e2e.session(`menu of ${name}`, { viewport: PHONE });
      await new SignInPage(s).open();
      assert.equal(await new SignInPage(s).signIn(demoEmailOf(name)), 200);
      assert.equal(await s.goto('/menu'), 200);
      const hrefs = await s.page
        .getByRole('main')
        .getByRole('link')
        .evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
      assert.ok(hrefs.length >= 5, `${name} has a menu`);
      const wide: string[] = [];
      for (const href of hrefs) {
        assert.equal(await s.goto(href), 200, href);
        const { scrollWidth } = await s.pageScrollWidth();
        if (scrollWidth > PHONE.width) wide.push(`${href} (${scrollWidth}px)`);
      }
      assert.deepEqual(wide, [], 'pages that scroll sideways on a phone');
      await s.close();
    });
  }

  it('the subject access forms’ error states pass axe (information governance officer)', async () => {
    const s = await e2e.session('subject access errors', { viewport: PHONE });
    await new SignInPage(s).open();
    assert.equal(await new SignInPage(s).signIn(demoEmailOf('Irene Cole')), 200);
    for (const button of ['Download staff export', 'Download public export']) {
      await s.goto('/subject-access');
      assert.equal(
        await s.navigate(() => s.page.getByRole('main').getByRole('button', { name: button, exact: true }).click()),
        400,
        button,
      );
      assert.equal(await s.page.locator('.govuk-error-summary').count(), 1, `${button} shows the error summary`);
    }
    await s.close();
  });

  it('a worker gets an accessible 403 page for admin pages', async () => {
    const s: BrowserSession = await e2e.session('forbidden');
    await new SignInPage(s).open();
    await new SignInPage(s).signIn(demoUsers.worker);
    assert.equal(await s.goto('/admin'), 403);
    assert.equal(await s.page.getByRole('heading', { level: 1 }).innerText(), 'You cannot see this page');
    await s.close();
  });
});
