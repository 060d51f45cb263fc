/**
 * The registers with CSRF on: declarations of interest, the gifts and hospitality register, reports,
 * the published register. Each form: a bad submission re-renders with 400, the error summary
 * linking to each field, and what the user typed. Access: staff see only their own; managers their
 * reports'; the registers team everything.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as XLSX from 'xlsx';
import type { LightMyRequestResponse } from 'fastify';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { errorLinks, inputValue, selectedOption, textareaValue, unescapeHtml } from './support.ts';

function assertFormErrors(res: LightMyRequestResponse, fields: string[]) {
  assert.equal(res.statusCode, 400, `expected 400, got ${res.statusCode}`);
  assert.ok(res.body.includes('govuk-error-summary'), 'the page has a GOV.UK error summary');
  assert.match(res.body, /<title>Error: /);
  const links = errorLinks(res).filter((l) => l !== 'main-content');
  assert.deepEqual([...links].sort(), [...fields].sort(), 'the summary links to exactly the fields with errors');
  for (const field of fields) assert.match(res.body, new RegExp(`\\bid="${field}"`), `#${field} must exist on the page`);
}

const REGISTERS_OFFICER = 'rita.registers@harbour.example';

describe('registers', () => {
  let t: TestApp;
  let chloe: Agent, aisha: Agent, helen: Agent, jamal: Agent, rita: Agent, anonymous: Agent;
  let declarationId: number;

  before(async () => {
    t = await startTestApp();
    await t.services.auth.createAccount(null, { email: REGISTERS_OFFICER, displayName: 'Rita Registers', password: DEMO_PASSWORD, roles: ['registers_officer'], staffId: null });
    [chloe, aisha, helen, jamal, rita] = await Promise.all([t.signIn(demo.worker), t.signIn(demo.teamManager), t.signIn(demo.serviceManager), t.signIn(demo.otherServiceWorker), t.signIn(REGISTERS_OFFICER)]);
    anonymous = t.agent();
  });
  after(() => t.close());

  test('the declaration form: 400 with every problem and the input kept; then declared', async () => {
    const none = await chloe.submit('/registers/declarations/new', '/registers/declarations', {});
    assertFormErrors(none, ['declaration']);

    const bad = await chloe.submit('/registers/declarations/new', '/registers/declarations', { declaration: 'interest', kind: '', description: '', consentReference: 'Kept <here>' });
    assertFormErrors(bad, ['kind', 'description']);
    assert.equal(textareaValue(bad.body, 'consentReference'), 'Kept <here>');

    const consent = await chloe.submit('/registers/declarations/new', '/registers/declarations', { declaration: 'interest', kind: 'outside_employment', description: 'Weekend youth football coach', consentNeeded: 'yes' });
    assertFormErrors(consent, ['consentReference']);
    assert.equal(textareaValue(consent.body, 'description'), 'Weekend youth football coach');

    const ok = await chloe.submit('/registers/declarations/new', '/registers/declarations', { declaration: 'interest', kind: 'financial', description: 'My partner owns Kent Care Homes Ltd' });
    assert.equal(ok.statusCode, 303);
    const match = /^\/registers\/declarations\/(\d+)\?done=declared$/.exec(String(ok.headers.location));
    assert.ok(match, String(ok.headers.location));
    declarationId = Number(match[1]);
    const page = await chloe.get(String(ok.headers.location));
    assert.ok(page.body.includes('Declaration made'));
    assert.ok(unescapeHtml(page.body).includes('My partner owns Kent Care Homes Ltd'));
    assert.ok(!page.body.includes('Record action and sign off'), 'nobody signs off their own declaration');

    const home = await chloe.get('/registers');
    assert.ok(home.body.includes('You have made your declaration for'));
  });

  test('adding an interest when circumstances change: 400 then added', async () => {
    const url = `/registers/declarations/${declarationId}`;
    const bad = await chloe.submit(url, `${url}/interests`, { kind: 'membership', description: '' });
    assertFormErrors(bad, ['description']);
    assert.ok(/<input[^>]*value="membership"[^>]*checked/.test(bad.body), 'the chosen kind is kept');
    const ok = await chloe.submit(url, `${url}/interests`, { kind: 'membership', description: 'Member of a private lodge' });
    assert.equal(ok.statusCode, 303);
    assert.equal((await aisha.post(`${url}/interests`, { _csrf: await aisha.csrf(url), kind: 'financial', description: 'x' })).statusCode, 403, 'only the declarer adds to it');
  });

  test('who sees a declaration: the person, their management chain, the registers team', async () => {
    const url = `/registers/declarations/${declarationId}`;
    for (const agent of [chloe, aisha, helen, rita]) assert.equal((await agent.get(url)).statusCode, 200);
    assert.equal((await jamal.get(url)).statusCode, 403);
    assert.equal((await anonymous.get(url)).statusCode, 303);
    assert.equal((await chloe.get('/registers/declarations/999999')).statusCode, 404);
    // Lists: Aisha sees Chloe's awaiting action; Jamal does not.
    assert.ok((await aisha.get('/registers')).body.includes('Declaration of interests: Chloe Davies'));
    assert.ok(!(await jamal.get('/registers')).body.includes('Chloe Davies'));
    assert.ok((await rita.get('/registers')).body.includes('Declaration of interests: Chloe Davies'));
  });

  test('the manager records the management action and signs it off: 400 without it', async () => {
    const url = `/registers/declarations/${declarationId}`;
    const interests = await t.repos.db.selectFrom('declared_interests').select('id').where('declaration_id', '=', declarationId).orderBy('id').execute();
    const first = interests[0]!.id;
    const page = await aisha.get(url);
    assert.ok(page.body.includes('Record action and sign off'));
    const bad = await aisha.submit(url, `${url}/interests/${first}/sign-off`, { action: '' });
    assertFormErrors(bad, [`action-${first}`]);
    assert.equal((await chloe.post(`${url}/interests/${first}/sign-off`, { _csrf: await chloe.csrf(url), action: 'Self' })).statusCode, 403);
    assert.equal((await jamal.post(`${url}/interests/${first}/sign-off`, { _csrf: await jamal.csrf('/registers'), action: 'No' })).statusCode, 403);
    const ok = await aisha.submit(url, `${url}/interests/${first}/sign-off`, { action: 'Chloe takes no part in commissioning care home places' });
    assert.equal(ok.statusCode, 303);
    const after = unescapeHtml((await chloe.get(url)).body);
    assert.ok(after.includes('Chloe takes no part in commissioning care home places'));
    assert.ok(after.includes('Aisha Khan'));
  });

  test('the gifts form: 400 with every problem and the input kept; business rules; recorded', async () => {
    const page = await chloe.get('/registers/gifts/new');
    assert.ok(page.body.includes('Minor items such as diaries, calendars'));
    const bad = await chloe.submit('/registers/gifts/new', '/registers/gifts', { offeredBy: 'A <parent>', value: 'lots' });
    assertFormErrors(bad, ['kind', 'offeredOn-day', 'description', 'value', 'response', 'reason']);
    assert.equal(inputValue(bad.body, 'offeredBy'), 'A <parent>');
    assert.equal(inputValue(bad.body, 'value'), 'lots');

    const base = { kind: 'gift', 'offeredOn-day': '3', 'offeredOn-month': '2', 'offeredOn-year': '2026', description: 'Bottle of wine', offeredBy: 'A parent', value: '15', reason: 'Unsolicited' };
    const returned = await chloe.submit('/registers/gifts/new', '/registers/gifts', { ...base, response: 'returned' });
    assertFormErrors(returned, ['refusalLetter']);
    assert.equal(textareaValue(returned.body, 'description'), 'Bottle of wine');
    const hospitality = await chloe.submit('/registers/gifts/new', '/registers/gifts', { ...base, kind: 'hospitality', response: 'accepted' });
    assertFormErrors(hospitality, ['authorisedInAdvance']);

    const ok = await chloe.submit('/registers/gifts/new', '/registers/gifts', { ...base, response: 'returned', refusalLetter: 'Letter sent 4 February' });
    assert.equal(ok.statusCode, 303);
    assert.match(String(ok.headers.location), /^\/registers\/gifts\/\d+\?done=gift$/);
  });

  test('suppliers and live tenders: registers team only; 400 then added; entries highlighted; manager decides', async () => {
    assert.equal((await chloe.get('/registers/suppliers')).statusCode, 403);
    const bad = await rita.submit('/registers/suppliers', '/registers/suppliers', { name: '', liveTender: 'yes' });
    assertFormErrors(bad, ['name']);
    assert.equal((await rita.submit('/registers/suppliers', '/registers/suppliers', { name: 'Acme Care Ltd', liveTender: 'yes' })).statusCode, 303);
    const dup = await rita.submit('/registers/suppliers', '/registers/suppliers', { name: 'acme care ltd' });
    assertFormErrors(dup, ['name']);
    assert.equal(inputValue(dup.body, 'name'), 'acme care ltd');
    const supplier = await t.repos.db.selectFrom('suppliers').select('id').where('name', '=', 'Acme Care Ltd').executeTakeFirstOrThrow();

    const keep = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      kind: 'hospitality', 'offeredOn-day': '10', 'offeredOn-month': '3', 'offeredOn-year': '2026', description: 'Conference dinner', offeredBy: 'Acme sales team',
      supplierId: String(supplier.id), value: '80', response: 'refused', reason: 'Acme is tendering',
    });
    assert.equal(keep.statusCode, 303);
    const url = String(keep.headers.location).split('?')[0]!;
    const view = await aisha.get(url);
    assert.ok(view.body.includes('is involved in a live tender'));
    assert.equal((await jamal.get(url)).statusCode, 403);
    const noChoice = await aisha.submit(url, `${url}/decision`, { note: 'Why <not>' });
    assertFormErrors(noChoice, ['decision']);
    assert.equal(textareaValue(noChoice.body, 'note'), 'Why <not>');
    const noNote = await aisha.submit(url, `${url}/decision`, { decision: 'declined' });
    assertFormErrors(noNote, ['note']);
    assert.equal((await chloe.post(`${url}/decision`, { _csrf: await chloe.csrf(url), decision: 'approved' })).statusCode, 403, 'not one’s own');
    const ok = await aisha.submit(url, `${url}/decision`, { decision: 'approved' });
    assert.equal(ok.statusCode, 303);
    assert.ok((await chloe.get(url)).body.includes('Approved by Aisha Khan'));
  });

  test('political restriction: registers team marks a post; its holder sees the guidance; 400 without a choice', async () => {
    const bad = await rita.submit('/registers', '/registers/political-restriction', { staffId: '' });
    assertFormErrors(bad, ['staffId', 'restricted']);
    const helenId = (await t.repos.db.selectFrom('staff').select('id').where('email', '=', demo.serviceManager).executeTakeFirstOrThrow()).id;
    const kept = await rita.submit('/registers', '/registers/political-restriction', { staffId: String(helenId) });
    assertFormErrors(kept, ['restricted']);
    assert.equal(selectedOption(kept.body, 'staffId'), String(helenId));
    assert.equal((await chloe.post('/registers/political-restriction', { _csrf: await chloe.csrf('/registers'), staffId: String(helenId), restricted: 'yes' })).statusCode, 403);
    assert.equal((await rita.submit('/registers', '/registers/political-restriction', { staffId: String(helenId), restricted: 'yes' })).statusCode, 303);
    assert.ok((await helen.get('/registers')).body.includes('Your post is politically restricted'));
    assert.ok(!(await chloe.get('/registers')).body.includes('Your post is politically restricted'));
  });

  test('reports: filtered to what each may see; CSV export; a bad period is 400', async () => {
    const helenGift = await helen.submit('/registers/gifts/new', '/registers/gifts', {
      kind: 'gift', 'offeredOn-day': '1', 'offeredOn-month': '4', 'offeredOn-year': '2026', description: 'Hamper', offeredBy: 'Care provider', value: '120', response: 'refused', reason: 'Too valuable',
    });
    assert.equal(helenGift.statusCode, 303);
    const asChloe = unescapeHtml((await chloe.get('/registers/reports')).body);
    assert.ok(asChloe.includes('Bottle of wine') && !asChloe.includes('Hamper'), 'staff see only their own');
    const asAisha = unescapeHtml((await aisha.get('/registers/reports')).body);
    assert.ok(asAisha.includes('Bottle of wine') && !asAisha.includes('Hamper'), 'managers see their reports’, not their managers’');
    const asJamal = unescapeHtml((await jamal.get('/registers/reports')).body);
    assert.ok(!asJamal.includes('Bottle of wine') && !asJamal.includes('Kent Care Homes'));
    const asRita = unescapeHtml((await rita.get('/registers/reports')).body);
    assert.ok(asRita.includes('Bottle of wine') && asRita.includes('Hamper') && asRita.includes('Kent Care Homes'), 'the registers team sees everything');

    const period = unescapeHtml((await rita.get('/registers/reports?from=2026-03-01&to=2026-03-31')).body);
    assert.ok(period.includes('Conference dinner') && !period.includes('Bottle of wine'));

    const bad = await rita.get('/registers/reports?from=yesterday');
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorLinks(bad).filter((l) => l !== 'main-content'), ['from']);
    assert.equal(inputValue(bad.body, 'from'), 'yesterday');

    const csv = await rita.get('/registers/reports/gifts.csv');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.ok(csv.body.startsWith('Name,Post,Team'));
    assert.ok(csv.body.includes('Hamper') && csv.body.includes('Acme Care Ltd'));
    // The senior managers' register leaves out everyone below service manager.
    assert.ok((await rita.get('/registers/reports/interests.csv')).body.includes('Chloe'), 'the full register includes Chloe’s interest');
    const senior = await rita.get('/registers/reports/interests.csv?seniorOnly=true');
    assert.equal(senior.statusCode, 200);
    assert.ok(!senior.body.includes('Chloe'), 'a social worker is not in the senior managers’ register');
    const ods = await rita.get('/registers/reports/gifts.ods');
    assert.equal(ods.statusCode, 200);
    assert.match(String(ods.headers['content-type']), /application\/vnd\.oasis\.opendocument\.spreadsheet/);
    const book = XLSX.read(ods.rawPayload, { type: 'buffer' });
    const cells = JSON.stringify(XLSX.utils.sheet_to_json(book.Sheets[book.SheetNames[0]!]!, { header: 1 }));
    assert.ok(cells.includes('Hamper') && cells.includes('Acme Care Ltd'), 'the ODS holds the same rows as the CSV');
    const mine = await chloe.get('/registers/reports/interests.csv');
    assert.ok(mine.body.includes('Kent Care Homes') && mine.body.includes('Chloe takes no part'));
    assert.ok(!(await jamal.get('/registers/reports/interests.csv')).body.includes('Kent Care Homes'));
  });

  test('the published register needs no sign-in and shows only senior officers above the threshold, name and post', async () => {
    const res = await anonymous.get('/registers/published');
    assert.equal(res.statusCode, 200);
    const body = unescapeHtml(res.body);
    assert.ok(!body.includes('Hamper'), 'still pending: not published');
    const helenEntry = await t.repos.db.selectFrom('gift_entries').select('id').where('description', '=', 'Hamper').executeTakeFirstOrThrow();
    const url = `/registers/gifts/${helenEntry.id}`;
    assert.equal((await rita.submit(url, `${url}/decision`, { decision: 'approved' })).statusCode, 303);
    const after = unescapeHtml((await anonymous.get('/registers/published')).body);
    assert.ok(after.includes('Hamper') && after.includes('Helen Ward') && after.includes('Service manager'));
    assert.ok(!after.includes('Bottle of wine') && !after.includes('Chloe'), 'workers are not published');
    assert.ok(!after.includes('helen.ward@'), 'no personal data beyond name and post');
  });
});
