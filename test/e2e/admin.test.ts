import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { STAFF_COLUMNS } from '../../src/features/people/import-staff.ts';
import { E2E, type BrowserSession } from './support/harness.ts';
import {
  AdminPage,
  ImportPage,
  PeopleListPage,
  PersonPage,
  SignInPage,
  TeamFormPage,
  TeamPage,
  demoUsers,
  selectOptionStartingWith,
} from './support/pages.ts';

async function signInAsAdmin(e2e: E2E, label: string): Promise<BrowserSession> {
  const s = await e2e.session(label);
  const signIn = new SignInPage(s);
  await signIn.open();
  assert.equal(await signIn.signIn(demoUsers.admin), 200);
  return s;
}

const csv = (rows: string[][]) => [STAFF_COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
// Aisha Khan, the Ashford team manager, is employee E1005 in the demo council.
const zara = [
  'E2001',
  'Zara',
  'Okoro',
  'zara.okoro@harbour.example',
  'Social worker',
  'Ashford Children in Care',
  'Children in Care',
  'E1005',
  '',
  '07700 900 301',
  '',
  '',
  'Civic Centre',
  'yes',
  '31/03/2058',
];
const badRow = [
  'E2002',
  'Tariq',
  'Nolan',
  'tariq.nolan@harbour.example',
  'Astronaut',
  'Dover Children in Care',
  'Children in Care',
  '',
  '',
  '',
  '',
  '',
  '',
  'yes',
  '',
];
const fixedRow = [
  'E2002',
  'Tariq',
  'Nolan',
  'tariq.nolan@harbour.example',
  'Youth worker',
  'Dover Children in Care',
  'Children in Care',
  '',
  '',
  '',
  '',
  '',
  '',
  'yes',
  '',
];

describe('administrator in the browser', () => {
  let e2e: E2E;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('adds a team (errors first, GOV.UK pattern) and changes a team’s manager', async () => {
    const s = await signInAsAdmin(e2e, 'admin manages teams');
    const admin = new AdminPage(s);
    assert.equal(await admin.open(), 200);
    assert.equal(await admin.follow('Add a team'), 200);
    assert.equal(s.path, '/admin/teams/new');
    const form = new TeamFormPage(s);
    assert.equal(await form.heading().innerText(), 'Add a team');

    // Nothing entered: 400, error summary focused, each message links to its field.
    assert.equal(await form.save(), 400);
    assert.match(await s.page.title(), /^Error: /);
    const summary = form.errorSummary();
    assert.equal(await summary.title(), 'There is a problem');
    assert.deepEqual(await summary.links(), [
      { text: 'Enter the team name', href: '#name' },
      { text: 'Select a service', href: '#serviceId' },
    ]);
    assert.match((await s.focused()).classes, /govuk-error-summary/, 'the error summary takes focus on load');
    assert.equal(await summary.follow('Select a service'), 'serviceId');
    assert.equal(await summary.follow('Enter the team name'), 'name');
    assert.equal(
      (await s.page.locator('#name-error').textContent())?.replace(/\s+/g, ' ').trim(),
      'Error: Enter the team name',
    );

    // Name only: still 400, and what was typed is kept.
    await form.name().fill('Canterbury Children in Care');
    assert.equal(await form.save(), 400);
    assert.deepEqual(await form.errorSummary().links(), [{ text: 'Select a service', href: '#serviceId' }]);
    assert.equal(await form.name().inputValue(), 'Canterbury Children in Care');

    await selectOptionStartingWith(form.service(), 'Children in Care');
    await selectOptionStartingWith(form.manager(), 'Helen Ward');
    assert.equal(await form.save(), 200);
    assert.match(s.path, /^\/teams\/\d+\?done=teams-added$/);
    assert.equal(
      (await s.page.locator('.govuk-notification-banner--success').innerText()).includes('Team added'),
      true,
      'a success banner says what happened',
    );
    const team = new TeamPage(s);
    assert.equal(await team.heading().innerText(), 'Canterbury Children in Care');
    assert.equal(await team.managerLine().innerText(), 'Team manager: Helen Ward');

    // Edit an existing team's manager from the admin page.
    await admin.open();
    assert.equal(await admin.follow('Edit Maidstone Children in Care'), 200);
    assert.match(s.path, /^\/admin\/teams\/\d+\/edit$/);
    assert.equal(await form.name().inputValue(), 'Maidstone Children in Care');
    assert.match((await form.manager().locator('option:checked').textContent()) ?? '', /^Mark Evans/);
    await selectOptionStartingWith(form.manager(), 'Nadia Hussain');
    assert.equal(await form.save(), 200);
    assert.equal(await team.heading().innerText(), 'Maidstone Children in Care');
    assert.equal(await team.managerLine().innerText(), 'Team manager: Nadia Hussain');
    await s.close();
  });

  it('imports staff from a CSV: a bad row stops the whole file, the corrected file imports', async () => {
    const s = await signInAsAdmin(e2e, 'admin imports staff');
    const admin = new AdminPage(s);
    await admin.open();
    assert.equal(await admin.follow('Import staff and teams from a spreadsheet (CSV)'), 200);
    const imp = new ImportPage(s);
    assert.equal(await imp.heading().innerText(), 'Import staff and teams');

    // The template downloads as CSV with the documented columns.
    const href = await imp.templateLink().getAttribute('href');
    assert.equal(href, '/admin/import/template.csv');
    const template = await s.context.request.get(href!);
    assert.equal(template.status(), 200);
    assert.match(template.headers()['content-type'] ?? '', /^text\/csv/);
    assert.equal((await template.text()).split(/\r?\n/)[0], STAFF_COLUMNS.join(','));

    // Line 3 has an unknown job role: 400, the line and reason listed, nothing imported.
    assert.equal(await imp.upload('new-starters.csv', csv([zara, badRow])), 400);
    assert.deepEqual(await imp.errorSummary().links(), [
      { text: 'The file has 1 problem. Nothing was imported.', href: '#file' },
    ]);
    assert.equal(await s.page.getByRole('heading', { name: 'Problems in new-starters.csv' }).count(), 1);
    assert.deepEqual(await imp.rowProblems(), [
      { line: 3, problem: 'job_role "Astronaut" is not a recognised job role' },
    ]);
    assert.equal(await imp.panel().count(), 0);

    const people = new PeopleListPage(s);
    assert.equal(await people.search('Okoro'), 200);
    assert.deepEqual(await people.names(), []);
    assert.equal(await s.page.locator('#people-showing').innerText(), 'No people');

    // The corrected file: both rows in, and a new team for Tariq.
    await imp.open();
    assert.equal(await imp.upload('new-starters.csv', csv([zara, fixedRow])), 200);
    assert.equal(await imp.panel().getByRole('heading').innerText(), 'Import complete');
    assert.match(await imp.panel().innerText(), /2 added, 0 updated, 1 new team$/);

    assert.equal(await people.search('Okoro'), 200);
    assert.deepEqual(await people.names(), ['Zara Okoro']);
    assert.equal(
      await s.navigate(() => s.page.getByRole('table').getByRole('link', { name: 'Zara Okoro' }).click()),
      200,
    );
    const person = new PersonPage(s);
    assert.equal(await person.heading().innerText(), 'Zara Okoro');
    assert.equal(await person.summary('Team'), 'Ashford Children in Care');
    assert.equal(await person.summary('Line manager'), 'Aisha Khan');

    // The new team exists too, with Tariq in it.
    assert.equal(await people.search('Nolan'), 200);
    assert.deepEqual(await people.names(), ['Tariq Nolan']);
    await s.close();
  });
});
