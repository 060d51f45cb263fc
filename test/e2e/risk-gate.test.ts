import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { E2E, type BrowserSession } from './support/harness.ts';
import { SignInPage, demoEmailOf } from './support/pages.ts';
import { buildVisitForm } from '../helpers/lone-working.ts';
import { addDays, londonToday } from '../../src/time/london.ts';

// Issue 21: the RED path with nobody clearing it alone. Chloe plans a self-referral home visit with
// Dev as her joint partner and records the risk assessment; she cannot start it. Aisha (her line
// manager) countersigns the assessment and agrees the joint visit; Dev confirms he is going; then
// Chloe arrives. Every page load is checked with axe by the harness.

const chloe = demoEmailOf('Chloe Davies');
const dev = demoEmailOf('Dev Patel');
const aisha = demoEmailOf('Aisha Khan');

async function signIn(s: BrowserSession, email: string) {
  const page = new SignInPage(s);
  assert.equal(await page.open(), 200);
  assert.equal(await page.signIn(email), 200);
}

const main = async (s: BrowserSession) => (await s.page.locator('main').innerText()).replace(/\s+/g, ' ');

describe('the RED risk gate in the browser: worker plans, manager countersigns and agrees, partner confirms, arrive', () => {
  let e2e: E2E;
  let worker: BrowserSession, manager: BrowserSession, partner: BrowserSession;
  let visitId = 0;

  before(async () => {
    e2e = await E2E.start(import.meta.url);
  });
  after(async () => {
    await e2e?.stop();
  });

  it('Chloe plans a self-referral with Dev as joint partner and records the assessment; the visit cannot start', async () => {
    worker = await e2e.session('Chloe, worker');
    await signIn(worker, chloe);
    assert.equal(await worker.goto('/visits/new'), 200);
    const v = buildVisitForm();
    const p = worker.page;
    await p.getByLabel('Day').fill(v['date-day']);
    await p.getByLabel('Month').fill(v['date-month']);
    await p.getByLabel('Year').fill(v['date-year']);
    await p.getByLabel('Start time').fill(v.startTime);
    await p.getByLabel('Expected end time').fill(v.endTime);
    await p.getByLabel('Address', { exact: true }).fill('1 Test Road, Ashford');
    await p.getByLabel('Postcode', { exact: true }).fill('TN23 7RG');
    await p.getByLabel('Self-referral').check();
    await p.getByLabel('Description', { exact: true }).fill('First visit, self-referral');
    await p.getByLabel('Joint visit with (optional)').selectOption({ label: 'Dev Patel' });
    assert.equal(await worker.navigate((page) => page.getByRole('button', { name: 'Save visit' }).click()), 200);
    visitId = Number(/^\/visits\/(\d+)\?done=planned$/.exec(worker.path)?.[1]);
    assert.ok(visitId > 0, `on the session page, not ${worker.path}`);
    let text = await main(worker);
    assert.match(text, /Risk: RED/);
    assert.match(text, /Dev Patel \(not yet confirmed\)/);

    assert.equal(await worker.navigate((page) => page.getByRole('link', { name: 'Risk details' }).click()), 200);
    const review = addDays(londonToday(), 60).split('-');
    await p.getByLabel('1. Hazards').fill('Self-referral; father has shouted at staff');
    await p.getByLabel('2. Who may be harmed and how').fill('The visiting workers: verbal abuse');
    await p.getByLabel('3. Evaluation and controls').fill('Joint visit; Purple File call at 30 minutes');
    await p.getByLabel('4. Record of findings').fill('Shared with the team');
    await p.getByLabel('Day').fill(review[2]!);
    await p.getByLabel('Month').fill(review[1]!);
    await p.getByLabel('Year').fill(review[0]!);
    assert.equal(
      await worker.navigate((page) => page.getByRole('button', { name: 'Save risk assessment' }).click()),
      200,
    );
    text = await main(worker);
    assert.match(text, /Risk assessment recorded/);
    assert.match(text, /must be completed or countersigned by the worker’s line manager/);
    assert.match(text, /joint visit partner has not yet confirmed/);
    assert.match(text, /must agree to the joint visit/);
    assert.equal(
      await p.getByRole('button', { name: 'Countersign the risk assessment' }).count(),
      0,
      'the worker cannot sign her own assessment',
    );

    assert.equal(await worker.goto(`/visits/${visitId}`), 200);
    assert.equal(await worker.navigate((page) => page.getByRole('button', { name: "I've arrived" }).click()), 400);
    assert.match(await main(worker), /This visit is rated RED/);
    assert.equal(
      (await e2e.db.selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow()).state,
      'planned',
    );
  });

  it('Aisha countersigns the assessment and agrees the joint visit', async () => {
    manager = await e2e.session('Aisha, line manager');
    await signIn(manager, aisha);
    assert.equal(await manager.goto(`/visits/${visitId}/risk`), 200);
    assert.equal(
      await manager.navigate((page) => page.getByRole('button', { name: 'Countersign the risk assessment' }).click()),
      200,
    );
    assert.match(await main(manager), /Countersigned by Aisha Khan/);
    assert.equal(
      await manager.navigate((page) => page.getByRole('button', { name: 'Agree joint visit with Dev Patel' }).click()),
      200,
    );
    const text = await main(manager);
    assert.match(text, /Control recorded/);
    assert.match(text, /joint visit partner has not yet confirmed/, 'the partner still has to confirm');
    assert.doesNotMatch(text, /must agree to the joint visit/);
  });

  it('Dev sees the request on My day and confirms he is going', async () => {
    partner = await e2e.session('Dev, joint partner');
    await signIn(partner, dev);
    assert.equal(await partner.goto('/visits'), 200);
    assert.match(await main(partner), /Joint visits to confirm/);
    assert.equal(await partner.navigate((page) => page.getByRole('link', { name: /Chloe Davies:/ }).click()), 200);
    assert.equal(
      await partner.navigate((page) =>
        page.getByRole('button', { name: 'Confirm I am going on this joint visit' }).click(),
      ),
      200,
    );
    assert.match(await main(partner), /You have confirmed you are going on this joint visit/);
  });

  it('Chloe arrives', async () => {
    assert.equal(await worker.goto(`/visits/${visitId}`), 200);
    assert.match(await main(worker), /Dev Patel \(confirmed\)/);
    assert.equal(await worker.navigate((page) => page.getByRole('button', { name: "I've arrived" }).click()), 200);
    assert.equal(
      (await e2e.db.selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow()).state,
      'in_progress',
    );
  });
});
