/**
 * Incident follow-up pages with CSRF on: police and prosecution, RIDDOR and serious on the
 * incident page; the HS160 investigation with actions and close; a warning flag raised from an
 * incident turning a visit RED; the health and safety dashboard, CSV and ODS export and the
 * historic import. Bad input re-renders with 400 and the error summary; complaints staff see nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { followImport } from '../helpers/imports.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { errorLinks, textareaValue, unescapeHtml, inputValue } from './support.ts';
import { addDays, londonDate, londonToday } from '../../src/time/london.ts';

const idFrom = (res: LightMyRequestResponse) => Number(/\/incidents\/(\d+)/.exec(String(res.headers.location))![1]);
const day = (prefix: string, iso: string) => {
  const [y, m, d] = iso.split('-');
  return { [`${prefix}-day`]: String(Number(d)), [`${prefix}-month`]: String(Number(m)), [`${prefix}-year`]: y! };
};
function occurred(daysAgo: number): Record<string, string> {
  return { ...day('occurred', londonDate(new Date(Date.now() - daysAgo * 86_400_000))), 'occurred-time': '09:00' };
}
const report = (o: Record<string, string | string[]> = {}) => ({
  ...occurred(2),
  location: '12 Park Road, Ashford',
  loneWorking: 'yes',
  categories: ['physical_assault'],
  perpetratorType: 'parent_carer',
  perpetratorCaseSystem: 'liberi',
  perpetratorCaseId: 'ROUTE-55',
  injured: 'yes',
  injuryNature: 'Bruising',
  narrative: 'Pushed against the door frame',
  action: 'submit',
  ...o,
});
function assertErrors(res: LightMyRequestResponse, fields: string[]) {
  assert.equal(res.statusCode, 400, `expected 400, got ${res.statusCode}`);
  assert.match(res.body, /<title>Error: /);
  assert.deepEqual(
    errorLinks(res)
      .filter((l) => l !== 'main-content')
      .sort(),
    [...fields].sort(),
  );
  for (const f of fields) assert.match(res.body, new RegExp(`\\bid="${f}"`), `#${f} exists`);
}

describe('incident follow-up pages', () => {
  let t: TestApp;
  let chloe: Agent, aisha: Agent, fiona: Agent, gareth: Agent, irene: Agent, admin: Agent;

  before(async () => {
    t = await startTestApp();
    [chloe, aisha, fiona, gareth, irene, admin] = await Promise.all([
      t.signIn(demo.worker),
      t.signIn(demo.teamManager),
      t.signIn(demo.healthAndSafety),
      t.signIn(demo.complaints),
      t.signIn(demo.foi),
      t.signIn(demo.admin),
    ]);
  });
  after(() => t.close());

  test('police and prosecution: the employee records it; a court result before a charge is refused and what was typed kept', async () => {
    const id = idFrom(await chloe.submit('/incidents/new', '/incidents', report()));
    const page = `/incidents/${id}`;
    const bad = await chloe.submit(page, `${page}/police`, {
      policeReported: 'yes',
      ...day('policeOn', londonToday()),
      crimeReference: 'ke/77/26',
      policeOutcome: 'caution',
      courtOutcome: 'convicted',
      courtAttended: 'no',
    });
    assertErrors(bad, ['courtOutcome']);
    assert.equal(inputValue(bad.body, 'crimeReference'), 'ke/77/26');
    const ok = await chloe.submit(page, `${page}/police`, {
      policeReported: 'yes',
      ...day('policeOn', londonToday()),
      crimeReference: 'ke/77/26',
      policeOutcome: 'charged',
      courtOutcome: 'pending',
      courtAttended: 'yes',
      courtNotes: 'Witness for the prosecution',
    });
    assert.equal(ok.statusCode, 303);
    assert.equal(ok.headers.location, `${page}?done=police#police`);
    const shown = unescapeHtml((await aisha.get(page)).body);
    for (const text of ['KE/77/26', 'Charged', 'Pending']) assert.ok(shown.includes(text), text);
    assert.equal(
      (await gareth.post(`${page}/police`, { _csrf: await gareth.csrf('/'), policeReported: 'no' })).statusCode,
      404,
      'complaints staff are not told it exists',
    );
  });

  test('RIDDOR: the note that verbal abuse is never reportable; a specified injury gives a report-by date; serious by rule and by a manager', async () => {
    const id = idFrom(
      await chloe.submit(
        '/incidents/new',
        '/incidents',
        report({ categories: ['verbal_abuse'], verbalChannel: 'telephone', injured: 'no', injuryNature: '' }),
      ),
    );
    const page = `/incidents/${id}`;
    const body = unescapeHtml((await aisha.get(page)).body);
    assert.ok(body.includes('Verbal abuse and threats are never reportable under RIDDOR'));
    assert.ok(body.includes('Not serious by rule'));
    assert.ok(!(await chloe.get(page)).body.includes(`action="${page}/riddor"`), 'the employee does not record RIDDOR');
    assert.equal(
      (await chloe.post(`${page}/riddor`, { _csrf: await chloe.csrf(page), specifiedInjury: 'no' })).statusCode,
      403,
    );
    assertErrors(
      await aisha.submit(page, `${page}/riddor`, { riddorDaysOff: 'lots', ...day('hseOn', londonToday()) }),
      ['specifiedInjury', 'riddorDaysOff', 'hseReference'],
    );
    // Verbal abuse with a specified injury ticked is still not reportable.
    assert.equal(
      (await aisha.submit(page, `${page}/riddor`, { specifiedInjury: 'yes', riddorDaysOff: '10' })).statusCode,
      303,
    );
    let row = await t.repos.db
      .selectFrom('incidents')
      .select(['riddor_kind', 'riddor_report_by', 'serious'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { riddor_kind: 'not_physical', riddor_report_by: null, serious: false });
    assert.equal((await aisha.submit(page, `${page}/serious`, { serious: 'marked' })).statusCode, 303);
    assert.ok(unescapeHtml((await fiona.get(page)).body).includes('Serious incident: A manager marked it serious'));

    const assault = idFrom(await chloe.submit('/incidents/new', '/incidents', report()));
    assert.equal(
      (
        await fiona.submit(`/incidents/${assault}`, `/incidents/${assault}/riddor`, {
          specifiedInjury: 'yes',
          riddorDaysOff: '1',
        })
      ).statusCode,
      303,
    );
    row = await t.repos.db
      .selectFrom('incidents')
      .select(['riddor_kind', 'riddor_report_by', 'serious'])
      .where('id', '=', assault)
      .executeTakeFirstOrThrow();
    assert.equal(row.riddor_kind, 'specified_injury');
    assert.ok(row.riddor_report_by, 'a report-by date');
    assert.ok(unescapeHtml((await fiona.get(`/incidents/${assault}`)).body).includes('notify the HSE without delay'));
  });

  test('HS160 investigation: save, add an action (owner required), mark it done, close', async () => {
    const id = idFrom(
      await chloe.submit(
        '/incidents/new',
        '/incidents',
        report({ categories: ['weapon'], injured: 'no', injuryNature: '' }),
      ),
    );
    const inv = `/incidents/${id}/investigation`;
    assert.equal((await chloe.get(inv)).statusCode, 403, 'the employee does not run the investigation');
    assert.equal((await gareth.get(inv)).statusCode, 404);
    const start = await aisha.get(inv);
    assert.equal(start.statusCode, 200);
    assert.ok(unescapeHtml(start.body).includes('A weapon was involved or suspected'));
    // Close before findings: refused with the reason.
    const early = await aisha.submit(inv, `/incidents/${id}/close`, {});
    assertErrors(early, ['close']);
    assert.match(unescapeHtml(early.body), /record the findings of the HS160 investigation/);
    assert.equal(
      (
        await aisha.submit(inv, inv, {
          statements: 'Chloe and a neighbour',
          chronology: '09:00 arrived',
          findings: 'Known risk not shared',
          providersToWarn: 'Housing',
        })
      ).statusCode,
      303,
    );
    const noOwner = await aisha.submit(inv, `/incidents/${id}/actions`, {
      actionDescription: 'Share the risk',
      actionOwnerId: '',
      ...day('actionDue', addDays(londonToday(), 7)),
    });
    assertErrors(noOwner, ['actionOwnerId']);
    assert.equal(textareaValue(noOwner.body, 'actionDescription'), 'Share the risk');
    assert.equal(textareaValue(noOwner.body, 'findings'), 'Known risk not shared', 'saved values stay on the page');
    const chloeId = (await actorFor(t.repos.db, demo.worker)).staffId!;
    assert.equal(
      (
        await aisha.submit(inv, `/incidents/${id}/actions`, {
          actionDescription: 'Share the risk',
          actionOwnerId: String(chloeId),
          ...day('actionDue', addDays(londonToday(), 7)),
        })
      ).statusCode,
      303,
    );
    const action = await t.repos.db
      .selectFrom('incident_actions')
      .select('id')
      .where('incident_id', '=', id)
      .executeTakeFirstOrThrow();
    assertErrors(await aisha.submit(inv, `/incidents/${id}/close`, {}), ['close']);
    // The owner marks it done from "Actions for you" on the incident page, without seeing the investigation itself.
    const mine = await chloe.get(`/incidents/${id}`);
    assert.ok(unescapeHtml(mine.body).includes('Actions for you'));
    assert.ok(mine.body.includes(`action="/incidents/${id}/actions/${action.id}/done"`));
    const done = await chloe.post(`/incidents/${id}/actions/${action.id}/done`, {
      _csrf: await chloe.csrf(`/incidents/${id}`),
      returnTo: 'incident',
    });
    assert.equal(done.headers.location, `/incidents/${id}?done=actionDone#your-actions`);
    assert.ok(!unescapeHtml((await chloe.get(`/incidents/${id}`)).body).includes('Actions for you'));
    const closed = await aisha.submit(inv, `/incidents/${id}/close`, {});
    assert.equal(closed.headers.location, `${inv}?done=closed`);
    const after = unescapeHtml((await aisha.get(inv)).body);
    assert.ok(after.includes('This incident was closed'));
    assert.ok(!after.includes('Save investigation'));
    assert.match((await aisha.get('/incidents')).body, new RegExp(`/incidents/${id}"[\\s\\S]*?Closed`));
  });

  test('a warning flag raised from the incident makes a visit to that case RED', async () => {
    const id = idFrom(await chloe.submit('/incidents/new', '/incidents', report()));
    const page = `/incidents/${id}`;
    const form = await aisha.get(page);
    assert.equal(inputValue(form.body, 'flagCaseId'), 'ROUTE-55', 'pre-filled from the perpetrator');
    assertErrors(
      await aisha.submit(page, `${page}/flags`, {
        flagSubject: 'person',
        flagCaseSystem: 'liberi',
        flagCaseId: 'ROUTE-55',
        flagCategory: 'violence',
        flagReason: '',
        ...day('flagReview', addDays(londonToday(), 60)),
      }),
      ['flagReason'],
    );
    assertErrors(
      await aisha.submit(page, `${page}/flags`, {
        flagSubject: 'person',
        flagCaseSystem: 'liberi',
        flagCaseId: 'ROUTE-55',
        flagCategory: 'violence',
        flagReason: 'Pushed',
        ...day('flagReview', londonToday()),
      }),
      ['flagReview-day'],
    );
    const ok = await aisha.submit(page, `${page}/flags`, {
      flagSubject: 'person',
      flagCaseSystem: 'liberi',
      flagCaseId: 'ROUTE-55',
      flagCategory: 'violence',
      flagReason: 'Pushed a worker',
      ...day('flagReview', addDays(londonToday(), 60)),
    });
    assert.equal(ok.statusCode, 303);
    const chloeActor = await actorFor(t.repos.db, demo.worker);
    const visit = await t.services.visits.plan(
      chloeActor,
      buildVisitForm({
        caseSystem: 'liberi',
        caseId: 'route-55',
        referralType: 'previously_known',
        postcode: 'CT1 1AA',
      }),
    );
    const risk = unescapeHtml((await chloe.get(`/visits/${visit}/risk`)).body);
    assert.match(risk, /RED/);
    assert.ok(risk.includes('Pushed a worker'));
    assert.equal(
      (await t.repos.db.selectFrom('visits').select('risk_rating').where('id', '=', visit).executeTakeFirstOrThrow())
        .risk_rating,
      'RED',
    );
    const flagId = (
      await t.repos.db
        .selectFrom('incident_flags')
        .select('flag_id')
        .where('incident_id', '=', id)
        .executeTakeFirstOrThrow()
    ).flag_id;
    assertErrors(
      await aisha.submit(page, `${page}/flags/renew`, { renewFlagId: '', ...day('renewReview', '2020-01-01') }),
      ['renewFlagId'],
    );
    assertErrors(
      await aisha.submit(page, `${page}/flags/renew`, {
        renewFlagId: String(flagId),
        ...day('renewReview', londonToday()),
      }),
      ['renewReview-day'],
    );
    assert.equal(
      (
        await aisha.submit(page, `${page}/flags/renew`, {
          renewFlagId: String(flagId),
          ...day('renewReview', addDays(londonToday(), 200)),
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await t.repos.db
          .selectFrom('incident_flags')
          .select(sql<string>`review_on::text`.as('d'))
          .where('flag_id', '=', flagId)
          .executeTakeFirstOrThrow()
      ).d,
      addDays(londonToday(), 200),
    );
    assert.equal(
      (
        await aisha.submit(page, `${page}/legal-actions`, {
          legalKind: 'contact_ban',
          ...day('legalOn', londonToday()),
          legalNotes: 'Phone contact only',
        })
      ).statusCode,
      303,
    );
    assert.ok(unescapeHtml((await aisha.get(page)).body).includes('Ban on contact'));
  });

  test('the dashboard: health and safety only; charts with tables; filters; CSV and ODS export', async () => {
    assert.equal((await gareth.get('/incidents/dashboard')).statusCode, 403);
    assert.equal((await irene.get('/incidents/dashboard.csv')).statusCode, 403);
    assert.equal((await aisha.get('/incidents/dashboard')).statusCode, 403);
    const civic = (
      await t.repos.db.selectFrom('buildings').select('id').where('name', '=', 'Civic Centre').executeTakeFirstOrThrow()
    ).id;
    assert.equal(
      (
        await chloe.submit(
          '/incidents/new',
          '/incidents',
          report({ buildingId: String(civic), categories: ['threats'], injured: 'no', injuryNature: '' }),
        )
      ).statusCode,
      303,
    );
    const res = await fiona.get('/incidents/dashboard');
    assert.equal(res.statusCode, 200);
    const body = unescapeHtml(res.body);
    for (const text of [
      'Incidents by month',
      'Incidents by kind',
      'Incidents by team',
      'Incidents by building',
      'Working alone',
      'Reported to police',
      'Resulted in prosecution',
      'Successful prosecution',
      'RIDDOR reports due',
      'Open investigations',
      'Overdue actions',
    ]) {
      assert.ok(body.includes(text), text);
    }
    assert.match(body, /<svg class="harbour-bar"/);
    assert.match(/aria-label="Incidents by building"[\s\S]*?<\/table>/.exec(body)![0], /Civic Centre[\s\S]*?>1</);
    const byCivic = unescapeHtml((await fiona.get(`/incidents/dashboard?buildingId=${civic}`)).body);
    assert.match(
      /Incidents\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*(\d+)/.exec(byCivic)![1]!,
      /^1$/,
      'filtered to the building',
    );
    assert.match(body, /<table class="govuk-table"/);
    assert.ok((await fiona.get('/incidents')).body.includes('href="/incidents/dashboard"'));
    const bad = await fiona.get('/incidents/dashboard?from=2026-13-01');
    assert.equal(bad.statusCode, 400);
    assert.ok(errorLinks(bad).includes('from-day'));
    // The period in GOV.UK date boxes, not native date pickers (issue 15); every problem at once.
    assert.doesNotMatch(body, /type="date"/);
    for (const box of ['from-day', 'from-month', 'from-year', 'to-day', 'to-month', 'to-year'])
      assert.match(body, new RegExp(`id="${box}"`), box);
    const boxes = await fiona.get(
      '/incidents/dashboard?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=1&to-year=2020&category=nonsense',
    );
    assert.equal(boxes.statusCode, 400);
    assert.deepEqual(
      errorLinks(boxes)
        .filter((l) => l !== 'main-content')
        .sort(),
      ['category', 'from-day'],
    );
    assert.match(unescapeHtml(boxes.body), /The start of the period must be a real date/);
    const backwards = await fiona.get(
      '/incidents/dashboard?from-day=1&from-month=2&from-year=2026&to-day=1&to-month=1&to-year=2026',
    );
    assert.deepEqual(
      errorLinks(backwards).filter((l) => l !== 'main-content'),
      ['to-day'],
    );
    assert.equal(inputValue(backwards.body, 'from-day'), '1', 'what was typed is kept');
    const typed = unescapeHtml(
      (await fiona.get('/incidents/dashboard?from-day=1&from-month=2&from-year=2024&to-day=29&to-month=2&to-year=2024'))
        .body,
    );
    assert.match(
      typed,
      /href="\/incidents\/dashboard\.csv\?[^"]*from-day=1&from-month=2&from-year=2024/,
      'the downloads keep the period',
    );
    assert.equal(
      inputValue((await fiona.get('/incidents/dashboard?from=2024-02-01')).body, 'from-month'),
      '2',
      'a link with from=2024-02-01 fills the boxes',
    );
    const csv = await fiona.get('/incidents/dashboard.csv?category=weapon');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body.trim().split('\n');
    assert.match(lines[0]!, /^Incident,Date,Time,Happened to,Team/);
    assert.ok(
      lines.length >= 2 && lines.slice(1).every((l) => l.includes('Weapon involved or suspected')),
      'filtered by category',
    );
    const ods = await fiona.get('/incidents/dashboard.ods');
    assert.equal(ods.headers['content-type'], 'application/vnd.oasis.opendocument.spreadsheet');
    assert.equal(ods.rawPayload.subarray(0, 2).toString(), 'PK');
  });

  test('historic import: the template downloads; a bad file lists every problem and imports nothing; a good one imports', async () => {
    const template = await fiona.get('/incidents/import/template.csv');
    assert.equal(template.statusCode, 200);
    assert.match(template.body, /^reference,occurred_date,occurred_time,employee_number/);
    const before = await t.repos.db
      .selectFrom('incidents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const header = 'reference,occurred_date,employee_number,location,categories,narrative';
    const bad = await fiona.upload(
      '/incidents/import',
      await fiona.csrf('/incidents/import'),
      'old.csv',
      `${header}\nR-1,2024-02-30,NOPE,Somewhere,threats,Threatened\nR-2,2024-02-01,NOPE,,threats,\n`,
    );
    assert.equal(bad.statusCode, 400);
    const text = unescapeHtml(bad.body);
    assert.ok(text.includes('Nothing was imported'));
    assert.ok(text.includes('occurred_date must be a date like 2024-03-14'));
    assert.ok(text.includes('location is missing'));
    const after = await t.repos.db
      .selectFrom('incidents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(after.n, before.n);
    const number = (
      await t.repos.db
        .selectFrom('staff')
        .select('employee_number')
        .where('email', '=', demo.worker)
        .executeTakeFirstOrThrow()
    ).employee_number;
    const good = await fiona.upload(
      '/incidents/import',
      await fiona.csrf('/incidents/import'),
      'old.csv',
      `${header}\nR-1,2024-02-01,${number},Somewhere,threats,Threatened\nR-2,2024-02-03,${number},Elsewhere,Racial harassment,Abuse\n`,
    );
    // A clean file is imported by a background job: the upload goes to its page, which ends with the summary (issue 15).
    const { page: done, url } = await followImport(fiona, good);
    assert.match(unescapeHtml(done.body), /Import complete[\s\S]*2 incidents imported/);
    assert.match(done.body, /<title>Incidents imported – Harbour<\/title>/);
    // Only the uploader and administrators see it; anyone else is not told it exists.
    assert.equal((await gareth.get(url)).statusCode, 404);
    assert.equal((await chloe.get(url)).statusCode, 404);
    assert.equal((await admin.get(url)).statusCode, 200);
    assert.equal((await fiona.get('/imports/abc')).statusCode, 404);
    const feb = unescapeHtml((await fiona.get('/incidents/dashboard?from=2024-02-01&to=2024-02-29')).body);
    assert.match(feb, /February 2024/);
    assert.equal(
      (await gareth.upload('/incidents/import', await gareth.csrf('/'), 'old.csv', `${header}\n`)).statusCode,
      403,
    );
  });
});
