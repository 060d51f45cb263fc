import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E } from './support/harness.ts';
import { HomePage, PersonPage, SignInPage, TeamPage, demoUsers } from './support/pages.ts';

describe('team manager in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('signs in and sees their team, its staff and buddies, and who has no buddy', async () => {
    const s = await e2e.session('team manager signs in');
    const signIn = new SignInPage(s);
    assert.equal(await signIn.open(), 200);
    assert.equal(await signIn.heading().innerText(), 'Sign in to Harbour');

    assert.equal(await signIn.signIn(demoUsers.teamManager), 200);
    assert.equal(s.path, '/');
    const home = new HomePage(s);
    assert.equal(await home.heading().innerText(), 'Aisha Khan');
    assert.deepEqual(await home.teamLinks().allInnerTexts(), ['Ashford Children in Care']);

    // "Teams" goes straight to the only team she can see.
    assert.equal(await home.openNavItem('Teams'), 200);
    assert.match(s.path, /^\/teams\/\d+$/);
    const team = new TeamPage(s);
    assert.equal(await team.heading().innerText(), 'Ashford Children in Care');
    assert.equal(await team.managerLine().innerText(), 'Team manager: Aisha Khan');

    const staff = await team.staff();
    assert.deepEqual(staff.map((p) => p.name).sort(), [
      'Aisha Khan',
      'Ben Carter',
      'Chloe Davies',
      'Dev Patel',
      'Emma Green',
      'Ola Adeyemi',
    ]);
    const buddyOf = Object.fromEntries(staff.map((p) => [p.name, p.buddy]));
    assert.equal(buddyOf['Aisha Khan'], 'Ben Carter');
    assert.equal(buddyOf['Chloe Davies'], 'Dev Patel');
    assert.equal(buddyOf['Ola Adeyemi'], 'No buddy');

    const warning = (await team.noBuddyWarning().innerText()).replace(/\s+/g, ' ').trim();
    assert.match(warning, /1 person has no buddy: Ola Adeyemi$/);
    assert.equal(
      await team
        .noBuddyWarning()
        .getByRole('link')
        .allInnerTexts()
        .then((l) => l.join()),
      'Ola Adeyemi',
    );
    await s.close();
  });

  it('allocates a buddy to Ola Adeyemi from her page, and the team then has no one without a buddy', async () => {
    const s = await e2e.session('team manager allocates a buddy');
    await new SignInPage(s).open();
    await new SignInPage(s).signIn(demoUsers.teamManager);
    await new HomePage(s).openNavItem('Teams');
    const team = new TeamPage(s);
    const teamPath = s.path;

    // From the warning, to Ola's page.
    assert.equal(await s.navigate(() => team.noBuddyWarning().getByRole('link', { name: 'Ola Adeyemi' }).click()), 200);
    const person = new PersonPage(s);
    assert.equal(await person.heading().innerText(), 'Ola Adeyemi');
    assert.equal(await person.summary('Buddy'), 'No buddy allocated');
    // Only people in her own team are offered (lone working policy, section 4).
    const choices = await person.buddyChoices();
    assert.deepEqual(choices.map((c) => c.replace(/ \(.*\)$/, '')).sort(), [
      'Aisha Khan',
      'Ben Carter',
      'Chloe Davies',
      'Dev Patel',
      'Emma Green',
    ]);

    assert.equal(await person.allocateBuddy('Dev Patel'), 200);
    assert.match(s.path, /^\/people\/\d+\?done=buddy$/);
    assert.equal((await person.successBanner().innerText()).includes('Buddy allocated'), true);
    assert.equal(await person.summary('Buddy'), 'Dev Patel');
    assert.equal(
      (await person.buddySelect().locator('option:checked').textContent())?.trim(),
      'Dev Patel (Social worker)',
    );

    assert.equal(await s.goto(teamPath), 200);
    assert.equal(await team.noBuddyWarning().count(), 0);
    assert.equal(await s.page.getByText('Everyone in this team has a buddy.').count(), 1);
    const staff = await team.staff();
    assert.equal(
      staff.filter((p) => p.buddy === 'No buddy').length,
      0,
      `still without a buddy: ${JSON.stringify(staff)}`,
    );
    assert.equal(staff.find((p) => p.name === 'Ola Adeyemi')?.buddy, 'Dev Patel');
    await s.close();
  });
});
