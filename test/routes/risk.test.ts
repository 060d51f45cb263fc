/**
 * The risk pages with CSRF on: /visits/:id/risk and its three forms, /risk/flags, /risk/reviews.
 * Each form: a bad submission re-renders with 400, the error summary linking to each field, and
 * what the user typed; a good one redirects back with a confirmation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { auditCount, errorLinks, inputValue, selectedOption, textareaValue, unescapeHtml } from './support.ts';
import { addDays, londonToday } from '../../src/features/risk/rules.ts';
import type { VisitForm } from '../../src/features/visits/schema.ts';

/** 400, the GOV.UK error summary, exactly these fields linked, and each linked field on the page. */
function assertFormErrors(res: LightMyRequestResponse, fields: string[]) {
  assert.equal(res.statusCode, 400, `expected 400, got ${res.statusCode}`);
  assert.ok(res.body.includes('govuk-error-summary'), 'the page has a GOV.UK error summary');
  assert.match(res.body, /<title>Error: /);
  const links = errorLinks(res).filter((l) => l !== 'main-content');
  assert.deepEqual([...links].sort(), [...fields].sort(), 'the summary links to exactly the fields with errors');
  for (const field of fields)
    assert.match(res.body, new RegExp(`\\bid="${field}"`), `#${field} must exist on the page`);
}

/** Whether the radio with this name and value is checked. */
function radioChecked(html: string, name: string, value: string): boolean {
  const tag = new RegExp(`<input[^>]*name="${name}"[^>]*value="${value}"[^>]*>`).exec(html)?.[0] ?? '';
  return /\bchecked\b/.test(tag);
}

describe('risk pages', () => {
  let t: TestApp;
  let chloe: Agent, aisha: Agent, fiona: Agent, jamal: Agent;
  let red: number, amber: number;
  const dateBoxes = (prefix: string, iso: string) => {
    const [y, m, d] = iso.split('-');
    return { [`${prefix}-day`]: d!, [`${prefix}-month`]: m!, [`${prefix}-year`]: y! };
  };

  before(async () => {
    t = await startTestApp();
    const chloeActor = await actorFor(t.repos.db, demo.worker);
    const plan = (o: Partial<VisitForm>) => t.services.visits.plan(chloeActor, buildVisitForm(o));
    red = await plan({ referralType: 'self_referral', caseId: 'ROUTE1', postcode: 'TN23 7RR' });
    amber = await plan({ referralType: 'new_referral', caseId: 'ROUTE2', postcode: 'TN23 7AA' });
    [chloe, aisha, fiona, jamal] = await Promise.all([
      t.signIn(demo.worker),
      t.signIn(demo.teamManager),
      t.signIn(demo.healthAndSafety),
      t.signIn(demo.otherServiceWorker),
    ]);
  });
  after(() => t.close());

  describe('/visits/:id/risk', () => {
    test('a RED visit shows the light, why, what is needed and the forms the person may use', async () => {
      const asWorker = await chloe.get(`/visits/${red}/risk`);
      assert.equal(asWorker.statusCode, 200);
      const body = unescapeHtml(asWorker.body);
      assert.match(body, /harbour-rag--red">\s*RED\s*</);
      assert.ok(body.includes('Referral type: Self-referral'));
      assert.ok(body.includes('This visit cannot start yet'));
      assert.ok(body.includes('record an individual risk assessment'));
      assert.ok(body.includes(`action="/visits/${red}/risk/assessment"`));
      assert.ok(body.includes('Record meeting in a council building'));
      assert.ok(!body.includes('Approve lone visit'), 'a worker cannot approve her own visit');
      assert.ok(body.includes('Only Aisha Khan, or a manager above them, can approve'));

      const asManager = await aisha.get(`/visits/${red}/risk`);
      assert.ok(asManager.body.includes('Approve lone visit'));
      const asHealthAndSafety = await fiona.get(`/visits/${red}/risk`);
      assert.equal(asHealthAndSafety.statusCode, 200, 'see-everything roles may look');
      assert.ok(!asHealthAndSafety.body.includes(`action="/visits/${red}/risk/assessment"`), 'but not record');
      assert.equal((await jamal.get(`/visits/${red}/risk`)).statusCode, 403);
      assert.equal((await chloe.get('/visits/999999/risk')).statusCode, 404);
    });

    test('the assessment form: 400 with every problem and the input kept; then recorded', async () => {
      const bad = await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/assessment`, {
        hazards: 'Aggressive dog <and> father',
        whoHarmed: '',
        controls: '',
        findings: '',
        documentRef: 'DOC-9',
        'reviewDate-day': '31',
        'reviewDate-month': '2',
        'reviewDate-year': '2030',
      });
      assertFormErrors(bad, ['whoHarmed', 'controls', 'findings', 'reviewDate-day']);
      assert.ok(bad.body.includes('The review date must be a real date'));
      assert.equal(textareaValue(bad.body, 'hazards'), 'Aggressive dog <and> father');
      assert.equal(inputValue(bad.body, 'documentRef'), 'DOC-9');
      assert.equal(inputValue(bad.body, 'reviewDate-day'), '31');

      const past = await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/assessment`, {
        scope: 'case',
        hazards: 'h',
        whoHarmed: 'w',
        controls: 'c',
        findings: 'f',
        ...dateBoxes('reviewDate', addDays(londonToday(), -1)),
      });
      assertFormErrors(past, ['reviewDate-day']);
      assert.ok(radioChecked(past.body, 'scope', 'case'), 'the chosen scope is kept');

      const noScope = await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/assessment`, {
        hazards: 'h',
        whoHarmed: 'w',
        controls: 'c',
        findings: 'f',
        ...dateBoxes('reviewDate', addDays(londonToday(), 10)),
      });
      assertFormErrors(noScope, ['scope']);
      assert.equal(textareaValue(noScope.body, 'findings'), 'f');

      const ok = await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/assessment`, {
        scope: 'case',
        hazards: 'Father has threatened staff',
        whoHarmed: 'Visiting worker',
        controls: 'Meet at the Civic Centre',
        findings: 'Shared with the team',
        documentRef: '',
        ...dateBoxes('reviewDate', addDays(londonToday(), 40)),
      });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, `/visits/${red}/risk?done=assessment`);
      const after = await chloe.get(String(ok.headers.location));
      assert.ok(after.body.includes('Risk assessment recorded'));
      assert.ok(after.body.includes('Father has threatened staff'));
      assert.ok(after.body.includes('Review the risk assessment'));
    });

    test('the council building form: 400 without a building, the note kept; then recorded', async () => {
      const bad = await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/control`, {
        control: 'council_building',
        buildingId: '',
        buildingNote: 'Room 2 <booked>',
      });
      assertFormErrors(bad, ['buildingId']);
      assert.equal(textareaValue(bad.body, 'buildingNote'), 'Room 2 <booked>');
      const civic = (
        await t.repos.db
          .selectFrom('buildings')
          .select('id')
          .where('name', '=', 'Civic Centre')
          .executeTakeFirstOrThrow()
      ).id;
      const badNote = await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/control`, {
        control: 'council_building',
        buildingId: String(civic),
        buildingNote: 'x'.repeat(1001),
      });
      assertFormErrors(badNote, ['buildingNote']);
      assert.equal(selectedOption(badNote.body, 'buildingId'), String(civic), 'the chosen building is kept');
      const ok = await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/control`, {
        control: 'council_building',
        buildingId: String(civic),
        buildingNote: 'Room 2',
      });
      assert.equal(ok.statusCode, 303);
      const page = unescapeHtml((await chloe.get(String(ok.headers.location))).body);
      assert.ok(page.includes('Meeting in a council building, Civic Centre'));
      assert.ok(page.includes('The meeting has been moved to'), 'the session moved to the building');
      assert.ok(page.includes('It was planned at'));
      // The worker recorded the assessment herself: a manager must countersign it. She cannot.
      assert.ok(page.includes('the risk assessment must be completed or countersigned'));
      assert.ok(!page.includes('Countersign the risk assessment'));
      assert.equal((await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/countersign`, {})).statusCode, 403);
      const session = unescapeHtml((await chloe.get(`/visits/${red}`)).body);
      const civicAddress = await t.repos.db
        .selectFrom('buildings')
        .select(['address', 'postcode'])
        .where('id', '=', civic)
        .executeTakeFirstOrThrow();
      assert.ok(
        session.includes(`${civicAddress.address}, ${civicAddress.postcode}`),
        'the session page shows the building’s address',
      );
      assert.ok(!session.includes('12 Example Road'), 'not the home address');
      const signed = await aisha.submit(`/visits/${red}/risk`, `/visits/${red}/risk/countersign`, {});
      assert.equal(signed.statusCode, 303);
      const after = unescapeHtml((await chloe.get(String(signed.headers.location))).body);
      assert.ok(after.includes('Countersigned by Aisha Khan'));
      assert.ok(after.includes('Nothing more is needed: the visit can start.'));
    });

    test('manager approval: the worker is refused; the line manager gets 400 without a reason, input kept; then approves', async () => {
      const audit = await auditCount(t.repos.db);
      const refused = await chloe.submit(`/visits/${red}/risk`, `/visits/${red}/risk/control`, {
        control: 'manager_approval',
        approvalNote: 'I approve myself',
      });
      assert.equal(refused.statusCode, 403);
      assert.equal(await auditCount(t.repos.db), audit, 'a refused approval writes nothing');

      const empty = await aisha.submit(`/visits/${red}/risk`, `/visits/${red}/risk/control`, {
        control: 'manager_approval',
        approvalNote: '',
      });
      assertFormErrors(empty, ['approvalNote']);
      const long = 'Conditions: '.padEnd(1001, 'x');
      const tooLong = await aisha.submit(`/visits/${red}/risk`, `/visits/${red}/risk/control`, {
        control: 'manager_approval',
        approvalNote: long,
      });
      assertFormErrors(tooLong, ['approvalNote']);
      assert.equal(textareaValue(tooLong.body, 'approvalNote'), long);

      const ok = await aisha.submit(`/visits/${red}/risk`, `/visits/${red}/risk/control`, {
        control: 'manager_approval',
        approvalNote: 'Police aware',
      });
      assert.equal(ok.statusCode, 303);
      const page = await aisha.get(String(ok.headers.location));
      assert.ok(page.body.includes('Control recorded'));
      assert.ok(unescapeHtml(page.body).includes('Manager’s approval by Aisha Khan'));
    });

    test('the AMBER precautions form: 400 for a waiver without a reason, the answers kept; then recorded', async () => {
      const page = await chloe.get(`/visits/${amber}/risk`);
      assert.ok(page.body.includes('harbour-rag--amber'));
      assert.ok(page.body.includes('Save precautions'));
      const bad = await chloe.submit(`/visits/${amber}/risk`, `/visits/${amber}/risk/precautions`, {
        'status-buddy_informed': 'confirmed',
        'status-parked_for_exit': 'waived',
        'reason-parked_for_exit': '',
        'status-exit_plan': 'waived',
        'reason-exit_plan': 'Meeting at <school>',
      });
      assertFormErrors(bad, ['reason-parked_for_exit']);
      assert.ok(radioChecked(bad.body, 'status-buddy_informed', 'confirmed'));
      assert.ok(radioChecked(bad.body, 'status-parked_for_exit', 'waived'));
      assert.equal(inputValue(bad.body, 'reason-exit_plan'), 'Meeting at <school>');

      const none = await chloe.submit(`/visits/${amber}/risk`, `/visits/${amber}/risk/precautions`, {});
      assertFormErrors(none, ['status-records_checked']);

      // Appendix E's own actions for a first visit have no "Waived" choice, and a posted waiver is refused; "." is no reason.
      assert.ok(!/name="status-records_checked"[^>]*value="waived"/.test(page.body));
      assert.ok(!/name="status-joint_visit_discussed"[^>]*value="waived"/.test(page.body));
      const forced = await chloe.submit(`/visits/${amber}/risk`, `/visits/${amber}/risk/precautions`, {
        'status-records_checked': 'waived',
        'reason-records_checked': 'Not needed for this family',
        'status-parked_for_exit': 'waived',
        'reason-parked_for_exit': '.',
      });
      assertFormErrors(forced, ['status-records_checked', 'reason-parked_for_exit']);

      const ok = await chloe.submit(`/visits/${amber}/risk`, `/visits/${amber}/risk/precautions`, {
        'status-buddy_informed': 'confirmed',
        'status-parked_for_exit': 'waived',
        'reason-parked_for_exit': 'Going by bus, no car today',
      });
      assert.equal(ok.statusCode, 303);
      const after = await chloe.get(String(ok.headers.location));
      assert.ok(after.body.includes('Precautions recorded'));
      assert.ok(radioChecked(after.body, 'status-parked_for_exit', 'waived'), 'what was recorded is shown');
      assert.ok(after.body.includes('Going by bus, no car today'));
    });

    test('a form posted without the CSRF token is refused and changes nothing', async () => {
      const audit = await auditCount(t.repos.db);
      const res = await chloe.post(`/visits/${amber}/risk/precautions`, { 'status-phone_ready': 'confirmed' });
      assert.equal(res.statusCode, 403);
      assert.equal(await auditCount(t.repos.db), audit);
    });
  });

  describe('/risk/flags', () => {
    test('managers add flags: 400 with each problem and the input kept; then listed', async () => {
      const empty = await aisha.submit('/risk/flags', '/risk/flags', {
        postcode: '',
        caseSystem: '',
        caseId: '',
        description: '',
      });
      assertFormErrors(empty, ['category', 'description']);
      const nowhere = await aisha.submit('/risk/flags', '/risk/flags', {
        postcode: '',
        caseSystem: '',
        caseId: '',
        category: 'weapons',
        description: 'Knife seen',
      });
      assertFormErrors(nowhere, ['postcode']);
      assert.ok(radioChecked(nowhere.body, 'category', 'weapons'));
      assert.equal(textareaValue(nowhere.body, 'description'), 'Knife seen');

      const bad = await aisha.submit('/risk/flags', '/risk/flags', {
        postcode: 'not a postcode',
        caseSystem: '',
        caseId: 'ab/12',
        category: 'violence',
        description: 'Threats <at door>',
        'expires-day': '1',
        'expires-month': '13',
        'expires-year': '2030',
      });
      assertFormErrors(bad, ['postcode', 'expires-day']);
      assert.equal(inputValue(bad.body, 'caseId'), 'ab/12');
      assert.equal(textareaValue(bad.body, 'description'), 'Threats <at door>');
      assert.ok(radioChecked(bad.body, 'category', 'violence'));

      const noSystem = await aisha.submit('/risk/flags', '/risk/flags', {
        postcode: '',
        caseSystem: '',
        caseId: 'ab/12',
        category: 'violence',
        description: 'Threats',
      });
      assertFormErrors(noSystem, ['caseSystem']);

      const ok = await aisha.submit('/risk/flags', '/risk/flags', {
        postcode: 'tn237rr',
        caseSystem: '',
        caseId: '',
        category: 'violence',
        description: 'Threatened a worker at the door',
        ...dateBoxes('expires', addDays(londonToday(), 100)),
      });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, '/risk/flags?done=flag');
      const list = await aisha.get('/risk/flags?done=flag');
      assert.ok(list.body.includes('Warning flag added'));
      assert.ok(list.body.includes('TN23 7RR'), 'the postcode is stored normalised');
      assert.ok(list.body.includes('Threatened a worker at the door'));
    });

    test('a worker sees only flags on her own visits, and cannot add one', async () => {
      const mine = await chloe.get('/risk/flags');
      assert.equal(mine.statusCode, 200);
      assert.ok(mine.body.includes('Threatened a worker at the door'), 'Chloe has a planned visit at TN23 7RR');
      assert.ok(
        !mine.body.includes('method="post" action="/risk/flags"'),
        'no form to add one (the search form is a GET)',
      );
      const notMine = await jamal.get('/risk/flags');
      assert.ok(!notMine.body.includes('Threatened a worker at the door'));
      assert.ok(notMine.body.includes('No warnings apply to your planned visits.'));
      const denied = await chloe.submit('/risk/flags', '/risk/flags', {
        postcode: 'TN23 1AA',
        category: 'dogs',
        description: 'x',
      });
      assert.equal(denied.statusCode, 403);
    });

    test('the new flag shows as a reason on the visit’s risk page', async () => {
      const page = unescapeHtml((await chloe.get(`/visits/${red}/risk`)).body);
      assert.ok(
        page.includes('Warning at the postcode: History of violence or aggression (Threatened a worker at the door)'),
      );
    });

    test('a manager withdraws a flag with a reason (400 without one, input kept); visits there are no longer rated on it; audited; a worker may not', async () => {
      const chloeActor = await actorFor(t.repos.db, demo.worker);
      const visit = await t.services.visits.plan(
        chloeActor,
        buildVisitForm({ referralType: 'previously_known', caseId: 'ROUTE9', postcode: 'TN23 9WW' }),
      );
      const flagged = await aisha.submit('/risk/flags', '/risk/flags', {
        postcode: 'TN23 9WW',
        caseSystem: '',
        caseId: '',
        category: 'violence',
        description: 'Raised at the wrong address',
      });
      assert.equal(flagged.statusCode, 303);
      const flagId = (
        await t.repos.db
          .selectFrom('warning_flags')
          .select('id')
          .where('description', '=', 'Raised at the wrong address')
          .executeTakeFirstOrThrow()
      ).id;
      assert.match(unescapeHtml((await chloe.get(`/visits/${visit}/risk`)).body), /harbour-rag--red">\s*RED\s*</);
      const list = await aisha.get('/risk/flags');
      assert.ok(
        list.body.includes(`href="/risk/flags/${flagId}/withdraw"`),
        'the list links to withdrawing a live flag',
      );

      assert.equal((await chloe.get(`/risk/flags/${flagId}/withdraw`)).statusCode, 403);
      assert.equal(
        (await chloe.submit('/risk/flags', `/risk/flags/${flagId}/withdraw`, { reason: 'x' })).statusCode,
        403,
      );
      const page = await aisha.get(`/risk/flags/${flagId}/withdraw`);
      assert.equal(page.statusCode, 200);
      assert.ok(unescapeHtml(page.body).includes('Raised at the wrong address'));
      const empty = await aisha.submit(`/risk/flags/${flagId}/withdraw`, `/risk/flags/${flagId}/withdraw`, {
        reason: '   ',
      });
      assertFormErrors(empty, ['reason']);
      const before = await auditCount(t.repos.db);
      const done = await aisha.submit(`/risk/flags/${flagId}/withdraw`, `/risk/flags/${flagId}/withdraw`, {
        reason: 'Wrong address <typed>',
      });
      assert.equal(done.statusCode, 303);
      assert.equal(done.headers.location, '/risk/flags?done=withdrawn');
      assert.equal(await auditCount(t.repos.db), before + 1);
      const entry = await t.repos.db
        .selectFrom('audit_log')
        .select(['action', 'detail'])
        .where('entity_type', '=', 'warning_flag')
        .where('entity_id', '=', String(flagId))
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      assert.equal(entry.action, 'warning_flag.withdraw');
      assert.equal((entry.detail as { reason: string }).reason, 'Wrong address <typed>');
      assert.doesNotMatch(
        unescapeHtml((await chloe.get(`/visits/${visit}/risk`)).body),
        /harbour-rag--red">\s*RED\s*</,
        'no longer RED',
      );
      const again = await aisha.submit(`/risk/flags/${flagId}/withdraw`, `/risk/flags/${flagId}/withdraw`, {
        reason: 'Again',
      });
      assert.equal(again.statusCode, 400, 'already withdrawn');
      assert.equal((await aisha.get('/risk/flags/999999/withdraw')).statusCode, 404);
    });
  });

  describe('/risk/reviews', () => {
    test('the line manager sees the assessment due for review; a worker may not look', async () => {
      await t.repos.db
        .updateTable('risk_assessments')
        .set({ review_date: addDays(londonToday(), -2) })
        .where('case_id', '=', 'ROUTE1')
        .execute();
      const res = await aisha.get('/risk/reviews');
      assert.equal(res.statusCode, 200);
      assert.ok(res.body.includes('Liberi ROUTE1'));
      assert.ok(res.body.includes('Overdue'));
      assert.ok(res.body.includes(`href="/visits/${red}/risk"`));
      assert.equal((await chloe.get('/risk/reviews')).statusCode, 403);
    });
  });

  describe('issue 21: editing a plan, joint visits, live rating, flag expiry', () => {
    test('edit a planned visit: the form shows the plan; 400 with every problem and the input kept; then saved and re-rated', async () => {
      const id = await t.services.visits.plan(
        await actorFor(t.repos.db, demo.worker),
        buildVisitForm({ referralType: 'previously_known', caseId: 'EDITROUTE', postcode: 'TN23 6ED' }),
      );
      const form = await chloe.get(`/visits/${id}/edit`);
      assert.equal(form.statusCode, 200);
      assert.ok(form.body.includes(`action="/visits/${id}/edit"`));
      assert.equal(inputValue(form.body, 'caseId'), 'EDITROUTE');
      assert.equal((await jamal.get(`/visits/${id}/edit`)).statusCode, 403);
      const emma = (
        await t.repos.db
          .selectFrom('staff')
          .select('id')
          .where('email', '=', demo.businessSupport)
          .executeTakeFirstOrThrow()
      ).id;
      const bad = await chloe.submit(`/visits/${id}/edit`, `/visits/${id}/edit`, {
        kind: 'visit',
        'date-day': '',
        'date-month': '',
        'date-year': '',
        startTime: '25:00',
        endTime: '10:00',
        address: 'Kept <address>',
        postcode: '',
        caseSystem: 'liberi',
        caseId: 'EDITROUTE',
        jointPartnerId: String(emma),
      });
      assert.equal(bad.statusCode, 400);
      const links = errorLinks(bad);
      for (const f of ['date-day', 'startTime']) assert.ok(links.includes(f), `the summary names ${f}`);
      assert.equal(textareaValue(bad.body, 'address'), 'Kept <address>');

      const [y, m, d] = londonToday().split('-');
      const start = new Date(Date.now() + 3_600_000);
      const hhmm = (x: Date) =>
        new Intl.DateTimeFormat('en-GB', {
          timeZone: 'Europe/London',
          hour: '2-digit',
          minute: '2-digit',
          hour12: false,
        }).format(x);
      const partner = await t.repos.db
        .selectFrom('staff')
        .select('id')
        .where('email', '=', 'dev.patel@harbour.example')
        .executeTakeFirstOrThrow();
      const ok = await chloe.submit(`/visits/${id}/edit`, `/visits/${id}/edit`, {
        kind: 'visit',
        'date-day': d!,
        'date-month': m!,
        'date-year': y!,
        startTime: hhmm(start),
        endTime: hhmm(new Date(start.getTime() + 3_600_000)),
        address: '2 Edited Road',
        postcode: 'TN23 6ED',
        caseSystem: 'liberi',
        caseId: 'EDITROUTE',
        referralType: 'self_referral',
        jointPartnerId: String(partner.id),
        description: 'Edited',
      });
      if (londonToday(new Date(start.getTime() + 3_600_000)) !== londonToday()) return; // too near midnight for a same-day edit
      assert.equal(ok.statusCode, 303, ok.body.slice(0, 500));
      assert.equal(ok.headers.location, `/visits/${id}?done=edited`);
      const session = unescapeHtml((await chloe.get(String(ok.headers.location))).body);
      assert.match(session, /harbour-rag--red">\s*RED\s*</);
      assert.ok(session.includes('Dev Patel (not yet confirmed)'));

      // The partner sees the visit and confirms; strangers still cannot see it.
      const dev = await t.signIn('dev.patel@harbour.example');
      const asPartner = await dev.get(`/visits/${id}`);
      assert.equal(asPartner.statusCode, 200);
      assert.ok(asPartner.body.includes('Confirm I am going on this joint visit'));
      const confirmed = await dev.submit(`/visits/${id}`, `/visits/${id}/joint/confirm`, {});
      assert.equal(confirmed.statusCode, 303);
      assert.ok(unescapeHtml((await chloe.get(`/visits/${id}`)).body).includes('Dev Patel (confirmed)'));
      assert.equal(
        (await chloe.submit(`/visits/${id}`, `/visits/${id}/joint/confirm`, {})).statusCode,
        403,
        'only the partner confirms',
      );
    });

    test('the session page and My day show the live rating after a flag is raised; the flag list gives its last day', async () => {
      const id = await t.services.visits.plan(
        await actorFor(t.repos.db, demo.worker),
        buildVisitForm({ referralType: 'previously_known', caseId: 'LIVE 1', postcode: 'TN23 5LV' }),
      );
      assert.match((await chloe.get(`/visits/${id}`)).body, /harbour-rag--green/);
      await t.repos.db
        .insertInto('warning_flags')
        .values({
          case_system: 'liberi',
          case_id: 'LIVE-1',
          category: 'violence',
          description: 'Raised behind the gate',
          expires_at: new Date('2099-12-11T00:00:00Z'),
        })
        .execute();
      const session = await chloe.get(`/visits/${id}`);
      assert.match(session.body, /harbour-rag--red">\s*RED\s*</, 'the session page shows the light now');
      assert.ok(session.body.includes('rated GREEN when it was planned'));
      const myDay = await chloe.get('/visits');
      assert.match(
        myDay.body,
        new RegExp(`href="/visits/${id}"[\\s\\S]*?harbour-rag--red`),
        'My day shows the light now',
      );
      const flags = unescapeHtml((await fiona.get('/risk/flags')).body);
      assert.ok(flags.includes('last day 10 December 2099'), 'the last day, not the instant it stops');
      assert.ok(!flags.includes('until 11 December 2099'));
    });
  });
});
