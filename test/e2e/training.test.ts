/**
 * Training and readiness in the browser (issue 19): a manager imports a training file and sees her
 * team's readiness change; she makes her team require lone-working training, and the risk gate then
 * stops her worker's AMBER lone visit. Axe runs on every page loaded, including each new one.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE } from './support/harness.ts';
import { ImportPage, SignInPage, demoUsers } from './support/pages.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { addDays, londonToday } from '../../src/time/london.ts';

const OLA = 'ola.adeyemi@harbour.example';

describe('training and readiness in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('an imported file changes readiness, and a team that requires training gets the gate it asked for', async () => {
    const aisha = await e2e.session('Aisha imports training and sets her team’s policy');
    await new SignInPage(aisha).open();
    assert.equal(await new SignInPage(aisha).signIn(demoUsers.teamManager), 200);
    const p = aisha.page;
    const olaRow = () => p.getByRole('row').filter({ has: p.getByRole('link', { name: 'Ola Adeyemi' }) });

    assert.equal(await aisha.goto('/readiness'), 200);
    assert.match(
      await olaRow().innerText(),
      /Not ready[\s\S]*E Learning Lone Working, KSCMP Personal Safety – Lone Worker/,
    );

    // The import: a file with a problem is refused whole, with the line; then the corrected file.
    assert.equal(
      await aisha.navigate((page) => page.getByRole('link', { name: 'Import training records' }).click()),
      200,
    );
    const imp = new ImportPage(aisha);
    const ola = await e2e.db
      .selectFrom('staff')
      .select(['id', 'employee_number'])
      .where('email', '=', OLA)
      .executeTakeFirstOrThrow();
    const good = `${ola.employee_number},e-learning lone WORKING,${addDays(londonToday(), -1).split('-').reverse().join('/')},`;
    assert.equal(
      await imp.upload(
        'training.csv',
        `employee_number,course,completed_on,expires_on\n${good}\n${ola.employee_number},Fire marshal,2025-01-01,\n`,
      ),
      400,
    );
    assert.deepEqual(await imp.rowProblems(), [
      { line: 3, problem: 'course "Fire marshal" is not a course in Harbour' },
    ]);
    assert.equal(await imp.upload('training.csv', `employee_number,course,completed_on,expires_on\n${good}\n`), 200);
    assert.match(await imp.panel().innerText(), /1 completion imported for 1 person/);

    // Readiness has changed: only the personal safety course is missing now.
    assert.equal(await aisha.navigate((page) => page.getByRole('link', { name: 'See readiness' }).click()), 200);
    const row = await olaRow().innerText();
    assert.match(row, /KSCMP Personal Safety – Lone Worker/);
    assert.doesNotMatch(row, /E Learning Lone Working/);

    // Ola's training page, as her manager sees it.
    assert.equal(await aisha.navigate((page) => page.getByRole('link', { name: 'Ola Adeyemi' }).click()), 200);
    assert.match(
      await p.locator('main').innerText(),
      /Missing or expired required training: KSCMP Personal Safety – Lone Worker/,
    );

    // Ashford requires lone-working training from now on.
    assert.equal(await aisha.goto('/readiness'), 200);
    await p
      .getByRole('combobox', { name: 'Training policy for Ashford Children in Care', exact: true })
      .selectOption('require');
    assert.equal(
      await aisha.navigate((page) =>
        page.getByRole('button', { name: 'Save the training policy for Ashford Children in Care' }).click(),
      ),
      200,
    );
    assert.match(await p.locator('main').innerText(), /Training policy saved/);

    // Ola's first visit to a new referral is AMBER: without her personal safety course she cannot start it alone.
    const actor = await actorFor(e2e.db, OLA);
    const visitId = await e2e.harbour.services.visits.plan(actor, buildVisitForm({ referralType: 'new_referral' }));
    const olaPhone = await e2e.session('Ola taps "I’ve arrived" on an AMBER visit, phone', { viewport: PHONE });
    await new SignInPage(olaPhone).open();
    assert.equal(await new SignInPage(olaPhone).signIn(OLA), 200);
    assert.match(
      await olaPhone.page.locator('main').innerText(),
      /KSCMP Personal Safety – Lone Worker: not done/,
      'her home says what she lacks',
    );
    assert.equal(await olaPhone.goto(`/visits/${visitId}`), 200);
    assert.equal(await olaPhone.navigate((page) => page.getByRole('button', { name: "I've arrived" }).click()), 400);
    assert.match(
      await olaPhone.page.locator('.govuk-error-summary').innerText(),
      /This team requires lone-working training for AMBER visits: KSCMP Personal Safety – Lone Worker is missing or expired/,
    );
    const v = await e2e.db.selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow();
    assert.equal(v.state, 'planned');
    assert.equal(await olaPhone.goto('/training'), 200);
  });

  it('administrators keep the courses', async () => {
    const admin = await e2e.session('An administrator looks at the courses');
    await new SignInPage(admin).open();
    assert.equal(await new SignInPage(admin).signIn(demoUsers.admin), 200);
    assert.equal(await admin.goto('/training/courses'), 200);
    assert.equal(await admin.navigate((page) => page.getByRole('link', { name: 'Key holder training' }).click()), 200);
    await admin.page.getByLabel('How long a completion stays current').fill('0');
    assert.equal(await admin.navigate((page) => page.getByRole('button', { name: 'Save course' }).click()), 400);
    await admin.page.getByLabel('How long a completion stays current').fill('24');
    assert.equal(await admin.navigate((page) => page.getByRole('button', { name: 'Save course' }).click()), 200);
    assert.match(
      await admin.page.locator('main').innerText(),
      /Course saved[\s\S]*Key holder training\s+Key holder\s+Key holders\s+24 months/,
    );
    assert.equal(await admin.goto('/training/courses/new'), 200);
  });
});
