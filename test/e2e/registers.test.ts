import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE } from './support/harness.ts';
import { HomePage, SignInPage, demoUsers } from './support/pages.ts';

describe('registers in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('declare an interest → the manager records the action → the entry appears in the register', async () => {
    // Chloe declares, on a phone.
    const chloe = await e2e.session('worker declares an interest', { viewport: PHONE });
    await new SignInPage(chloe).open();
    await new SignInPage(chloe).signIn(demoUsers.worker);
    // On a phone the service navigation is folded behind the Menu button: open the page directly.
    assert.equal(await chloe.goto('/registers'), 200);
    const page = chloe.page;
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Registers');
    assert.equal(await chloe.navigate((p) => p.getByRole('button', { name: 'Make a declaration' }).click()), 200);

    // Nothing chosen: the error summary.
    assert.equal(await chloe.navigate((p) => p.getByRole('button', { name: 'Send declaration' }).click()), 400);
    assert.ok(await page.locator('.govuk-error-summary').isVisible());

    await page.getByLabel('I have an interest to declare').check();
    await page.getByLabel('Financial interest', { exact: true }).check();
    await page.getByLabel('Interest declared').fill('My partner is a director of Kent Care Homes Ltd');
    assert.equal(await chloe.navigate((p) => p.getByRole('button', { name: 'Send declaration' }).click()), 200);
    assert.match(chloe.path, /^\/registers\/declarations\/\d+\?done=declared$/);
    assert.ok((await page.locator('main').innerText()).includes('Not yet recorded'));
    const { scrollWidth, clientWidth } = await chloe.pageScrollWidth();
    assert.ok(scrollWidth <= clientWidth, `no sideways scrolling at 360px (${scrollWidth} > ${clientWidth})`);
    await chloe.close();

    // Aisha, her manager, records the management action and signs it off.
    const aisha = await e2e.session('manager signs off the declaration');
    await new SignInPage(aisha).open();
    await new SignInPage(aisha).signIn(demoUsers.teamManager);
    await new HomePage(aisha).openNavItem('Registers');
    assert.equal(
      await aisha.navigate((p) => p.getByRole('link', { name: /Declaration of interests: Chloe Davies/ }).click()),
      200,
    );
    await aisha.page
      .getByLabel('Management action to prevent conflict of interest')
      .fill('Chloe takes no part in placements with Kent Care Homes');
    assert.equal(
      await aisha.navigate((p) => p.getByRole('button', { name: 'Record action and sign off' }).click()),
      200,
    );
    assert.ok((await aisha.page.locator('main').innerText()).includes('Aisha Khan'));

    // The entry appears in the register.
    assert.equal(await aisha.goto('/registers/reports'), 200);
    const register = await aisha.page.getByRole('region', { name: 'Register of interests' }).innerText();
    assert.ok(register.includes('Chloe Davies'));
    assert.ok(register.includes('My partner is a director of Kent Care Homes Ltd'));
    assert.ok(register.includes('Chloe takes no part in placements with Kent Care Homes'));
    await aisha.close();
  });

  it('records a gift on a phone; the published register is off unless turned on (REGISTERS_PUBLISH)', async () => {
    const s = await e2e.session('worker records a gift', { viewport: PHONE });
    await new SignInPage(s).open();
    await new SignInPage(s).signIn(demoUsers.worker);
    assert.equal(await s.goto('/registers/gifts/new'), 200);
    const p = s.page;
    await p.getByLabel('Gift', { exact: true }).check();
    const offered = p.getByRole('group', { name: 'Date offered' });
    await offered.getByLabel('Day').fill('3');
    await offered.getByLabel('Month').fill('2');
    await offered.getByLabel('Year').fill('2026');
    await p.getByLabel('Description').fill('Box of chocolates');
    await p.getByLabel('A client or service user, or their family').check();
    await p.getByLabel('Who offered it', { exact: true }).fill('A parent');
    await p.getByLabel('Estimated value').fill('12');
    await p.getByLabel('Refused', { exact: true }).check();
    await p.getByLabel('Reason').fill('Unsolicited gift');
    assert.equal(await s.navigate((page) => page.getByRole('button', { name: 'Record entry' }).click()), 200);
    assert.match(s.path, /^\/registers\/gifts\/\d+\?done=gift$/);
    for (const path of ['/registers', '/registers/reports']) {
      assert.equal(await s.goto(path), 200);
      const { scrollWidth, clientWidth } = await s.pageScrollWidth();
      assert.ok(scrollWidth <= clientWidth, `${path}: no sideways scrolling at 360px`);
    }
    await s.close();

    const anonymous = await e2e.session('published register');
    assert.equal(await anonymous.goto('/registers/published'), 404);
    await anonymous.close();
  });
});
