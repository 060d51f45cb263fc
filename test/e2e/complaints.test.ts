import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE, type BrowserSession } from './support/harness.ts';
import { SignInPage } from './support/pages.ts';
import { addDays, londonToday } from '../../src/time/london.ts';

const GARETH = 'gareth.price@harbour.example';
const HELEN = 'helen.ward@harbour.example';
const FIONA = 'fiona.reid@harbour.example';

async function fillDate(s: BrowserSession, name: string, iso: string) {
  await s.page.locator(`#${name}-day`).fill(String(Number(iso.slice(8, 10))));
  await s.page.locator(`#${name}-month`).fill(String(Number(iso.slice(5, 7))));
  await s.page.locator(`#${name}-year`).fill(iso.slice(0, 4));
}

describe('complaints in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('a complaint through stage 1, then stage 2, then a partial uphold, then a disciplinary outcome', async () => {
    const s = await e2e.session('complaints officer');
    await new SignInPage(s).open();
    assert.equal(await new SignInPage(s).signIn(GARETH), 200);
    assert.equal(
      await s.navigate((p) => p.getByRole('link', { name: 'Complaints', exact: true }).first().click()),
      200,
    );
    assert.equal(await s.navigate((p) => p.getByRole('link', { name: 'Record a complaint' }).click()), 200);
    const p = s.page;

    // Nothing filled in: the error summary, every problem listed.
    assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Record complaint' }).click()), 400);
    assert.ok(
      (await p.locator('.govuk-error-summary').innerText()).includes('Select the member of staff complained about'),
    );

    const received = addDays(londonToday(), -30);
    await fillDate(s, 'receivedOn', received);
    await p.getByLabel('How it was made').selectOption('letter');
    await p.getByLabel('Statutory children’s complaints procedure (2006 Regulations)').check();
    await p.getByLabel('Parent or carer').check();
    await p.getByLabel('Name (optional)').fill('Sam Complainant');
    await p.getByLabel('Contact details (optional)').fill('4 Example Street, Ashford');
    await p.getByLabel('Household or family (optional)').fill('Complainant family');
    await p.getByLabel('Team').selectOption({ label: 'Ashford Children in Care (Children in Care)' });
    const chloe = await p.locator('#staffIds option', { hasText: 'Chloe Davies' }).getAttribute('value');
    await p.getByLabel('Member of staff complained about').selectOption(chloe!);
    await p.getByLabel('Ignoring relevant information').check();
    await p.getByLabel('Failing in the duty of care towards a child').check();
    await p.getByLabel('Summary of the complaint').fill('The worker ignored the health visitor’s report.');
    assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Record complaint' }).click()), 200);
    assert.match(s.path, /^\/complaints\/\d+\?done=recorded$/);
    const url = s.path.split('?')[0]!;
    assert.ok((await p.locator('main').innerText()).includes('Stage 1: local resolution'));

    // Stage 1 response, then stage 2 with its investigating officer and independent person.
    const s1 = addDays(received, 7);
    await fillDate(s, 'milestoneOn', s1);
    assert.equal(
      await s.navigate((page) => page.getByRole('button', { name: 'Record stage 1 response' }).click()),
      200,
    );
    await fillDate(s, 'stage2StartedOn', addDays(s1, 3));
    await p.getByLabel('Investigating officer').fill('Ivy Investigator');
    await p.getByLabel('Independent person').fill('Ian Independent');
    assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Start stage 2' }).click()), 200);
    assert.ok((await p.locator('main').innerText()).includes('Stage 2: investigation'));
    // The complaint page with an error: no date given.
    assert.equal(
      await s.navigate((page) => page.getByRole('button', { name: 'Record stage 2 response' }).click()),
      400,
    );
    assert.ok((await p.locator('.govuk-error-summary').innerText()).includes('Enter the date'));
    await fillDate(s, 'milestoneOn', addDays(s1, 10));
    assert.equal(
      await s.navigate((page) => page.getByRole('button', { name: 'Record stage 2 response' }).click()),
      200,
    );
    assert.ok((await p.locator('main').innerText()).includes('Review panel may be requested by'));

    // Findings: one upheld, one not: partially upheld overall.
    const fieldsets = p.locator('form[action$="/findings"] fieldset');
    await fieldsets.nth(0).getByLabel('Upheld', { exact: true }).check();
    await fieldsets.nth(1).getByLabel('Not upheld', { exact: true }).check();
    await fillDate(s, 'findingsOn', addDays(s1, 10));
    assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Record findings' }).click()), 200);
    assert.ok((await p.locator('main').innerText()).includes('Partially upheld'));

    // A disciplinary investigation, and its outcome with a date.
    await p.getByText('Add an action').click();
    await p.getByLabel('Disciplinary investigation').check();
    await p.getByLabel('Member of staff').selectOption({ label: 'Chloe Davies' });
    assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Add action' }).click()), 200);
    await p.getByLabel('Final warning').check();
    const outcomeDate = await p.locator('[id^="outcomeOn-"][id$="-day"]').getAttribute('id');
    await fillDate(s, outcomeDate!.replace(/-day$/, ''), addDays(s1, 12));
    assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Record outcome' }).click()), 200);
    const main = await p.locator('main').innerText();
    assert.ok(main.includes('Outcome: Final warning'), main);
    // The import page and its error state.
    assert.equal(await s.goto('/complaints/import'), 200);
    assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Import' }).click()), 400);
    await s.close();

    // A senior manager reads it (on a phone, no sideways scroll); health and safety may not.
    const helen = await e2e.session('service manager reads', { viewport: PHONE });
    await new SignInPage(helen).open();
    await new SignInPage(helen).signIn(HELEN);
    assert.equal(await helen.goto(url), 200);
    assert.ok((await helen.page.locator('main').innerText()).includes('4 Example Street'));
    for (const path of [url, '/complaints', '/complaints/patterns', '/complaints/statistics']) {
      assert.equal(await helen.goto(path), 200);
      const { scrollWidth, clientWidth } = await helen.pageScrollWidth();
      assert.ok(
        scrollWidth <= clientWidth,
        `${path}: no sideways scrolling at 360px (${scrollWidth} > ${clientWidth})`,
      );
    }
    await helen.close();

    const fiona = await e2e.session('health and safety is refused');
    await new SignInPage(fiona).open();
    await new SignInPage(fiona).signIn(FIONA);
    assert.equal(await fiona.goto(url), 403);
    await fiona.close();
  });
});
