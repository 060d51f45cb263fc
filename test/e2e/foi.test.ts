import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE } from './support/harness.ts';
import { SignInPage, demoEmailOf } from './support/pages.ts';
import { buildIncident } from '../helpers/foi.ts';
import { londonToday } from '../../src/time/london.ts';
import type { Locator } from 'playwright-core';

/** Types a date into a GOV.UK date input (day, month and year boxes) inside `group`. */
async function fillDate(group: Locator, iso: string) {
  const [year, month, day] = iso.split('-');
  await group.getByLabel('Day').fill(String(Number(day)));
  await group.getByLabel('Month').fill(String(Number(month)));
  await group.getByLabel('Year').fill(year!);
}

describe('FOI in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('log seed 000 → answer from statistics with small numbers protected → draft response → disclosure log without sign-in', async () => {
    // Live records: three social workers assaulted in the last fortnight.
    const staff = new Map(
      (await e2e.db.selectFrom('staff').select(['id', 'given_name']).execute()).map((s) => [s.given_name, s.id]),
    );
    const recent = new Date(Date.now() - 14 * 86_400_000).toISOString();
    for (const [name, categories] of [
      ['Chloe', ['physical_assault']],
      ['Dev', ['verbal_abuse']],
      ['Nadia', ['sexual_harassment', 'verbal_abuse']],
    ] as const) {
      await buildIncident(e2e.db, { employeeId: staff.get(name)!, occurredAt: recent, categories: [...categories] });
    }

    const s = await e2e.session('FOI officer answers a request');
    const page = s.page;
    await new SignInPage(s).open();
    await new SignInPage(s).signIn(demoEmailOf('Irene Cole'));
    assert.equal(await s.navigate((p) => p.getByRole('link', { name: 'FOI', exact: true }).click()), 200);
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Log a request' }).click()), 200);

    // Nothing filled in: the error summary.
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Log request' }).click()), 400);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());

    const today = londonToday();
    await page.getByLabel('What the request is about').fill('Staff assaults');
    await page.getByLabel('Name', { exact: true }).fill('Ms Chalmers');
    await page.getByLabel('Email or postal address').fill('chalmers@example.org');
    await fillDate(page.getByRole('group', { name: 'Date received' }), today);
    await page.getByLabel('Time received (24-hour clock)').fill('09:30');
    await page.getByLabel('Email', { exact: true }).check();
    await page
      .getByLabel('Questions')
      .fill(
        [
          'How many social workers have been assaulted whilst working for the council in the last two years?',
          'How many teachers have been assaulted?',
        ].join('\n'),
      );
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Log request' }).click()), 200);
    assert.match(s.path, /^\/foi\/requests\/\d+\?done=created$/);
    const requestPath = s.path.split('?')[0]!;
    const main = () => page.locator('main').innerText();
    const reference = /FOI\/\d{2}\/\d{4}/.exec(await main())![0];
    assert.match(await main(), /20th working day \(s10\)/);

    // Question 1 from the statistic, social workers, last two years.
    const q1 = page.locator('.harbour-foi-question').nth(0);
    await q1.getByLabel('Information provided').check();
    await q1.getByLabel('Answer to question 1').fill('Please see the table below.');
    await q1.getByLabel('Answer from a statistic').selectOption('staff-assaulted');
    await q1.getByLabel('Last N years').fill('2');
    await q1.getByLabel('Staff job role').selectOption('social_workers');
    assert.equal(await s.navigate(() => q1.getByRole('button', { name: 'Save answer to question 1' }).click()), 200);
    const answered = page.locator('.harbour-foi-question').nth(0);
    assert.match(await answered.innerText(), /\[c\]/, 'three staff are published as [c]');
    assert.match(await answered.innerText(), /Unsuppressed figures \(not for release\)/);

    // Question 2: not held, with advice to go to the schools.
    const q2 = page.locator('.harbour-foi-question').nth(1);
    await q2.getByLabel('Not held').check();
    await q2
      .getByLabel('Advice and assistance (s16)')
      .fill('The council does not employ teachers in maintained schools: please ask the individual schools.');
    assert.equal(await s.navigate(() => q2.getByRole('button', { name: 'Save answer to question 2' }).click()), 200);

    // The statistic's own page, with its chart and downloads.
    assert.equal(await s.goto('/foi/statistics'), 200);
    assert.equal(await s.navigate((p) => p.getByRole('link', { name: 'Staff assaulted' }).click()), 200);
    assert.ok(await page.getByRole('link', { name: 'CSV' }).isVisible());
    assert.match(await main(), /Not for release/);

    // The draft response, on screen and as a Word document.
    assert.equal(await s.goto(`${requestPath}/response`), 200);
    const letter = await main();
    assert.match(letter, /Dear Ms Chalmers/);
    assert.match(letter, /\[c\]/);
    assert.match(letter, /please ask the individual schools/);
    assert.match(letter, /40 working days/);
    assert.match(letter, /Open Government Licence/);
    const docx = await s.context.request.get(`${requestPath}/response.docx`);
    assert.equal(docx.status(), 200);
    assert.match(docx.headers()['content-type'] ?? '', /wordprocessingml/);
    assert.equal((await docx.body()).subarray(0, 2).toString(), 'PK');

    // Sent today: record it, then publish.
    assert.equal(await s.goto(requestPath), 200);
    await page.getByLabel('What happened').selectOption('response_sent');
    await fillDate(page.getByRole('group', { name: 'Date it happened' }), today);
    assert.equal(await s.navigate((p) => p.getByRole('button', { name: 'Record', exact: true }).click()), 200);
    assert.match(await main(), /Internal review may be asked for until/);
    assert.equal(await s.navigate((p) => p.getByRole('link', { name: 'Draft response' }).click()), 200);
    assert.equal(
      await s.navigate((p) => p.getByRole('button', { name: 'Publish to the disclosure log' }).click()),
      200,
    );
    assert.match(await main(), /Published to the disclosure log/);
    await s.close();

    // The disclosure log needs no sign-in, and has no personal data; on a phone too.
    const pub = await e2e.session('public reads the disclosure log', { viewport: PHONE });
    assert.equal(await pub.goto('/foi/disclosure-log'), 200);
    assert.equal(await pub.navigate((p) => p.getByRole('link', { name: reference }).click()), 200);
    const published = await pub.page.locator('main').innerText();
    assert.match(published, /Staff assaults/);
    assert.match(published, /\[c\]/);
    assert.doesNotMatch(published, /Chalmers/);
    const { scrollWidth, clientWidth } = await pub.pageScrollWidth();
    assert.ok(scrollWidth <= clientWidth, `no sideways scrolling at 360px (${scrollWidth} > ${clientWidth})`);
    await pub.close();

    // The officer's pages on a phone: no sideways scrolling (wide tables scroll inside their region).
    const phone = await e2e.session('FOI officer on a phone', { viewport: PHONE });
    await new SignInPage(phone).open();
    await new SignInPage(phone).signIn(demoEmailOf('Irene Cole'));
    const wide: string[] = [];
    for (const path of [
      '/foi',
      requestPath,
      `${requestPath}/response`,
      '/foi/statistics',
      '/foi/statistics/actions-taken?period=last_years&years=3',
    ]) {
      assert.equal(await phone.goto(path), 200, path);
      const { scrollWidth } = await phone.pageScrollWidth();
      if (scrollWidth > PHONE.width) wide.push(`${path} (${scrollWidth}px)`);
    }
    assert.deepEqual(wide, [], 'no sideways scrolling at 360px');
    await phone.close();
  });
});
