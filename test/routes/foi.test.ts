import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { Agent, csrfFrom, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { demoIds, type DemoIds } from './support.ts';
import { buildComplaint, buildIncident, seed003Form } from '../helpers/foi.ts';
import { actorFor } from '../helpers/lone-working.ts';

describe('FOI requests over HTTP', () => {
  let t: TestApp;
  let irene: Agent;
  let ids: DemoIds;
  const thisYear = new Date().getUTCFullYear();

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    irene = await t.signIn(demo.foi);
    // Seed 000's question from live records: three social workers assaulted this year, one by two kinds.
    const recent = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await buildIncident(t.repos.db, {
      employeeId: ids.person.chloe,
      occurredAt: recent,
      categories: ['physical_assault', 'verbal_abuse'],
      policeReported: true,
      policeOutcome: 'charged',
      courtOutcome: 'convicted',
    });
    await buildIncident(t.repos.db, { employeeId: ids.person.dev, occurredAt: recent, categories: ['verbal_abuse'] });
    await buildIncident(t.repos.db, { employeeId: ids.person.nadia, occurredAt: recent, categories: ['threats'] });
    await buildIncident(t.repos.db, {
      employeeId: ids.person.jamal,
      occurredAt: recent,
      categories: ['physical_assault'],
    }); // a youth worker
    await buildIncident(t.repos.db, {
      employeeId: ids.person.ola,
      occurredAt: recent,
      categories: ['verbal_abuse'],
      status: 'draft',
    }); // drafts never count
  });
  after(() => t.close());

  async function logSeed003(o: Record<string, string> = {}) {
    const res = await irene.submit('/foi/requests/new', '/foi/requests', seed003Form(o));
    assert.equal(res.statusCode, 303, res.body);
    const id = Number(/\/foi\/requests\/(\d+)/.exec(String(res.headers.location))![1]);
    return id;
  }

  test('the FOI officer logs seed 003: reference from the pattern, due Monday 5 March 2012 (council reading)', async () => {
    const id = await logSeed003();
    const page = await irene.get(`/foi/requests/${id}`);
    assert.equal(page.statusCode, 200);
    // The demo council already has seed 003's own FOI/12/0179: the year's sequence carries on.
    assert.match(page.body, /FOI\/12\/0180/);
    assert.match(page.body, /6 February 2012/);
    assert.match(page.body, /5 March 2012/);
    assert.match(page.body, /Sheila Hersom/);
    // Reading the requester's details is audited.
    const read = await t.repos.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'foi.requester.read')
      .where('entity_id', '=', String(id))
      .execute();
    assert.equal(read.length, 1);
  });

  test('a second request the same year gets the next number', async () => {
    const id = await logSeed003({ title: 'Second request' });
    const r = await t.repos.db
      .selectFrom('foi_requests')
      .select('reference')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(r.reference, 'FOI/12/0181');
  });

  test('a form with missing fields is shown again with the error summary and what was typed', async () => {
    const res = await irene.submit(
      '/foi/requests/new',
      '/foi/requests',
      seed003Form({ requesterName: '', questions: '', receivedOn: '2012-02-31' }),
    );
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /govuk-error-summary/);
    assert.match(res.body, /href="#requesterName"/);
    assert.match(res.body, /href="#questions"/);
    assert.match(res.body, /href="#receivedOn"/);
    assert.match(res.body, /sheila@example.org/);
  });

  test('dates are GOV.UK date boxes everywhere in FOI: every error at once, each naming its field, dates written as people write them', async () => {
    const form = await irene.get('/foi/requests/new');
    assert.match(form.body, /name="receivedOn-day"/);
    assert.doesNotMatch(form.body, /type="date"/);
    // A future date is reported with the other errors, not after them.
    const future = `${thisYear + 1}`;
    const { receivedOn: _, ...rest } = seed003Form();
    const bad = await irene.submit('/foi/requests/new', '/foi/requests', {
      ...rest,
      requesterName: '',
      'receivedOn-day': '4',
      'receivedOn-month': '2',
      'receivedOn-year': future,
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /href="#requesterName"/);
    assert.match(bad.body, /href="#receivedOn-day">The date received must be today or in the past/);
    assert.match(bad.body, new RegExp(`name="receivedOn-year" type="text" value="${future}"`));
    const unreal = await irene.submit('/foi/requests/new', '/foi/requests', {
      ...rest,
      'receivedOn-day': '31',
      'receivedOn-month': '2',
      'receivedOn-year': '2012',
    });
    assert.match(unreal.body, /href="#receivedOn-day">The date received must be a real date/);
    const ok = await irene.submit('/foi/requests/new', '/foi/requests', {
      ...rest,
      'receivedOn-day': '4',
      'receivedOn-month': '2',
      'receivedOn-year': '2012',
    });
    assert.equal(ok.statusCode, 303, ok.body);
    const id = Number(/\/foi\/requests\/(\d+)/.exec(String(ok.headers.location))![1]);
    assert.match(String(ok.headers.location), /done=created/);
    const page = await irene.get(String(ok.headers.location));
    assert.match(page.body, /govuk-notification-banner--success[\s\S]*Request logged/);
    assert.doesNotMatch(page.body, /type="date"/);

    // The clock event form: a date before the request arrived names the field and the day in words.
    const csrf = csrfFrom(page.body);
    const early = await irene.post(`/foi/requests/${id}/events`, {
      _csrf: csrf,
      kind: 'clarification_sought',
      'on-day': '1',
      'on-month': '1',
      'on-year': '2012',
    });
    assert.equal(early.statusCode, 400);
    assert.match(
      early.body,
      /href="#on-day">The date it happened must be on or after the day the request was received, 4 February 2012/,
    );
    const none = await irene.post(`/foi/requests/${id}/events`, {
      _csrf: csrf,
      kind: '',
      'on-day': '',
      'on-month': '',
      'on-year': '',
      'targetDate-day': '40',
      'targetDate-month': '1',
      'targetDate-year': '2012',
    });
    assert.match(none.body, /href="#kind"/);
    assert.match(none.body, /href="#on-day">Enter the date it happened/);
    assert.match(none.body, /href="#targetDate-day">The new target date must be a real date/);
    const event = await irene.post(`/foi/requests/${id}/events`, {
      _csrf: csrf,
      kind: 'clarification_sought',
      'on-day': '6',
      'on-month': '2',
      'on-year': '2012',
    });
    assert.equal(event.statusCode, 303, event.body);

    // Statistic filters: custom dates in boxes, shown back in boxes; an impossible one names its field.
    const stat = await irene.get(
      '/foi/statistics/staff-dismissed?period=custom&from-day=1&from-month=4&from-year=2016&to-day=31&to-month=3&to-year=2021',
    );
    assert.equal(stat.statusCode, 200, stat.body);
    assert.match(stat.body, /From 1 April 2016 to 31 March 2021/);
    assert.match(stat.body, /name="from-month" type="text" value="4"/);
    const wrong = await irene.get(
      '/foi/statistics/staff-dismissed?period=custom&from-day=1&from-month=13&from-year=2016&to-day=&to-month=&to-year=',
    );
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /href="#from-day">The start date must be a real date/);
    assert.match(wrong.body, /href="#to-day">Enter the end date/);
    // An answer's custom period: errors name that question's boxes.
    const qs = await t.repos.db
      .selectFrom('foi_questions')
      .select('id')
      .where('request_id', '=', id)
      .orderBy('position')
      .execute();
    const answer = await irene.post(`/foi/requests/${id}/questions/${qs[0]!.id}`, {
      _csrf: csrf,
      outcome: 'provided',
      statistic: 'staff-dismissed',
      period: 'custom',
      'from-day': '1',
      'from-month': '4',
      'from-year': '2016',
      'to-day': '',
      'to-month': '',
      'to-year': '',
    });
    assert.equal(answer.statusCode, 400);
    assert.match(answer.body, new RegExp(`href="#q${qs[0]!.id}-to-day"`));
    assert.equal(
      (
        await irene.post(`/foi/requests/${id}/questions/${qs[0]!.id}`, {
          _csrf: csrf,
          outcome: 'provided',
          statistic: 'staff-dismissed',
          period: 'custom',
          'from-day': '1',
          'from-month': '4',
          'from-year': '2016',
          'to-day': '31',
          'to-month': '3',
          'to-year': '2021',
        })
      ).statusCode,
      303,
    );
    const saved = await irene.get(`/foi/requests/${id}?done=answered`);
    assert.match(saved.body, /Answer saved/);
    assert.match(saved.body, new RegExp(`id="q${qs[0]!.id}-to-year" name="to-year" type="text" value="2021"`));
  });

  test('only the FOI team sees requests and statistics', async () => {
    for (const who of [demo.worker, demo.admin, demo.complaints, demo.healthAndSafety]) {
      const agent = await t.signIn(who);
      assert.equal((await agent.get('/foi')).statusCode, 403, who);
      assert.equal((await agent.get('/foi/statistics/staff-assaulted')).statusCode, 403, who);
    }
  });

  test('a statistic page shows the published figures with small numbers protected, and the raw ones marked not for release', async () => {
    const res = await irene.get('/foi/statistics/staff-assaulted?period=last_years&years=1&jobRole=social_workers');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /\[c\]/);
    assert.match(res.body, /Not for release/);
    // Three social workers (Jamal is a youth worker and excluded by the filter).
    assert.match(res.body, />\s*3\s*</);
  });

  test('the catalogue and a statistic opened without a filter speak the question: no internal labels, the job role it names preset', async () => {
    const list = await irene.get('/foi/statistics');
    assert.equal(list.statusCode, 200);
    assert.doesNotMatch(list.body, /Seed 00/);
    const page = await irene.get('/foi/statistics/complaints-by-year');
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /<option value="social_workers" selected>/);
    assert.match(page.body, /Investigated and concluded/);
    assert.match(page.body, /Still open/);
  });

  test('CSV and ODS downloads carry only the protected figures', async () => {
    const csv = await irene.get('/foi/statistics/police-and-prosecutions/data.csv?period=last_years&years=1');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    assert.match(csv.body, /Assaults reported to the police/);
    assert.match(csv.body, /\[c\]/);
    assert.doesNotMatch(csv.body.split('\n').slice(1).join('\n'), /,1(,|\r?\n|$)/, 'the count of 1 is not published');
    const ods = await irene.get('/foi/statistics/police-and-prosecutions/data.ods?period=last_years&years=1');
    assert.equal(ods.statusCode, 200);
    assert.equal(ods.rawPayload.subarray(0, 2).toString(), 'PK');
  });

  test('GET /api/v1/statistics/<name> answers JSON through disclosure control; a bad filter is a 400 with the reason', async () => {
    const { token } = await t.services.auth.createApiToken(null, ids.account(demo.foi), 'foi test', null);
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/statistics/assaults-by-type?period=last_years&years=1',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { name: string; table: { columns: string[]; rows: { cells: string[] }[] } };
    assert.equal(body.name, 'assaults-by-type');
    assert.ok(body.table.columns.includes('Physical assault'));
    assert.ok(body.table.rows.flatMap((r) => r.cells).includes('[c]'));
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/statistics/assaults-by-type?period=custom&from=2020-01-01',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(bad.statusCode, 400);
    const unknown = await t.app.inject({
      method: 'GET',
      url: '/api/v1/statistics/no-such-thing',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(unknown.statusCode, 404);
  });

  test('a table that cannot be protected by year is published over the whole period, and the page, API and CSV say so', async () => {
    // Two, two and one assaults by type this year, none last year: every year's figures would be withheld.
    const q = 'period=last_years&years=1';
    const page = await irene.get(`/foi/statistics/assaults-by-type?${q}`);
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /Published at a coarser level to protect the people counted/);
    assert.match(page.body, /Financial years merged into one period/);
    const { token } = await t.services.auth.createApiToken(null, ids.account(demo.foi), 'foi coarse', null);
    const api = await t.app.inject({
      method: 'GET',
      url: `/api/v1/statistics/assaults-by-type?${q}`,
      headers: { authorization: `Bearer ${token}` },
    });
    const body = api.json() as { table: { coarsened: string[]; rows: { label: string }[] } };
    assert.deepEqual(body.table.coarsened, ['Financial years merged into one period']);
    assert.equal(body.table.rows.length, 1);
    assert.match(body.table.rows[0]!.label, /^\d{1,2} \w+ \d{4} to \d{1,2} \w+ \d{4}$/);
    const csv = await irene.get(`/foi/statistics/assaults-by-type/data.csv?${q}`);
    assert.match(csv.body, /Published at a coarser level/);
  });

  test('concerns raised by staff: a choice on the statistic and the answer, on by default where the question says "staff or service users", kept in the saved answer and said beside the figures', async () => {
    // Six concerns raised by staff about a social worker this year.
    const day = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < 6; i++)
      await buildComplaint(t.repos.db, {
        receivedOn: day,
        staffIds: [ids.person.chloe],
        procedure: 'staff_grievance',
        household: `staff-${i}`,
      });
    const actor = await actorFor(t.repos.db, demo.foi);
    const raw = async (staffConcerns: boolean) =>
      (
        await t.services.foi.statistic(actor, 'complaints-about-staff', {
          period: { period: 'last_years', years: 1 },
          teamId: null,
          serviceId: null,
          jobRole: 'social_workers',
          staffConcerns,
        })
      ).raw.grandTotal!.value!;
    assert.equal((await raw(true)) - (await raw(false)), 6);

    // The statistic on its own counts them (seed 003 asks about concerns from staff); leaving them out is a choice, and the page says which.
    const page = await irene.get(
      '/foi/statistics/complaints-about-staff?period=last_years&years=1&jobRole=social_workers',
    );
    assert.equal(page.statusCode, 200, page.body);
    assert.match(
      page.body,
      /<input class="govuk-radios__input" id="staffConcerns" name="staffConcerns" type="radio" value="yes" checked>/,
    );
    assert.match(page.body, /and concerns raised by staff \(the staff grievance procedure\)/);
    const without = await irene.get(
      '/foi/statistics/complaints-about-staff?period=last_years&years=1&jobRole=social_workers&staffConcerns=no',
    );
    assert.match(without.body, /id="staffConcerns-2" name="staffConcerns" type="radio" value="no" checked>/);
    assert.match(without.body, /Concerns raised by staff \(the staff grievance procedure\) are not included/);
    assert.match(
      (await irene.get('/foi/statistics/complaints-about-staff/data.csv?period=last_years&years=1&staffConcerns=no'))
        .body,
      /are not included/,
    );
    assert.equal((await irene.get('/foi/statistics/complaints-about-staff?staffConcerns=maybe')).statusCode, 400);

    // Seed 003's second question says "service users or staff": answered with no choice made, staff count; the first's does not.
    const id = await logSeed003({
      title: 'Staff concerns',
      questions:
        'Please can you supply statistics for the last 5 years where concerns or complaints have been raised on a social worker?\nHave any of the social workers, over the last 5 years, had two or more concerns or complaints made against them from unrelated service users or staff?',
    });
    const all = await t.repos.db
      .selectFrom('foi_questions')
      .select(['id', 'text'])
      .where('request_id', '=', id)
      .orderBy('position')
      .execute();
    const qs = [all.find((q) => !/staff/.test(q.text))!, all.find((q) => /service users or staff/.test(q.text))!];
    const form = await irene.get(`/foi/requests/${id}`);
    const csrf = csrfFrom(form.body);
    assert.match(
      form.body,
      new RegExp(`id="q${qs[1]!.id}-staffConcerns" name="staffConcerns" type="radio" value="yes" checked`),
    );
    assert.match(
      form.body,
      new RegExp(`id="q${qs[0]!.id}-staffConcerns-2" name="staffConcerns" type="radio" value="no" checked`),
    );
    const body = {
      _csrf: csrf,
      outcome: 'provided',
      statistic: 'complaints-about-staff',
      period: 'last_years',
      years: '1',
      jobRole: 'social_workers',
    };
    assert.equal((await irene.post(`/foi/requests/${id}/questions/${qs[1]!.id}`, body)).statusCode, 303);
    assert.equal((await irene.post(`/foi/requests/${id}/questions/${qs[0]!.id}`, body)).statusCode, 303);
    const saved = await t.repos.db
      .selectFrom('foi_questions')
      .select(['id', 'statistic_params', 'snapshot'])
      .where(
        'id',
        'in',
        qs.map((q) => q.id),
      )
      .orderBy('position')
      .execute();
    const kept = saved.map((q) => [
      (q.statistic_params as { staffConcerns: boolean }).staffConcerns,
      (q.snapshot as { scope: { staffConcerns: boolean } }).scope.staffConcerns,
    ]);
    assert.deepEqual(kept, [
      [false, false],
      [true, true],
    ]);
    const after = await irene.get(`/foi/requests/${id}?done=answered`);
    assert.match(after.body, /and concerns raised by staff \(the staff grievance procedure\)/);
    assert.match(after.body, /are not included/);
  });

  test('answer from a statistic → response sent (snapshot) → draft letter and .docx → published without the requester', async () => {
    const id = await logSeed003({ receivedOn: `${thisYear}-01-05`, title: 'Staff assaults' });
    const q = await t.repos.db
      .selectFrom('foi_questions')
      .select('id')
      .where('request_id', '=', id)
      .orderBy('position')
      .execute();
    const page = await irene.get(`/foi/requests/${id}`);
    const csrf = csrfFrom(page.body);
    // An exempt answer with no section: the question's own field is pointed at.
    const invalid = await irene.post(`/foi/requests/${id}/questions/${q[1]!.id}`, { _csrf: csrf, outcome: 'exempt' });
    assert.equal(invalid.statusCode, 400);
    assert.match(invalid.body, new RegExp(`href="#q${q[1]!.id}-exemption"`));
    const answered = await irene.post(`/foi/requests/${id}/questions/${q[0]!.id}`, {
      _csrf: csrf,
      outcome: 'provided',
      answer: 'Please see the table below.',
      statistic: 'staff-assaulted',
      period: 'last_years',
      years: '1',
      jobRole: 'social_workers',
    });
    assert.equal(answered.statusCode, 303);
    const refused = await irene.post(`/foi/requests/${id}/questions/${q[1]!.id}`, {
      _csrf: csrf,
      outcome: 'exempt',
      exemption: 's12',
    });
    assert.equal(refused.statusCode, 303);
    assert.equal(
      (
        await irene.post(`/foi/requests/${id}/cost`, {
          _csrf: csrf,
          determining: '2',
          locating: '10',
          retrieving: '5',
          extracting: '3',
        })
      ).statusCode,
      303,
    );

    const draft = await irene.get(`/foi/requests/${id}/response`);
    assert.equal(draft.statusCode, 200);
    assert.match(draft.body, /Dear Sheila Hersom/);
    assert.match(draft.body, /\[c\]/);
    assert.match(draft.body, /£500, which exceeds the £450 cost limit \(18 hours\)/);
    assert.match(draft.body, /40 working days/);
    assert.match(draft.body, /Open Government Licence/);
    assert.match(draft.body, /ico\.org\.uk/);
    const reads = await t.repos.db
      .selectFrom('audit_log')
      .select('detail')
      .where('action', '=', 'foi.requester.read')
      .where('entity_id', '=', String(id))
      .execute();
    assert.ok(
      reads.some((r) => (r.detail as { via?: string }).via === 'draft response'),
      'the draft shows the requester: the read is audited',
    );
    const docx = await irene.get(`/foi/requests/${id}/response.docx`);
    assert.equal(docx.statusCode, 200);
    assert.match(String(docx.headers['content-type']), /wordprocessingml/);
    assert.equal(docx.rawPayload.subarray(0, 2).toString(), 'PK');

    // Publishing before the response is sent is refused.
    assert.equal((await irene.post(`/foi/requests/${id}/publish`, { _csrf: csrf })).statusCode, 400);
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(
      (await irene.post(`/foi/requests/${id}/events`, { _csrf: csrf, kind: 'response_sent', on: today })).statusCode,
      303,
    );
    const snap = await t.repos.db
      .selectFrom('foi_questions')
      .select(['snapshot', 'snapshot_at'])
      .where('id', '=', q[0]!.id)
      .executeTakeFirstOrThrow();
    assert.ok(snap.snapshot_at, 'the statistic is snapshotted as sent');
    // A new incident after sending does not change the answer as sent.
    await buildIncident(t.repos.db, {
      employeeId: ids.person.owen,
      occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
      categories: ['physical_assault'],
    });
    const after = await t.repos.db
      .selectFrom('foi_questions')
      .select('snapshot')
      .where('id', '=', q[0]!.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(after.snapshot, snap.snapshot);

    assert.equal((await irene.post(`/foi/requests/${id}/publish`, { _csrf: csrf })).statusCode, 303);
    const stored = await t.repos.db
      .selectFrom('foi_disclosures')
      .select(['letter', 'datasets'])
      .where('request_id', '=', id)
      .executeTakeFirstOrThrow();
    const cells = (
      stored.datasets as { table: { rows: { cells: { value: number | null; suppressed: string | null }[] }[] } }[]
    ).flatMap((d) => d.table.rows.flatMap((r) => r.cells));
    assert.ok(
      cells.some((c) => c.suppressed),
      'the dataset has protected cells',
    );
    assert.ok(
      cells.filter((c) => c.suppressed).every((c) => c.value === null),
      'the disclosure log stores no withheld value',
    );
    assert.doesNotMatch(JSON.stringify(stored.letter), /Sheila|Hersom/);
    const anonymous = t.agent();
    const log = await anonymous.get('/foi/disclosure-log');
    assert.equal(log.statusCode, 200);
    assert.match(log.body, /Staff assaults/);
    const entry = await anonymous.get(`/foi/disclosure-log/${id}`);
    assert.equal(entry.statusCode, 200);
    assert.doesNotMatch(entry.body, /Sheila|Hersom|sheila@example\.org/);
    assert.match(entry.body, /Dear Requester/);
    const dataset = await anonymous.get(`/foi/disclosure-log/${id}/datasets/${q[0]!.id}/data.csv`);
    assert.equal(dataset.statusCode, 200);
    assert.match(dataset.body, /\[c\]/);
  });

  test('clock events: clarification stops the clock, a public interest extension shows both dates', async () => {
    const id = await logSeed003();
    const csrf = csrfFrom((await irene.get(`/foi/requests/${id}`)).body);
    assert.equal(
      (await irene.post(`/foi/requests/${id}/events`, { _csrf: csrf, kind: 'clarification_sought', on: '2012-02-08' }))
        .statusCode,
      303,
    );
    assert.match((await irene.get(`/foi/requests/${id}`)).body, /Clock stopped: waiting for clarification/);
    assert.equal(
      (
        await irene.post(`/foi/requests/${id}/events`, {
          _csrf: csrf,
          kind: 'clarification_received',
          on: '2012-02-13',
        })
      ).statusCode,
      303,
    );
    assert.match((await irene.get(`/foi/requests/${id}`)).body, /12 March 2012/);
    const noTarget = await irene.post(`/foi/requests/${id}/events`, {
      _csrf: csrf,
      kind: 'pi_extension',
      on: '2012-03-01',
    });
    assert.equal(noTarget.statusCode, 400);
    assert.match(noTarget.body, /href="#targetDate"/);
    assert.equal(
      (
        await irene.post(`/foi/requests/${id}/events`, {
          _csrf: csrf,
          kind: 'pi_extension',
          on: '2012-03-01',
          targetDate: '2012-04-10',
        })
      ).statusCode,
      303,
    );
    const page = (await irene.get(`/foi/requests/${id}`)).body;
    assert.match(page, /Refusal notice \(s17\) due/);
    assert.match(page, /10 April 2012/);
  });

  test('an EIR request: no public interest extension; the regulation 7 extension to 40 working days, told within the first 20', async () => {
    const id = await logSeed003({ regime: 'eir', title: 'Environmental information, EIR' });
    const page = (await irene.get(`/foi/requests/${id}`)).body;
    assert.match(page, /20th working day \(reg\. 5\(2\)\)/);
    assert.doesNotMatch(page, /<option value="pi_extension"/, 'not offered under the EIR');
    const csrf = csrfFrom(page);
    const pi = await irene.post(`/foi/requests/${id}/events`, {
      _csrf: csrf,
      kind: 'pi_extension',
      on: '2012-02-20',
      targetDate: '2012-04-10',
    });
    assert.equal(pi.statusCode, 400);
    assert.match(pi.body, /href="#kind"/);
    assert.match(pi.body, /The EIR have no public interest extension/);
    const late = await irene.post(`/foi/requests/${id}/events`, {
      _csrf: csrf,
      kind: 'eir_extension',
      on: '2012-03-06',
    });
    assert.equal(late.statusCode, 400, 'after the 20th working day');
    assert.match(late.body, /within 20 working days, by 5 March 2012/);
    assert.equal(
      (await irene.post(`/foi/requests/${id}/events`, { _csrf: csrf, kind: 'eir_extension', on: '2012-02-20' }))
        .statusCode,
      303,
    );
    const extended = (await irene.get(`/foi/requests/${id}`)).body;
    assert.match(extended, /complex and voluminous \(reg\. 7\(1\)\)/);
    assert.match(extended, /3 April 2012/);
    const stored = await t.repos.db
      .selectFrom('foi_requests')
      .select(sql<string>`response_due_on::text`.as('due'))
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.due, '2012-04-03', 'the stored due date the dashboard and reminders use');

    const foiId = await logSeed003();
    const foiCsrf = csrfFrom((await irene.get(`/foi/requests/${foiId}`)).body);
    const wrong = await irene.post(`/foi/requests/${foiId}/events`, {
      _csrf: foiCsrf,
      kind: 'eir_extension',
      on: '2012-02-20',
    });
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /for environmental information \(EIR\) requests only/);
  });

  test('the dashboard counts overdue requests and the percentage answered on time', async () => {
    const res = await irene.get('/foi');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /id="overdue">\d+</);
    assert.match(res.body, /Answered on time, by month due/);
    // The response sent in the test above went months after its due date: 0% on time that month.
    assert.match(res.body, />0%</);
  });

  test('the register pages 50 at a time with no cap, searches by reference or title, and filters by status and assignee', async () => {
    await sql`INSERT INTO foi_requests (reference, ref_year, ref_seq, regime, title, received_at, received_on, channel, status, closed_at)
      SELECT 'OLD/' || g, 1999, g, 'foi', 'Archived request number ' || g, '1999-06-01T09:00:00Z', '1999-06-01', 'email', 'closed', '1999-07-01T09:00:00Z'
      FROM generate_series(1, 60) g`.execute(t.repos.db);
    const total = Number(
      (
        await t.repos.db
          .selectFrom('foi_requests')
          .select(sql<string>`count(*)`.as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const first = await irene.get('/foi');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, new RegExp(`Showing 1 to 50 of ${total} requests`));
    assert.match(first.body, /href="\/foi\?page=2"/);
    const last = await irene.get(`/foi?page=${Math.ceil(total / 50)}`);
    assert.match(
      last.body,
      new RegExp(`Showing ${Math.floor((total - 1) / 50) * 50 + 1} to ${total} of ${total} requests`),
    );
    const closed = await irene.get('/foi?status=closed&q=archived');
    assert.match(closed.body, /Showing 1 to 50 of 60 requests/);
    assert.match(closed.body, /href="\/foi\?q=archived&amp;status=closed&amp;page=2"/);
    const one = await irene.get('/foi?q=OLD%2F17');
    assert.match(one.body, /Showing 1 request</);
    assert.match(one.body, /Archived request number 17</);
    const open = await irene.get('/foi?status=open&q=archived');
    assert.match(open.body, /No requests/);
    const irenes = await actorFor(t.repos.db, demo.foi);
    const mine = await irene.get(`/foi?assignee=${irenes.staffId}`);
    assert.doesNotMatch(mine.body, /Archived request/);
    // Odd input is a page 1 or an ignored filter, never a server error.
    for (const url of [
      '/foi?page=abc',
      '/foi?q=a&q=b',
      '/foi?status=nonsense',
      '/foi?q=%25_',
      '/foi/disclosure-log?page=-1',
    ])
      assert.equal((await irene.get(url)).statusCode, 200, url);
    assert.match(
      (await irene.get('/foi/disclosure-log')).body,
      /Showing 1 to \d+ of \d+ responses|Showing 1 response<|No responses/,
    );
  });

  test('reminders go to the assignee once per deadline', async () => {
    const irenes = await actorFor(t.repos.db, demo.foi);
    const received = new Date(Date.now() - 27 * 86_400_000).toISOString().slice(0, 10);
    const id = await logSeed003({ receivedOn: received, title: 'Overdue soon' });
    await t.repos.db.updateTable('foi_requests').set({ assignee_id: irenes.staffId }).where('id', '=', id).execute();
    const first = await t.services.foi.sendReminders();
    assert.ok(first.sent >= 1);
    const inbox = await t.repos.db
      .selectFrom('notifications')
      .select('subject')
      .where('recipient_id', '=', irenes.staffId!)
      .where('subject', 'like', '%FOI/%')
      .execute();
    assert.ok(inbox.length >= 1);
    const again = await t.services.foi.sendReminders();
    assert.equal(again.sent, 0);
  });
});
