/**
 * The registers with CSRF on: declarations of interest, the gifts and hospitality register, reports,
 * the published register. Each form: a bad submission re-renders with 400, the error summary
 * linking to each field, and what the user typed. Access: staff see only their own; managers their
 * reports'; the registers team everything.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as XLSX from 'xlsx';
import { zipEntries } from '../helpers/zip.ts';
import type { LightMyRequestResponse } from 'fastify';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { errorLinks, inputValue, selectedOption, textareaValue, unescapeHtml } from './support.ts';
import { actorFor } from '../helpers/lone-working.ts';

function assertFormErrors(res: LightMyRequestResponse, fields: string[]) {
  assert.equal(res.statusCode, 400, `expected 400, got ${res.statusCode}`);
  assert.ok(res.body.includes('govuk-error-summary'), 'the page has a GOV.UK error summary');
  assert.match(res.body, /<title>Error: /);
  const links = errorLinks(res).filter((l) => l !== 'main-content');
  assert.deepEqual([...links].sort(), [...fields].sort(), 'the summary links to exactly the fields with errors');
  for (const field of fields)
    assert.match(res.body, new RegExp(`\\bid="${field}"`), `#${field} must exist on the page`);
}

const REGISTERS_OFFICER = 'rita.registers@harbour.example';

describe('registers', () => {
  let t: TestApp;
  let chloe: Agent, aisha: Agent, helen: Agent, jamal: Agent, rita: Agent, anonymous: Agent;
  let declarationId: number;

  before(async () => {
    t = await startTestApp();
    await t.services.auth.createAccount(null, {
      email: REGISTERS_OFFICER,
      displayName: 'Rita Registers',
      password: DEMO_PASSWORD,
      roles: ['registers_officer'],
      staffId: null,
    });
    [chloe, aisha, helen, jamal, rita] = await Promise.all([
      t.signIn(demo.worker),
      t.signIn(demo.teamManager),
      t.signIn(demo.serviceManager),
      t.signIn(demo.otherServiceWorker),
      t.signIn(REGISTERS_OFFICER),
    ]);
    anonymous = t.agent();
  });
  after(() => t.close());

  test('the declaration form: 400 with every problem and the input kept; then declared', async () => {
    const none = await chloe.submit('/registers/declarations/new', '/registers/declarations', {});
    assertFormErrors(none, ['declaration']);

    const bad = await chloe.submit('/registers/declarations/new', '/registers/declarations', {
      declaration: 'interest',
      kind: '',
      description: '',
      consentReference: 'Kept <here>',
    });
    assertFormErrors(bad, ['kind', 'description']);
    assert.equal(textareaValue(bad.body, 'consentReference'), 'Kept <here>');

    const consent = await chloe.submit('/registers/declarations/new', '/registers/declarations', {
      declaration: 'interest',
      kind: 'outside_employment',
      description: 'Weekend youth football coach',
      consentNeeded: 'yes',
    });
    assertFormErrors(consent, ['consentReference']);
    assert.equal(textareaValue(consent.body, 'description'), 'Weekend youth football coach');

    const ok = await chloe.submit('/registers/declarations/new', '/registers/declarations', {
      declaration: 'interest',
      kind: 'financial',
      description: 'My partner owns Kent Care Homes Ltd',
    });
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
    const ok = await chloe.submit(url, `${url}/interests`, {
      kind: 'membership',
      description: 'Member of a private lodge',
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(
      (await aisha.post(`${url}/interests`, { _csrf: await aisha.csrf(url), kind: 'financial', description: 'x' }))
        .statusCode,
      403,
      'only the declarer adds to it',
    );
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
    const interests = await t.repos.db
      .selectFrom('declared_interests')
      .select('id')
      .where('declaration_id', '=', declarationId)
      .orderBy('id')
      .execute();
    const first = interests[0]!.id;
    const page = await aisha.get(url);
    assert.ok(page.body.includes('Record action and sign off'));
    const bad = await aisha.submit(url, `${url}/interests/${first}/sign-off`, { action: '' });
    assertFormErrors(bad, [`action-${first}`]);
    assert.equal(
      (await chloe.post(`${url}/interests/${first}/sign-off`, { _csrf: await chloe.csrf(url), action: 'Self' }))
        .statusCode,
      403,
    );
    assert.equal(
      (await jamal.post(`${url}/interests/${first}/sign-off`, { _csrf: await jamal.csrf('/registers'), action: 'No' }))
        .statusCode,
      403,
    );
    const ok = await aisha.submit(url, `${url}/interests/${first}/sign-off`, {
      action: 'Chloe takes no part in commissioning care home places',
    });
    assert.equal(ok.statusCode, 303);
    const after = unescapeHtml((await chloe.get(url)).body);
    assert.ok(after.includes('Chloe takes no part in commissioning care home places'));
    assert.ok(after.includes('Aisha Khan'));
  });

  test('the gifts form: 400 with every problem and the input kept; business rules; recorded', async () => {
    const page = await chloe.get('/registers/gifts/new');
    assert.ok(page.body.includes('Minor items such as diaries, calendars'));
    const bad = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      offeredBy: 'A <parent>',
      value: 'lots',
    });
    assertFormErrors(bad, ['kind', 'offeredOn-day', 'description', 'giverType', 'value', 'response', 'reason']);
    assert.equal(inputValue(bad.body, 'offeredBy'), 'A <parent>');
    assert.equal(inputValue(bad.body, 'value'), 'lots');

    const base = {
      kind: 'gift',
      'offeredOn-day': '3',
      'offeredOn-month': '2',
      'offeredOn-year': '2026',
      description: 'Bottle of wine',
      offeredBy: 'A parent',
      giverType: 'client',
      value: '15',
      reason: 'Unsolicited',
    };
    const returned = await chloe.submit('/registers/gifts/new', '/registers/gifts', { ...base, response: 'returned' });
    assertFormErrors(returned, ['refusalLetter']);
    assert.equal(textareaValue(returned.body, 'description'), 'Bottle of wine');
    const hospitality = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      ...base,
      kind: 'hospitality',
      response: 'accepted',
    });
    assertFormErrors(hospitality, ['eventOn-day', 'authorisedById']);
    const notMine = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      ...base,
      kind: 'hospitality',
      response: 'accepted',
      'eventOn-day': '1',
      'eventOn-month': '3',
      'eventOn-year': '2026',
      authorisedById: String(
        (
          await t.repos.db
            .selectFrom('staff')
            .select('id')
            .where('email', '=', demo.otherServiceWorker)
            .executeTakeFirstOrThrow()
        ).id,
      ),
    });
    assertFormErrors(notMine, ['authorisedById']);

    const ok = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      ...base,
      response: 'returned',
      refusalLetter: 'Letter sent 4 February',
    });
    assert.equal(ok.statusCode, 303);
    assert.match(String(ok.headers.location), /^\/registers\/gifts\/\d+\?done=gift$/);
  });

  test('suppliers and live tenders: registers team only; 400 then added; entries highlighted; manager decides', async () => {
    assert.equal((await chloe.get('/registers/suppliers')).statusCode, 403);
    const bad = await rita.submit('/registers/suppliers', '/registers/suppliers', { name: '', liveTender: 'yes' });
    assertFormErrors(bad, ['name']);
    assert.equal(
      (await rita.submit('/registers/suppliers', '/registers/suppliers', { name: 'Acme Care Ltd', liveTender: 'yes' }))
        .statusCode,
      303,
    );
    const dup = await rita.submit('/registers/suppliers', '/registers/suppliers', { name: 'acme care ltd' });
    assertFormErrors(dup, ['name']);
    assert.equal(inputValue(dup.body, 'name'), 'acme care ltd');
    const supplier = await t.repos.db
      .selectFrom('suppliers')
      .select('id')
      .where('name', '=', 'Acme Care Ltd')
      .executeTakeFirstOrThrow();

    const keep = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      kind: 'hospitality',
      'offeredOn-day': '10',
      'offeredOn-month': '3',
      'offeredOn-year': '2026',
      'eventOn-day': '20',
      'eventOn-month': '3',
      'eventOn-year': '2026',
      description: 'Conference dinner',
      offeredBy: 'Acme sales team',
      giverType: 'contractor_supplier',
      supplierId: String(supplier.id),
      value: '80',
      response: 'refused',
      reason: 'Acme is tendering',
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
    assert.equal(
      (await chloe.post(`${url}/decision`, { _csrf: await chloe.csrf(url), decision: 'approved' })).statusCode,
      403,
      'not one’s own',
    );
    const ok = await aisha.submit(url, `${url}/decision`, { decision: 'approved' });
    assert.equal(ok.statusCode, 303);
    assert.ok((await chloe.get(url)).body.includes('Approved by Aisha Khan'));
  });

  test('political restriction: registers team marks a post; its holder sees the guidance; 400 without a choice', async () => {
    const bad = await rita.submit('/registers', '/registers/political-restriction', { staffId: '' });
    assertFormErrors(bad, ['staffId', 'restricted']);
    const helenId = (
      await t.repos.db
        .selectFrom('staff')
        .select('id')
        .where('email', '=', demo.serviceManager)
        .executeTakeFirstOrThrow()
    ).id;
    const kept = await rita.submit('/registers', '/registers/political-restriction', { staffId: String(helenId) });
    assertFormErrors(kept, ['restricted']);
    assert.equal(selectedOption(kept.body, 'staffId'), String(helenId));
    assert.equal(
      (
        await chloe.post('/registers/political-restriction', {
          _csrf: await chloe.csrf('/registers'),
          staffId: String(helenId),
          restricted: 'yes',
        })
      ).statusCode,
      403,
    );
    assert.equal(
      (
        await rita.submit('/registers', '/registers/political-restriction', {
          staffId: String(helenId),
          restricted: 'yes',
        })
      ).statusCode,
      303,
    );
    assert.ok((await helen.get('/registers')).body.includes('Your post is politically restricted'));
    assert.ok(!(await chloe.get('/registers')).body.includes('Your post is politically restricted'));
  });

  test('reports: filtered to what each may see; CSV export; a bad period is 400', async () => {
    const helenGift = await helen.submit('/registers/gifts/new', '/registers/gifts', {
      kind: 'gift',
      'offeredOn-day': '1',
      'offeredOn-month': '4',
      'offeredOn-year': '2026',
      description: 'Hamper',
      offeredBy: 'Care provider',
      giverType: 'contractor_supplier',
      value: '120',
      response: 'refused',
      reason: 'Too valuable',
    });
    assert.equal(helenGift.statusCode, 303);
    const asChloe = unescapeHtml((await chloe.get('/registers/reports')).body);
    assert.ok(asChloe.includes('Bottle of wine') && !asChloe.includes('Hamper'), 'staff see only their own');
    const asAisha = unescapeHtml((await aisha.get('/registers/reports')).body);
    assert.ok(
      asAisha.includes('Bottle of wine') && !asAisha.includes('Hamper'),
      'managers see their reports’, not their managers’',
    );
    const asJamal = unescapeHtml((await jamal.get('/registers/reports')).body);
    assert.ok(!asJamal.includes('Bottle of wine') && !asJamal.includes('Kent Care Homes'));
    const asRita = unescapeHtml((await rita.get('/registers/reports')).body);
    assert.ok(
      asRita.includes('Bottle of wine') && asRita.includes('Hamper') && asRita.includes('Kent Care Homes'),
      'the registers team sees everything',
    );

    // The period is two GOV.UK date inputs, as on every form: no native date pickers.
    const periodPage = await rita.get(
      '/registers/reports?from-day=1&from-month=3&from-year=2026&to-day=31&to-month=3&to-year=2026',
    );
    assert.equal(periodPage.statusCode, 200);
    const period = unescapeHtml(periodPage.body);
    assert.ok(period.includes('Conference dinner') && !period.includes('Bottle of wine'));
    assert.ok(!period.includes('type="date"'), 'no native date input');
    assert.equal(inputValue(periodPage.body, 'from-day'), '1', 'the filter is kept in its boxes');
    assert.ok(
      periodPage.body.includes('from-day=1&amp;from-month=3') || periodPage.body.includes('from-day=1&from-month=3'),
      'the downloads keep the period',
    );

    const bad = await rita.get(
      '/registers/reports?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=x&to-year=2026',
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      errorLinks(bad).filter((l) => l !== 'main-content'),
      ['from-day', 'to-day'],
      'both dates are reported at once',
    );
    assert.ok(
      bad.body.includes('The start of the period must be a real date') &&
        bad.body.includes('The end of the period must be a real date'),
    );
    assert.equal(inputValue(bad.body, 'from-day'), '31');
    const backwards = await rita.get(
      '/registers/reports?from-day=1&from-month=12&from-year=2026&to-day=1&to-month=11&to-year=2026',
    );
    assert.equal(backwards.statusCode, 400);
    assert.deepEqual(
      errorLinks(backwards).filter((l) => l !== 'main-content'),
      ['to-day'],
    );
    assert.ok(
      unescapeHtml(backwards.body).includes('The end of the period must be the same as or after 1 December 2026'),
      'dates in messages as people write them',
    );

    const csv = await rita.get('/registers/reports/gifts.csv');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.deepEqual(
      [...csv.rawPayload.subarray(0, 3)],
      [0xef, 0xbb, 0xbf],
      'a UTF-8 byte order mark, so Excel shows £',
    );
    assert.ok(csv.body.startsWith('\uFEFFName,Post,Team'));
    assert.ok(
      csv.body.includes('£120') && csv.body.includes('Service manager') && !csv.body.includes('service_manager'),
      'posts as words',
    );
    assert.ok(csv.body.includes('Hamper') && csv.body.includes('Acme Care Ltd'));
    // The senior managers' register leaves out everyone below service manager.
    assert.ok(
      (await rita.get('/registers/reports/interests.csv')).body.includes('Chloe'),
      'the full register includes Chloe’s interest',
    );
    const senior = await rita.get('/registers/reports/interests.csv?seniorOnly=true');
    assert.equal(senior.statusCode, 200);
    assert.ok(!senior.body.includes('Chloe'), 'a social worker is not in the senior managers’ register');
    const ods = await rita.get('/registers/reports/gifts.ods');
    assert.equal(ods.statusCode, 200);
    assert.match(String(ods.headers['content-type']), /application\/vnd\.oasis\.opendocument\.spreadsheet/);
    const book = XLSX.read(ods.rawPayload, { type: 'buffer' });
    const cells = JSON.stringify(XLSX.utils.sheet_to_json(book.Sheets[book.SheetNames[0]!]!, { header: 1 }));
    assert.ok(cells.includes('Hamper') && cells.includes('Acme Care Ltd'), 'the ODS holds the same rows as the CSV');
    // Read back: the zip's first entry is the stored mimetype; values, dates and yes/no are typed cells; posts are words.
    const entries = zipEntries(ods.rawPayload);
    assert.equal(entries[0]!.name, 'mimetype');
    assert.equal(entries[0]!.method, 0);
    assert.equal(entries[0]!.data.toString(), 'application/vnd.oasis.opendocument.spreadsheet');
    const content = entries.find((e) => e.name === 'content.xml')!.data.toString('utf8');
    assert.ok(
      content.includes('office:value-type="currency" office:currency="GBP" office:value="120"'),
      'the value is a number',
    );
    assert.ok(
      content.includes('office:value-type="date" office:date-value="2026-04-01"'),
      'the date offered is a date',
    );
    assert.ok(content.includes('office:value-type="boolean"'));
    assert.ok(content.includes('<text:p>Service manager</text:p>') && !content.includes('service_manager'));
    const sheet = book.Sheets[book.SheetNames[0]!]!;
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1 });
    const header = rows[0] as string[];
    const hamper = rows.find((r) => r.includes('Hamper'))!;
    assert.equal(typeof hamper[header.indexOf('Estimated value')], 'number');
    const mine = await chloe.get('/registers/reports/interests.csv');
    assert.ok(mine.body.includes('Kent Care Homes') && mine.body.includes('Chloe takes no part'));
    assert.ok(!(await jamal.get('/registers/reports/interests.csv')).body.includes('Kent Care Homes'));
  });

  test('the published register is off by default: 404, even for the registers team', async () => {
    assert.equal((await anonymous.get('/registers/published')).statusCode, 404);
    assert.equal((await rita.get('/registers/published')).statusCode, 404);
  });

  test('one declaration per person per year: a second is refused, pointing to the first', async () => {
    const again = await chloe.submit('/registers/declarations/new', '/registers/declarations', { declaration: 'none' });
    assertFormErrors(again, ['declaration']);
    assert.ok(again.body.includes('already made your declaration'));
    assert.equal(
      (
        await t.repos.db
          .selectFrom('interest_declarations')
          .select('id')
          .where('staff_id', '=', await staffId(demo.worker))
          .execute()
      ).length,
      1,
    );
  });

  test('every declaration is signed, nil ones too: by the line manager; at the top of a chain by the registers officer', async () => {
    const dev = await t.signIn('dev.patel@harbour.example');
    const made = await dev.submit('/registers/declarations/new', '/registers/declarations', { declaration: 'none' });
    assert.equal(made.statusCode, 303);
    const url = String(made.headers.location).split('?')[0]!;
    const page = unescapeHtml((await dev.get(url)).body);
    assert.ok(page.includes('Aisha Khan (line manager)') && page.includes('Not yet signed'));
    assert.ok((await aisha.get('/registers')).body.includes('To sign'), 'waiting for Aisha');
    assert.equal(
      (await dev.post(`${url}/sign`, { _csrf: await dev.csrf(url), confirm: 'yes' })).statusCode,
      403,
      'not one’s own',
    );
    assert.equal(
      (await jamal.post(`${url}/sign`, { _csrf: await jamal.csrf('/registers'), confirm: 'yes' })).statusCode,
      403,
    );
    assertFormErrors(await aisha.submit(url, `${url}/sign`, {}), ['confirm']);
    assert.equal((await aisha.submit(url, `${url}/sign`, { confirm: 'yes' })).statusCode, 303);
    const signed = unescapeHtml((await dev.get(url)).body);
    assert.ok(
      !signed.includes('Not yet signed') && !signed.includes('Sign declaration'),
      'signed, and no second signature offered',
    );
    const row = await t.repos.db
      .selectFrom('interest_declarations')
      .select(['signed_off_name', 'signed_off_at'])
      .where('id', '=', Number(url.split('/').at(-1)))
      .executeTakeFirstOrThrow();
    assert.equal(row.signed_off_name, 'Aisha Khan');
    // Chloe's has an interest still without its management action: not yet.
    const chloeUrl = `/registers/declarations/${declarationId}`;
    const early = await aisha.submit(chloeUrl, `${chloeUrl}/sign`, { confirm: 'yes' });
    assertFormErrors(early, ['confirm']);
    // Priya (assistant director) has nobody above her: the registers officer signs.
    const priya = await t.signIn(demo.assistantDirector);
    const top = await priya.submit('/registers/declarations/new', '/registers/declarations', { declaration: 'none' });
    const topUrl = String(top.headers.location).split('?')[0]!;
    assert.ok(unescapeHtml((await priya.get(topUrl)).body).includes('The registers officer (registers officer)'));
    assert.equal(
      (await helen.post(`${topUrl}/sign`, { _csrf: await helen.csrf('/registers'), confirm: 'yes' })).statusCode,
      403,
      'not from below',
    );
    const nina = await t.signIn('nina.walsh@harbour.example');
    assert.ok(
      (await nina.get('/registers')).body.includes('Declaration of interests: Priya Shah'),
      'the demo registers officer sees it waiting',
    );
    assert.equal((await nina.submit(topUrl, `${topUrl}/sign`, { confirm: 'yes' })).statusCode, 303);
  });

  test('L.1: a gift from a client kept needs the manager’s override with a reason; the manager is told of gifts and legacies (L.2, L.3)', async () => {
    const aishaId = await staffId(demo.teamManager);
    const before = (
      await t.repos.db.selectFrom('notifications').select('id').where('recipient_id', '=', aishaId).execute()
    ).length;
    const kept = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      kind: 'gift',
      'offeredOn-day': '5',
      'offeredOn-month': '5',
      'offeredOn-year': '2026',
      description: 'Box of chocolates',
      offeredBy: 'Mrs B (a parent)',
      giverType: 'client',
      value: '8',
      response: 'accepted',
      reason: 'Refusing would upset her',
    });
    assert.equal(kept.statusCode, 303);
    const url = String(kept.headers.location).split('?')[0]!;
    const entry = await t.repos.db
      .selectFrom('gift_entries')
      .select(['needs_override', 'status'])
      .where('id', '=', Number(url.split('/').at(-1)))
      .executeTakeFirstOrThrow();
    assert.deepEqual(entry, { needs_override: true, status: 'pending' });
    const told = await t.repos.db
      .selectFrom('notifications')
      .select(['subject', 'link'])
      .where('recipient_id', '=', aishaId)
      .orderBy('id')
      .execute();
    assert.equal(told.length, before + 1);
    assert.match(told.at(-1)!.subject, /Chloe Davies recorded a gift that needs your override/);
    const noReason = await aisha.submit(url, `${url}/decision`, { decision: 'approved' });
    assertFormErrors(noReason, ['note']);
    assert.ok(unescapeHtml(noReason.body).includes('overriding'));
    assert.equal(
      (
        await aisha.submit(url, `${url}/decision`, {
          decision: 'approved',
          note: 'Perishable, shared with the team; Mrs B told of the policy',
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await t.repos.db
          .selectFrom('gift_entries')
          .select('override_reason')
          .where('id', '=', Number(url.split('/').at(-1)))
          .executeTakeFirstOrThrow()
      ).override_reason,
      'Perishable, shared with the team; Mrs B told of the policy',
    );
    // A legacy (refused, as L.3 requires) is told to the manager too.
    const legacy = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      kind: 'legacy',
      'offeredOn-day': '6',
      'offeredOn-month': '5',
      'offeredOn-year': '2026',
      description: 'Named in a will',
      offeredBy: 'The late Mr C',
      giverType: 'client',
      value: '500',
      response: 'refused',
      reason: 'L.3',
    });
    assert.equal(legacy.statusCode, 303);
    assert.match(
      (
        await t.repos.db
          .selectFrom('notifications')
          .select('subject')
          .where('recipient_id', '=', aishaId)
          .orderBy('id', 'desc')
          .executeTakeFirstOrThrow()
      ).subject,
      /recorded a legacy/,
    );
  });

  test('L.4: hospitality names the manager who authorised it and the event date; recorded after the event it is marked late', async () => {
    const res = await chloe.submit('/registers/gifts/new', '/registers/gifts', {
      kind: 'hospitality',
      'offeredOn-day': '1',
      'offeredOn-month': '1',
      'offeredOn-year': '2026',
      'eventOn-day': '2',
      'eventOn-month': '1',
      'eventOn-year': '2026',
      description: 'Charity lunch',
      offeredBy: 'Kent Foster Carers Association',
      giverType: 'organisation',
      value: '30',
      response: 'accepted',
      authorisedById: String(await staffId(demo.teamManager)),
      reason: 'Represent the council',
    });
    assert.equal(res.statusCode, 303);
    const url = String(res.headers.location).split('?')[0]!;
    const row = await t.repos.db
      .selectFrom('gift_entries')
      .select(['late', 'authorised_by_name', 'authorised_in_advance'])
      .where('id', '=', Number(url.split('/').at(-1)))
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { late: true, authorised_by_name: 'Aisha Khan', authorised_in_advance: false });
    const page = unescapeHtml((await chloe.get(url)).body);
    assert.ok(page.includes('Recorded after the event (L.4)') && page.includes('Aisha Khan'));
  });

  test('H.6: a bankruptcy is seen only by the person, their signing manager and the registers team, and never exported', async () => {
    const url = `/registers/declarations/${declarationId}`;
    assert.equal(
      (
        await chloe.submit(url, `${url}/interests`, {
          kind: 'bankruptcy',
          description: 'Director of Smith Lettings Ltd, wound up in 2025',
        })
      ).statusCode,
      303,
    );
    for (const agent of [chloe, aisha, rita])
      assert.ok(unescapeHtml((await agent.get(url)).body).includes('Smith Lettings'));
    const asHelen = unescapeHtml((await helen.get(url)).body);
    assert.ok(
      !asHelen.includes('Smith Lettings') && asHelen.includes('1 confidential interest is not shown'),
      'Helen is above the signing manager',
    );
    for (const path of ['/registers/reports/interests.csv', '/registers/reports/interests.ods']) {
      const res = await rita.get(path);
      assert.equal(res.statusCode, 200);
      const text = path.endsWith('.ods')
        ? zipEntries(res.rawPayload)
            .find((e) => e.name === 'content.xml')!
            .data.toString()
        : res.body;
      assert.ok(!text.includes('Smith Lettings') && text.includes('Kent Care Homes'), `${path} leaves it out`);
    }
    assert.ok(!unescapeHtml((await helen.get('/registers/reports')).body).includes('Smith Lettings'));
  });

  test('H.5, G.5/G.6, E.4, F.4/F.5, H.7: their own kinds; an interest in a contractor in a live tender warns about tender documents; the lecture fee kept', async () => {
    const url = `/registers/declarations/${declarationId}`;
    const acme = await t.repos.db
      .selectFrom('suppliers')
      .select('id')
      .where('name', '=', 'Acme Care Ltd')
      .executeTakeFirstOrThrow();
    assert.equal(
      (
        await chloe.submit(url, `${url}/interests`, {
          kind: 'contractor_relationship',
          description: 'My brother is a director of Acme',
          supplierId: String(acme.id),
          contract: 'Residential care framework 2026',
        })
      ).statusCode,
      303,
    );
    const noTime = await chloe.submit(url, `${url}/interests`, {
      kind: 'publishing_lecturing',
      description: 'Lectures at Canterbury Christ Church',
      lectureFee: '300',
    });
    assertFormErrors(noTime, ['lectureInCouncilTime']);
    assert.equal(
      (
        await chloe.submit(url, `${url}/interests`, {
          kind: 'publishing_lecturing',
          description: 'Lectures at Canterbury Christ Church',
          lectureFee: '300',
          lectureInCouncilTime: 'yes',
        })
      ).statusCode,
      303,
    );
    for (const kind of ['applicant_relationship', 'colleague_relationship', 'intellectual_property']) {
      assert.equal(
        (await chloe.submit(url, `${url}/interests`, { kind, description: `Matrix ${kind}` })).statusCode,
        303,
        kind,
      );
    }
    const page = unescapeHtml((await aisha.get(url)).body);
    assert.ok(page.includes('Acme Care Ltd, which is in a live tender: they must not be given tender documents'));
    assert.ok(page.includes('Residential care framework 2026'));
    assert.ok(page.includes('in the council’s time: keeps £150'));
    for (const label of ['(E.4)', '(F.4)', '(F.5)', '(G.5, G.6)', '(H.7)']) assert.ok(page.includes(label), label);
    const suppliers = unescapeHtml((await rita.get('/registers/suppliers')).body);
    assert.ok(
      suppliers.includes('Acme Care Ltd is in a live tender. Do not give its tender documents to: Chloe Davies'),
      'the registers team is warned about tender access',
    );
  });

  test('published register, when turned on: name, post, type, value band and decision; never a private person or a client; declined never "Accepted"', async () => {
    const on = await startTestApp({
      settings: {
        registers: { publicationThresholdPence: 5000, reminderIntervalDays: 7, escalateAfterDays: 14, publish: true },
      },
    });
    try {
      const helenActor = await actorFor(on.repos.db, demo.serviceManager);
      const ritaOn = on.services;
      const entry = (fields: Partial<Parameters<typeof ritaOn.registers.recordGift>[1]>) =>
        ritaOn.registers.recordGift(helenActor, {
          kind: 'gift',
          offeredOn: '2026-04-01',
          description: 'x',
          offeredBy: 'x',
          supplierId: null,
          valuePence: 12000,
          response: 'accepted',
          refusalLetter: null,
          authorisedInAdvance: false,
          reason: 'x',
          giverType: 'organisation',
          ...fields,
        });
      const hamper = await entry({ description: 'Hamper', offeredBy: 'Care provider' });
      const family = await entry({
        description: 'Painting',
        offeredBy: 'The Jones family (foster carers for child K)',
        giverType: 'private_individual',
      });
      const declined = await entry({
        kind: 'hospitality',
        description: 'Box at the races',
        offeredBy: 'Acme',
        valuePence: 30000,
        eventOn: '2026-05-01',
        authorisedById: null,
        response: 'refused',
      });
      const priya = await actorFor(on.repos.db, demo.assistantDirector);
      for (const id of [hamper, family])
        await on.services.registers.decideGift(priya, id, { decision: 'approved', note: null });
      await on.services.registers.decideGift(priya, declined, { decision: 'declined', note: 'Not appropriate' });
      const accepted = await entry({ description: 'Tickets', offeredBy: 'Big Events plc', valuePence: 60000 });
      await on.services.registers.decideGift(priya, accepted, { decision: 'declined', note: 'Return them' });
      const res = await on.agent().get('/registers/published');
      assert.equal(res.statusCode, 200);
      const body = unescapeHtml(res.body);
      assert.ok(
        body.includes('Helen Ward') &&
          body.includes('Service manager') &&
          body.includes('£100 to £249') &&
          body.includes('£250 to £499') &&
          body.includes('£500 or more'),
      );
      for (const hidden of [
        'Jones family',
        'Painting',
        'Hamper',
        'Care provider',
        'Acme',
        'Big Events',
        'Tickets',
        'Box at the races',
        'helen.ward@',
      ])
        assert.ok(!body.includes(hidden), `not published: ${hidden}`);
      const rows = [...body.matchAll(/<tr class="govuk-table__row">([\s\S]*?)<\/tr>/g)]
        .map((m) =>
          m[1]!
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .trim(),
        )
        .slice(1);
      assert.equal(rows.length, 3, rows.join(' | '));
      assert.ok(
        rows.some((r) => r.includes('£500 or more') && r.includes('Declined by manager') && !r.includes('Accepted')),
        rows.join(' | '),
      );
      assert.ok(
        rows.some((r) => r.includes('£250 to £499') && r.includes('Refused')),
        rows.join(' | '),
      );
    } finally {
      await on.close();
    }
  });

  async function staffId(email: string) {
    return (await t.repos.db.selectFrom('staff').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  }
  test("reports page each register, 50 a page with the total, keeping the period and the other table's page", async () => {
    const { id: _id, ...one } = await t.repos.db
      .selectFrom('gift_entries')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const before = (await t.repos.db.selectFrom('gift_entries').select('id').execute()).length;
    await t.repos.db
      .insertInto('gift_entries')
      .values(Array.from({ length: 120 }, (_, n) => ({ ...one, description: `Paged gift ${n}` })) as never)
      .execute();
    const total = before + 120;
    const first = await rita.get('/registers/reports');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, new RegExp(`Showing 1 to 50 of ${total} entries`));
    assert.equal(
      (first.body.match(/href="\/registers\/gifts\/\d+"/g) ?? []).length,
      50,
      'one page of the gifts register',
    );
    const lastPage = Math.ceil(total / 50);
    const last = await rita.get(`/registers/reports?from-day=&giftsPage=${lastPage}&interestsPage=abc`);
    assert.match(last.body, new RegExp(`Showing ${(lastPage - 1) * 50 + 1} to ${total} of ${total} entries`));
    assert.equal((last.body.match(/href="\/registers\/gifts\/\d+"/g) ?? []).length, total - (lastPage - 1) * 50);
    assert.ok(
      last.body.includes('href="/registers/reports?giftsPage=2#gifts"') ||
        last.body.includes(`giftsPage=${lastPage - 1}#gifts`),
      'the previous page link',
    );
    assert.ok(!last.body.includes('interests.csv?giftsPage'), 'downloads hold every row, whatever the page');
    assert.equal((await rita.get('/registers/reports?giftsPage=1&giftsPage=2')).statusCode, 200);
  });
});
