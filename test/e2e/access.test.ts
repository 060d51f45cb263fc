import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { E2E, PHONE, type BrowserSession } from './support/harness.ts';
import { HomePage, SignInPage, TeamPage, demoUsers } from './support/pages.ts';

describe('keyboard, phone and error pages', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('signs in and signs out using only the keyboard, starting from the skip link', async () => {
    const s = await e2e.session('keyboard only');
    const keys = s.page.keyboard;
    await new SignInPage(s).open();

    // The first Tab reaches the skip link, and it moves focus to the main content.
    await keys.press('Tab');
    assert.deepEqual(pick(await s.focused()), { tag: 'a', text: 'Skip to main content' });
    await keys.press('Enter');
    assert.equal((await s.focused()).id, 'main-content');

    // From there the form is in order: email, password, then the Sign in button.
    assert.equal(
      await s.tabUntil((f) => f.id === 'email', 'the email field'),
      1,
      'email is the first thing after the skip link',
    );
    await keys.type(demoUsers.teamManager);
    assert.equal(await s.tabUntil((f) => f.id === 'password', 'the password field'), 1);
    await keys.type(DEMO_PASSWORD);
    await s.tabUntil((f) => f.tag === 'button' && f.text === 'Sign in', 'the Sign in button', 3);
    assert.equal(await s.navigate(() => keys.press('Enter')), 200);
    assert.equal(s.path, '/');
    assert.equal(await new HomePage(s).heading().innerText(), 'Aisha Khan');

    // Sign out is a button in the service navigation, reachable by Tab and pressed with Enter.
    await s.tabUntil((f) => f.tag === 'button' && f.text === 'Sign out', 'Sign out', 25);
    assert.equal(await s.navigate(() => keys.press('Enter')), 200);
    assert.equal(s.path, '/sign-in');
    assert.equal(await new SignInPage(s).heading().innerText(), 'Sign in to Harbour');
    // Signed out for real: the home page sends us back to sign in.
    await s.goto('/');
    assert.equal(s.path, '/sign-in?returnTo=%2F');
    await s.close();
  });

  it('has no sideways page scroll on a 360px phone: home, team and person pages', async () => {
    const s = await e2e.session('phone 360×740', { viewport: PHONE });
    await new SignInPage(s).open();
    await assertNoHorizontalScroll(s);
    await new SignInPage(s).signIn(demoUsers.teamManager);
    assert.equal(s.path, '/');
    await assertNoHorizontalScroll(s);

    // On a phone the service navigation collapses behind a Menu button.
    const menu = s.page.getByRole('button', { name: 'Menu' });
    assert.equal(await menu.isVisible(), true, 'the navigation collapses behind a Menu button');
    await menu.click();
    assert.equal(
      await s.navigate(() =>
        s.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Teams' }).click(),
      ),
      200,
    );
    assert.match(s.path, /^\/teams\/\d+$/);
    await assertNoHorizontalScroll(s);

    assert.equal(await new TeamPage(s).openPerson('Ola Adeyemi'), 200);
    assert.match(s.path, /^\/people\/\d+$/);
    await assertNoHorizontalScroll(s);
    await s.close();
  });

  it('shows an accessible 404 page, signed out and signed in', async () => {
    const s = await e2e.session('not found');
    assert.equal(await s.goto('/no-such-page'), 404);
    assert.equal(await s.page.getByRole('heading', { level: 1 }).innerText(), 'Page not found');
    assert.equal(await s.page.title(), 'Page not found – Harbour');
    // Landmarks: the footer is a contentinfo landmark; signed out there is no empty navigation.
    assert.equal(await s.page.getByRole('contentinfo').count(), 1);
    assert.equal(await s.page.getByRole('navigation').count(), 0);
    await new SignInPage(s).open();
    await new SignInPage(s).signIn(demoUsers.worker);
    assert.equal(await s.goto('/people/999999'), 404);
    assert.equal(await s.page.getByRole('heading', { level: 1 }).innerText(), 'Page not found');
    assert.equal(
      await s.navigate(() => s.page.getByRole('link', { name: 'Go to the Harbour home page' }).click()),
      200,
    );
    assert.equal(s.path, '/');
    await s.close();
  });

  it('keeps the email and shows the GOV.UK error summary after a wrong password', async () => {
    const s = await e2e.session('sign-in error');
    const signIn = new SignInPage(s);
    await signIn.open();
    assert.equal(await signIn.signIn(demoUsers.teamManager, 'not-the-password'), 400);
    assert.equal(s.path, '/sign-in');
    assert.match(await s.page.title(), /^Error: Sign in – Harbour$/);
    const summary = signIn.errorSummary();
    assert.equal(await summary.title(), 'There is a problem');
    assert.deepEqual(await summary.links(), [{ text: 'Enter a correct email address and password', href: '#email' }]);
    assert.match((await s.focused()).classes, /govuk-error-summary/, 'the error summary takes focus on load');
    assert.equal(await summary.follow('Enter a correct email address and password'), 'email');
    assert.equal(await signIn.email().inputValue(), demoUsers.teamManager);
    assert.equal(await signIn.password().inputValue(), '', 'the password is never sent back');

    // Then the right password works from the same page.
    await signIn.password().fill(DEMO_PASSWORD);
    assert.equal(await s.navigate(() => s.page.getByRole('button', { name: 'Sign in' }).click()), 200);
    assert.equal(s.path, '/');
    await s.close();
  });
});

function pick(f: { tag: string; text: string }) {
  return { tag: f.tag, text: f.text };
}

async function assertNoHorizontalScroll(s: BrowserSession) {
  const { scrollWidth } = await s.pageScrollWidth();
  if (scrollWidth <= PHONE.width) return;
  // Name the elements that stick out, to make the failure easy to fix.
  const wide = await s.page.evaluate(
    (limit) =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > limit + 0.5)
        .slice(0, 8)
        .map(
          (el) =>
            `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} right=${Math.round(el.getBoundingClientRect().right)}`,
        ),
    PHONE.width,
  );
  assert.fail(
    `${s.path} scrolls sideways at ${PHONE.width}px: scrollWidth ${scrollWidth}. Too wide: ${wide.join('; ')}`,
  );
}
