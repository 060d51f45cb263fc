import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, PHONE, type BrowserSession } from './support/harness.ts';
import { SignInPage, demoUsers } from './support/pages.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { addDays, londonDate, londonToday } from '../../src/time/london.ts';

/** Fills date boxes with ids <prefix>-day/-month/-year. */
async function fillDay(s: BrowserSession, prefix: string, iso: string) {
  const [y, m, d] = iso.split('-');
  await s.page.locator(`#${prefix}-day`).fill(String(Number(d)));
  await s.page.locator(`#${prefix}-month`).fill(String(Number(m)));
  await s.page.locator(`#${prefix}-year`).fill(y!);
}
const main = (s: BrowserSession) => s.page.locator('main').innerText();

describe('incidents in the browser', () => {
  let e2e: E2E;
  let incidentId = 0;
  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('report from a phone → manager response → HS160 investigation → close', async () => {
    const chloe = await e2e.session('worker reports an incident on a phone', { viewport: PHONE });
    await new SignInPage(chloe).open();
    await new SignInPage(chloe).signIn(demoUsers.worker);
    assert.equal(await chloe.goto('/incidents/new'), 200);
    const p = chloe.page;
    const started = Date.now();
    await fillDay(chloe, 'occurred', londonDate(new Date(Date.now() - 2 * 86_400_000)));
    await p.locator('#occurred-time').fill('10:15');
    await p.getByLabel('Where did it happen?').fill('14 Park Road, Ashford TN23 1AA');
    await p.getByRole('group', { name: 'Were you working alone?' }).getByLabel('Yes').check();
    await p.getByLabel('Physical assault').check();
    await p.getByLabel('Parent or carer').check();
    await p.getByLabel('Their case system (if known)').selectOption('liberi');
    await p.getByLabel('Their case ID (if known)').fill('E2E-900');
    await p.getByRole('group', { name: 'Was anyone injured?' }).getByLabel('Yes').check();
    await p.getByLabel('Nature of the injury').fill('Bruised arm');
    await p.getByLabel('Describe what happened').fill('The parent grabbed my arm and pushed me out of the door.');
    assert.equal(await chloe.navigate((page) => page.getByRole('button', { name: 'Submit report' }).click()), 200);
    assert.ok(Date.now() - started < 180_000, 'under three minutes');
    const m = /^\/incidents\/(\d+)\?done=submitted$/.exec(chloe.path);
    assert.ok(m, `on the incident page, not ${chloe.path}`);
    incidentId = Number(m[1]);
    assert.match(await main(chloe), /Serious incident: An assault caused injury/);
    const { scrollWidth, clientWidth } = await chloe.pageScrollWidth();
    assert.ok(scrollWidth <= clientWidth, `no sideways scrolling at 360px (${scrollWidth} > ${clientWidth})`);
    await chloe.close();

    // Aisha, her manager, records the response and runs the investigation.
    const aisha = await e2e.session('manager responds and investigates');
    await new SignInPage(aisha).open();
    await new SignInPage(aisha).signIn(demoUsers.teamManager);
    assert.equal(await aisha.goto(`/incidents/${incidentId}`), 200);
    const a = aisha.page;
    await fillDay(aisha, 'meeting', londonDate(new Date(Date.now() - 86_400_000)));
    await a.locator('#meeting-time').fill('09:00');
    await a.getByRole('group', { name: 'Support Line' }).getByLabel('Accepted', { exact: true }).check();
    await a.getByRole('group', { name: 'Occupational health referral' }).getByLabel('Offered', { exact: true }).check();
    assert.equal(await aisha.navigate((page) => page.getByRole('button', { name: 'Save response' }).click()), 200);
    assert.match(aisha.path, /\?done=response$/);

    assert.equal(
      await aisha.navigate((page) => page.getByRole('link', { name: 'Start the HS160 investigation' }).click()),
      200,
    );
    assert.equal(aisha.path, `/incidents/${incidentId}/investigation`);
    await a
      .getByLabel('Statements from the employee and witnesses')
      .fill('Chloe: grabbed at the door. Neighbour heard shouting.');
    await a.getByLabel('Chronology of events').fill('10:00 arrived; 10:15 grabbed; 10:20 left and called the office.');
    await a
      .getByLabel('Findings', { exact: true })
      .fill('Known tension over contact arrangements was not in the risk assessment.');
    await a.getByLabel('Other providers to warn').fill('Housing officer');
    assert.equal(await aisha.navigate((page) => page.getByRole('button', { name: 'Save investigation' }).click()), 200);
    await a.getByLabel('Action', { exact: true }).fill('Update the case risk assessment');
    await a.getByLabel('Owner').selectOption({ label: 'Chloe Davies' });
    await fillDay(aisha, 'actionDue', addDays(londonToday(), 7));
    assert.equal(await aisha.navigate((page) => page.getByRole('button', { name: 'Add action' }).click()), 200);
    assert.match(
      await a.getByRole('region', { name: 'Actions' }).innerText(),
      /Update the case risk assessment[\s\S]*Chloe Davies[\s\S]*To do/,
    );
    // Closing with an action open is refused with the reason.
    assert.equal(await aisha.navigate((page) => page.getByRole('button', { name: 'Close the incident' }).click()), 400);
    assert.match(await a.locator('.govuk-error-summary').innerText(), /1 action is not done yet/);
    assert.equal(await aisha.navigate((page) => page.getByRole('button', { name: /Mark done/ }).click()), 200);
    assert.equal(await aisha.navigate((page) => page.getByRole('button', { name: 'Close the incident' }).click()), 200);
    assert.match(await main(aisha), /This incident was closed/);
    await aisha.close();
  });

  it('a flagged perpetrator → a RED visit', async () => {
    assert.ok(incidentId, 'the first test made the incident');
    const aisha = await e2e.session('manager flags the perpetrator');
    await new SignInPage(aisha).open();
    await new SignInPage(aisha).signIn(demoUsers.teamManager);
    assert.equal(await aisha.goto(`/incidents/${incidentId}`), 200);
    const a = aisha.page;
    await a.getByText('Flag the perpetrator as a risk').click();
    assert.equal(
      await a.getByLabel('The person (by their case record)').isChecked(),
      true,
      'pre-filled from the report',
    );
    assert.equal(await a.locator('#flagCaseId').inputValue(), 'E2E-900');
    await a.getByLabel('Reason').fill('Grabbed and pushed a social worker at the door');
    await fillDay(aisha, 'flagReview', addDays(londonToday(), 90));
    assert.equal(await aisha.navigate((page) => page.getByRole('button', { name: 'Raise warning flag' }).click()), 200);
    assert.match(await main(aisha), /Warning flag raised/);
    assert.match(
      await a.getByRole('region', { name: 'Warning flags from this incident' }).innerText(),
      /LIBERI E2E-900/,
    );
    await aisha.close();

    // Chloe plans another visit to the same case: it is RED.
    const chloeActor = await actorFor(e2e.db, demoUsers.worker);
    const visit = await e2e.harbour.services.visits.plan(
      chloeActor,
      buildVisitForm({
        caseSystem: 'liberi',
        caseId: 'e2e-900',
        referralType: 'previously_known',
        postcode: 'TN23 1AA',
      }),
    );
    const chloe = await e2e.session('worker sees the RED visit', { viewport: PHONE });
    await new SignInPage(chloe).open();
    await new SignInPage(chloe).signIn(demoUsers.worker);
    assert.equal(await chloe.goto(`/visits/${visit}`), 200);
    assert.equal((await chloe.page.locator('.harbour-rag').first().innerText()).trim(), 'RED');
    await chloe.close();
  });

  it('health and safety: the dashboard and the import page', async () => {
    const fiona = await e2e.session('health and safety monitor incidents');
    await new SignInPage(fiona).open();
    await new SignInPage(fiona).signIn('fiona.reid@harbour.example');
    assert.equal(await fiona.goto('/incidents/dashboard'), 200);
    assert.match(await main(fiona), /Incidents by kind/);
    assert.match(
      await fiona.page.getByRole('region', { name: 'Incidents by kind' }).innerText(),
      /Physical assault\s+1/,
    );
    assert.equal(await fiona.goto('/incidents/import'), 200);
    assert.equal(await fiona.navigate((page) => page.getByRole('button', { name: 'Import' }).click()), 400);
    await fiona.close();
  });
});
