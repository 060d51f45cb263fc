/**
 * Complaints about staff, through the pages with CSRF on: recording (400 with every problem and the
 * input kept), stages and deadlines, findings and the derived outcome, actions and a disciplinary
 * outcome, referrals, attachments, patterns, statistics and their exports, the historic import.
 * Access: only the complaints team and senior managers see complaints; each read is audited; the
 * staff named are told.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as XLSX from 'xlsx';
import type { LightMyRequestResponse } from 'fastify';
import { Agent, csrfFrom, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { followImport } from '../helpers/imports.ts';
import { demoIds, errorLinks, inputValue, textareaValue, type DemoIds } from './support.ts';
import { londonToday } from '../../src/time/london.ts';

function assertFormErrors(res: LightMyRequestResponse, fields: string[]) {
  assert.equal(res.statusCode, 400, `expected 400, got ${res.statusCode}: ${res.body.slice(0, 300)}`);
  assert.match(res.body, /<title>Error: /);
  const links = errorLinks(res).filter((l) => l !== 'main-content');
  assert.deepEqual([...links].sort(), [...fields].sort(), 'the summary links to exactly the fields with errors');
  for (const field of fields)
    assert.match(res.body, new RegExp(`\\bid="${field}"`), `#${field} must exist on the page`);
}
const dateBoxes = (name: string, iso: string) => ({
  [`${name}-day`]: String(Number(iso.slice(8, 10))),
  [`${name}-month`]: String(Number(iso.slice(5, 7))),
  [`${name}-year`]: iso.slice(0, 4),
});

describe('complaints', () => {
  let t: TestApp;
  let ids: DemoIds;
  let gareth: Agent, helen: Agent, fiona: Agent, chloe: Agent, irene: Agent;
  let complaintId: number;

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    [gareth, helen, fiona, chloe, irene] = await Promise.all([
      t.signIn(demo.complaints),
      t.signIn(demo.serviceManager),
      t.signIn(demo.healthAndSafety),
      t.signIn(demo.worker),
      t.signIn(demo.foi),
    ]);
  });
  after(() => t.close());

  const record = (fields: Record<string, string | string[]>) => gareth.submit('/complaints/new', '/complaints', fields);
  const validComplaint = (over: Record<string, string | string[]> = {}) => ({
    ...dateBoxes('receivedOn', '2026-01-05'),
    channel: 'letter',
    procedure: 'statutory_children',
    complainantType: 'parent_carer',
    complainantName: 'Pat Parent',
    complainantContact: '1 Secret Road, Ashford, 07700 900 555',
    household: 'Parent family',
    teamId: String(ids.team.ashford),
    staffIds: [String(ids.person.chloe)],
    allegations: ['pl_b', 'ca_d'],
    summary: 'Did not listen to the school',
    ...over,
  });

  test('recording: every problem at once, the input kept; a late complaint needs a reason', async () => {
    const empty = await record({ summary: 'Kept <this>' });
    assertFormErrors(empty, ['receivedOn-day', 'staffIds', 'allegations', 'channel', 'procedure', 'complainantType']);
    assert.equal(textareaValue(empty.body, 'summary'), 'Kept <this>');

    const late = await record(validComplaint({ ...dateBoxes('matterOn', '2024-12-01') }));
    assertFormErrors(late, ['lateReason']);
    assert.equal(inputValue(late.body, 'complainantName'), 'Pat Parent');
    assert.match(
      late.body,
      new RegExp(`value="${ids.person.chloe}" selected`),
      'the member of staff chosen stays chosen',
    );

    const unknown = await record(validComplaint({ otherStaff: 'e1001, NOBODY9' }));
    assertFormErrors(unknown, ['otherStaff']);
    assert.match(unknown.body, /Not in Harbour: NOBODY9/);
    assert.equal(inputValue(unknown.body, 'otherStaff'), 'e1001, NOBODY9');
  });

  test('recording a complaint opens stage 1 with its deadline and tells the member of staff named', async () => {
    const res = await record(validComplaint());
    assert.equal(res.statusCode, 303, res.body.slice(0, 500));
    const m = /^\/complaints\/(\d+)\?done=recorded$/.exec(String(res.headers.location));
    assert.ok(m);
    complaintId = Number(m[1]);
    const page = await gareth.get(`/complaints/${complaintId}`);
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('1 Secret Road'), 'the complaints team sees the contact details');
    assert.ok(page.body.includes('19 January 2026'), 'stage 1 response due 10 working days after 5 January 2026');
    const told = await t.repos.db
      .selectFrom('notifications')
      .select(['subject', 'body'])
      .where('recipient_id', '=', ids.person.chloe)
      .where('subject', 'like', 'A complaint has been made about you%')
      .execute();
    assert.equal(told.length, 1);
    assert.ok(
      !told[0]!.body.includes('Secret Road') && !told[0]!.body.includes('Pat Parent'),
      'the member of staff is not given the complainant’s details',
    );
  });

  test('who may see it: complaints team and senior managers; not health and safety, the worker named, FOI or admin. Every read is audited', async () => {
    const before = await t.repos.db
      .selectFrom('audit_log')
      .select('id')
      .where('action', '=', 'complaint.view')
      .where('entity_id', '=', String(complaintId))
      .execute();
    assert.equal((await helen.get(`/complaints/${complaintId}`)).statusCode, 200);
    const after = await t.repos.db
      .selectFrom('audit_log')
      .select(['id', 'actor_label'])
      .where('action', '=', 'complaint.view')
      .where('entity_id', '=', String(complaintId))
      .execute();
    assert.equal(after.length, before.length + 1);
    assert.equal(after.at(-1)!.actor_label, demo.serviceManager);
    for (const agent of [fiona, chloe, irene, await t.signIn(demo.admin), await t.signIn(demo.teamManager)]) {
      assert.equal((await agent.get(`/complaints/${complaintId}`)).statusCode, 403);
      assert.equal((await agent.get('/complaints')).statusCode, 403);
    }
    assert.equal(
      (await helen.submit(`/complaints/${complaintId}`, `/complaints/${complaintId}/findings`, {})).statusCode,
      403,
      'senior managers see but do not record',
    );
    assert.equal((await irene.get('/complaints/statistics')).statusCode, 200, 'the FOI officer sees the statistics');
    assert.ok(!(await irene.get('/complaints/statistics')).body.includes('Chloe'), 'statistics name nobody');
  });

  test('stage 1 → extension → response → stage 2 → findings → disciplinary outcome', async () => {
    const url = `/complaints/${complaintId}`;
    const tooFar = await gareth.submit(url, `${url}/stages/1/extension`, {
      ...dateBoxes('extendTo', '2026-02-03'),
      extensionReason: 'Complex',
    });
    assertFormErrors(tooFar, ['extendTo-day']);
    assert.match(tooFar.body, /at most 20 working days: 2026-02-02/);
    assert.equal(
      (
        await gareth.submit(url, `${url}/stages/1/extension`, {
          ...dateBoxes('extendTo', '2026-02-02'),
          extensionReason: 'Complex',
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (
        await gareth.submit(url, `${url}/stages/1/dates`, {
          what: 'responded',
          ...dateBoxes('milestoneOn', '2026-01-28'),
        })
      ).statusCode,
      303,
    );

    const noPeople = await gareth.submit(url, `${url}/stage-2`, { ...dateBoxes('stage2StartedOn', '2026-02-04') });
    assertFormErrors(noPeople, ['investigatingOfficer', 'independentPerson']);
    assert.equal(
      (
        await gareth.submit(url, `${url}/stage-2`, {
          ...dateBoxes('stage2StartedOn', '2026-02-04'),
          investigatingOfficer: 'Ivy Investigator',
          independentPerson: 'Ian Independent',
        })
      ).statusCode,
      303,
    );
    const page = await gareth.get(url);
    assert.ok(page.body.includes('Ivy Investigator'));
    assert.ok(page.body.includes('11 March 2026'), 'stage 2 response due 25 working days after 4 February 2026');

    const allegations = await t.repos.complaints.allegations(complaintId);
    const missing = await gareth.submit(url, `${url}/findings`, {
      [`finding-${allegations[0]!.id}`]: 'upheld',
      ...dateBoxes('findingsOn', '2026-03-02'),
    });
    assertFormErrors(missing, [`finding-${allegations[1]!.id}`]);
    assert.equal(
      (
        await gareth.submit(url, `${url}/findings`, {
          [`finding-${allegations[0]!.id}`]: 'upheld',
          [`finding-${allegations[1]!.id}`]: 'not_upheld',
          ...dateBoxes('findingsOn', '2026-03-02'),
        })
      ).statusCode,
      303,
    );
    assert.ok((await gareth.get(url)).body.includes('Partially upheld'));

    assertFormErrors(
      await gareth.submit(url, `${url}/actions`, { actionKind: 'disciplinary_investigation', actionStaffId: '' }),
      ['actionStaffId'],
    );
    assert.equal(
      (
        await gareth.submit(url, `${url}/actions`, {
          actionKind: 'disciplinary_investigation',
          actionStaffId: String(ids.person.chloe),
          actionDetail: 'Formal',
        })
      ).statusCode,
      303,
    );
    const [action] = await t.repos.complaints.actions(complaintId);
    assertFormErrors(await gareth.submit(url, `${url}/actions/${action!.id}/outcome`, {}), [
      `outcome-${action!.id}`,
      `outcomeOn-${action!.id}-day`,
    ]);
    assert.equal(
      (
        await gareth.submit(url, `${url}/actions/${action!.id}/outcome`, {
          [`outcome-${action!.id}`]: 'final_warning',
          ...dateBoxes(`outcomeOn-${action!.id}`, '2026-04-01'),
        })
      ).statusCode,
      303,
    );
    assert.ok((await gareth.get(url)).body.includes('Final warning'));

    assert.equal(
      (
        await gareth.submit(url, `${url}/referrals`, {
          referralBody: 'lgsco',
          ...dateBoxes('referredOn', '2026-04-10'),
          decision: 'No fault found',
          ...dateBoxes('decidedOn', '2026-06-01'),
        })
      ).statusCode,
      303,
    );
    assert.equal(
      (await gareth.submit(url, `${url}/referrals`, { referralBody: 'swe', ...dateBoxes('referredOn', '2026-04-11') }))
        .statusCode,
      303,
    );
    const swe = (await t.repos.complaints.referrals(complaintId)).find((r) => r.body === 'swe')!;
    assertFormErrors(
      await gareth.submit(url, `${url}/referrals/${swe.id}/decision`, {
        ...dateBoxes(`decidedOn-${swe.id}`, '2026-04-01'),
      }),
      [`decision-${swe.id}`],
    );
    assertFormErrors(
      await gareth.submit(url, `${url}/referrals/${swe.id}/decision`, {
        [`decision-${swe.id}`]: 'No case to answer',
        ...dateBoxes(`decidedOn-${swe.id}`, '2026-04-01'),
      }),
      [`decidedOn-${swe.id}-day`],
    );
    assert.equal(
      (
        await gareth.submit(url, `${url}/referrals/${swe.id}/decision`, {
          [`decision-${swe.id}`]: 'No case to answer',
          ...dateBoxes(`decidedOn-${swe.id}`, '2026-05-01'),
        })
      ).statusCode,
      303,
    );
    assert.equal((await gareth.submit(url, `${url}/learning`, { learning: 'Listen to schools' })).statusCode, 303);
    const final = await gareth.get(url);
    assert.ok(
      final.body.includes('Local Government and Social Care Ombudsman') &&
        final.body.includes('Listen to schools') &&
        final.body.includes('No case to answer'),
    );
  });

  test('naming another member of staff after recording: by employee number, told without the complainant’s details; unknown or already named is refused with the input kept', async () => {
    const url = `/complaints/${complaintId}`;
    // Ola: named on no other complaint here, so the pattern and statistics tests below are unchanged.
    const olaNumber = (
      await t.repos.db
        .selectFrom('staff')
        .select('employee_number')
        .where('id', '=', ids.person.ola)
        .executeTakeFirstOrThrow()
    ).employee_number;
    const unknown = await gareth.submit(url, `${url}/staff`, { staffNumber: 'nobody9' });
    assertFormErrors(unknown, ['staffNumber']);
    assert.match(unknown.body, /Not in Harbour: NOBODY9/);
    assert.equal(inputValue(unknown.body, 'staffNumber'), 'nobody9');
    assertFormErrors(await gareth.submit(url, `${url}/staff`, { staffNumber: '' }), ['staffNumber']);
    const chloeNumber = (
      await t.repos.db
        .selectFrom('staff')
        .select('employee_number')
        .where('id', '=', ids.person.chloe)
        .executeTakeFirstOrThrow()
    ).employee_number;
    const twice = await gareth.submit(url, `${url}/staff`, { staffNumber: chloeNumber });
    assertFormErrors(twice, ['staffNumber']);
    assert.match(twice.body, /already named/);
    assert.equal(
      (await helen.submit(url, `${url}/staff`, { staffNumber: olaNumber })).statusCode,
      403,
      'senior managers read; only the complaints team records',
    );

    const done = await gareth.submit(url, `${url}/staff`, { staffNumber: ` ${olaNumber.toLowerCase()} ` });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, `${url}?done=staff`);
    assert.deepEqual(
      (await t.repos.complaints.staffOn(complaintId)).map((s) => s.id).sort(),
      [ids.person.chloe, ids.person.ola].sort(),
    );
    const told = await t.repos.db
      .selectFrom('notifications')
      .select(['subject', 'body'])
      .where('recipient_id', '=', ids.person.ola)
      .where('subject', 'like', 'A complaint has been made about you%')
      .execute();
    assert.equal(told.length, 1);
    assert.ok(!told[0]!.body.includes('Secret Road') && !told[0]!.body.includes('Pat Parent'));
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'complaint')
      .where('entity_id', '=', String(complaintId))
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(audit.action, 'complaint.name_staff');
  });

  test('withdrawal with date and reason; then the complaint is closed to stage changes', async () => {
    // Two staff: one chosen, one by employee number.
    const devNumber = (
      await t.repos.db
        .selectFrom('staff')
        .select('employee_number')
        .where('id', '=', ids.person.dev)
        .executeTakeFirstOrThrow()
    ).employee_number;
    const res = await record(
      validComplaint({
        household: 'Other family',
        ...dateBoxes('receivedOn', '2025-06-02'),
        otherStaff: devNumber.toLowerCase(),
      }),
    );
    const id = Number(/\/complaints\/(\d+)/.exec(String(res.headers.location))![1]);
    assert.deepEqual(
      (await t.repos.complaints.staffOn(id)).map((s) => s.id).sort(),
      [ids.person.chloe, ids.person.dev].sort(),
    );
    const url = `/complaints/${id}`;
    assertFormErrors(await gareth.submit(url, `${url}/close`, { closeKind: 'withdrawn' }), [
      'closeOn-day',
      'closeReason',
    ]);
    assert.equal(
      (
        await gareth.submit(url, `${url}/close`, {
          closeKind: 'withdrawn',
          closeReason: 'Resolved informally',
          ...dateBoxes('closeOn', '2025-06-10'),
        })
      ).statusCode,
      303,
    );
    assert.ok((await gareth.get(url)).body.includes('Withdrawn on 10 June 2025'));
    assert.equal(
      (
        await gareth.submit(url, `${url}/stages/1/dates`, {
          what: 'responded',
          ...dateBoxes('milestoneOn', '2025-06-11'),
        })
      ).statusCode,
      400,
    );
  });

  test('an attachment: uploaded by the complaints team, downloaded (audited) by those who may see the complaint', async () => {
    const url = `/complaints/${complaintId}`;
    const res = await gareth.upload(`${url}/attachments`, await gareth.csrf(url), 'letter.txt', 'Dear council');
    assert.equal(res.statusCode, 303);
    const [a] = await t.repos.complaints.attachments(complaintId);
    const file = await helen.get(`${url}/attachments/${a!.id}`);
    assert.equal(file.statusCode, 200);
    assert.equal(file.body, 'Dear council');
    assert.match(String(file.headers['content-disposition']), /^attachment/);
    assert.equal((await fiona.get(`${url}/attachments/${a!.id}`)).statusCode, 403);
  });

  test('patterns: staff with two or more complaints from unrelated complainants', async () => {
    const page = await helen.get('/complaints/patterns?from=2025-04-01&to=2026-03-31');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('1 member of staff'), 'Chloe: complaints from the Parent family and the Other family');
    assert.ok(page.body.includes('Chloe Davies'));
    const bad = await helen.get('/complaints/patterns?from=nonsense');
    assert.equal(bad.statusCode, 400);
  });

  test('statistics by financial year, with CSV and ODS exports', async () => {
    const page = await gareth.get('/complaints/statistics?from=2024-04-01&to=2026-03-31');
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('2024/25') && page.body.includes('2025/26'));
    const csv = await gareth.get('/complaints/statistics.csv?from=2024-04-01&to=2026-03-31');
    assert.equal(csv.statusCode, 200);
    const lines = csv.body.trim().split('\n');
    assert.equal(
      lines[0],
      'Year,Statutory complaints received,Number investigated,Number withdrawn by complainants,Number not investigated,Number upheld or partially upheld',
    );
    assert.equal(lines[2], '2025/26,2,1,1,0,1');
    const ods = await gareth.get('/complaints/statistics.ods?from=2016-04-01&to=2016-09-16');
    const sheet = XLSX.read(ods.rawPayload, { type: 'buffer' });
    const rows = XLSX.utils.sheet_to_json<string[]>(sheet.Sheets[sheet.SheetNames[0]!]!, { header: 1 });
    assert.equal(rows[1]![0], 'Apr–Sep 2016');
  });

  test('the historic import: all or nothing, with row-level errors; the template downloads', async () => {
    const template = await gareth.get('/complaints/import/template.csv');
    assert.equal(template.statusCode, 200);
    assert.match(template.body, /^reference,received_on,procedure/);
    const chloeNumber = (
      await t.repos.db
        .selectFrom('staff')
        .select('employee_number')
        .where('id', '=', ids.person.chloe)
        .executeTakeFirstOrThrow()
    ).employee_number;
    const header =
      'reference,received_on,complainant_type,household,staff_employee_numbers,allegations,outcome,withdrawn_on,disciplinary_outcome,disciplinary_outcome_on';
    const bad = `${header}\nH-1,2015-05-01,parent_carer,A,${chloeNumber},pl_a,upheld,,,\nH-2,31/02/2015,martian,B,NOBODY,zz,,,,\n`;
    const res = await gareth.upload('/complaints/import', await gareth.csrf('/complaints/import'), 'old.csv', bad);
    assert.equal(res.statusCode, 400);
    for (const problem of [
      'received_on &quot;31/02/2015&quot; is not a date',
      'complainant_type &quot;martian&quot;',
      'employee NOBODY is not in Harbour',
      'allegation &quot;zz&quot;',
    ])
      assert.ok(res.body.includes(problem), problem);
    assert.equal(
      (await t.repos.complaints.summaries({ from: '2015-01-01', to: '2015-12-31' })).length,
      0,
      'nothing imported',
    );

    const good = `${header}\nH-1,2015-05-01,parent_carer,A,${chloeNumber},pl_a,upheld,,dismissal,2015-08-01\nH-2,01/06/2015,child,B,${chloeNumber},other,,2015-06-20,,\n`;
    const ok = await gareth.upload('/complaints/import', csrfFrom(res.body), 'old.csv', good);
    const { page: done, url } = await followImport(gareth, ok);
    assert.ok(done.body.includes('2 complaints imported'));
    assert.equal((await helen.get(url)).statusCode, 404, 'only the uploader (and administrators) see the import');
    const stats = await gareth.get('/complaints/statistics.csv?from=2015-04-01&to=2016-03-31');
    assert.equal(stats.body.trim().split('\n')[1], '2015/16,2,1,1,0,1');
    // Again: every reference already in Harbour refused at upload, with the other problems (issue 15).
    const again = await gareth.upload(
      '/complaints/import',
      await gareth.csrf('/complaints/import'),
      'old.csv',
      good.replace('parent_carer,A', 'martian,A'),
    );
    assert.equal(again.statusCode, 400, 'references already in Harbour are refused');
    for (const problem of [
      'reference H-1 is already in Harbour',
      'reference H-2 is already in Harbour',
      'complainant_type &quot;martian&quot;',
    ])
      assert.ok(again.body.includes(problem), problem);
  });

  test('statistics for the FOI helper: seed 003 Q10 and seed 004 in one call', async () => {
    const foi = {
      accountId: 0,
      staffId: null,
      email: demo.foi,
      displayName: 'Irene',
      roles: ['foi_officer' as const],
      ip: null,
      via: 'session' as const,
    };
    const s = await t.services.complaints.statistics(foi, {
      from: '2015-04-01',
      to: londonToday(),
      jobRoles: ['social_worker'],
    });
    assert.equal(s.repeatStaff.count, 1);
    assert.equal(s.repeatStaff.staff[0]!.name, null, 'the FOI officer is told how many, not who');
    assert.equal(s.dismissals, 1);
    assert.equal(s.years[0]!.label, '2015/16');
  });
});

/** Issue 15: the complaints list pages, searches and filters, with GOV.UK date boxes, and never answers 500 to odd input. */
describe('complaints list: paging, search and filters', () => {
  let t: TestApp;
  let ids: DemoIds;
  let gareth: Agent, helen: Agent;
  const ref = (i: number) => `LIST-${String(i).padStart(3, '0')}`;
  const showing = (body: string) => /id="complaints-showing"[^>]*>([^<]*)</.exec(body)?.[1]?.trim();
  /** The references in the list (after the deadlines table, which comes first). */
  const refsOn = (body: string) =>
    [...body.slice(body.indexOf('id="complaints-showing"')).matchAll(/>(LIST-\d{3})</g)].map((m) => m[1]);

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    [gareth, helen] = await Promise.all([t.signIn(demo.complaints), t.signIn(demo.serviceManager)]);
    // 70 complaints, LIST-001 received 2 January 2020 and one a day after; 061 to 070 closed;
    // 001 to 003 at stage 2 since 2020 with no response (so breached); 005 from "Zebedee Quill".
    const rows = Array.from({ length: 70 }, (_, k) => {
      const i = k + 1;
      const day = new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
      return {
        reference: ref(i),
        received_on: day,
        channel: 'letter',
        procedure: 'statutory_children',
        complainant_type: 'parent_carer',
        complainant_name: i === 5 ? 'Zebedee Quill' : null,
        team_id: ids.team.ashford,
        summary: 'List test',
        closed_on: i > 60 ? '2020-06-01' : null,
      };
    });
    const made = await t.repos.db.insertInto('complaints').values(rows).returning(['id', 'reference']).execute();
    const idOf = (r: string) => made.find((m) => m.reference === r)!.id;
    await t.repos.db
      .insertInto('complaint_staff')
      .values([1, 2, 3, 4].map((i) => ({ complaint_id: idOf(ref(i)), staff_id: ids.person.chloe, notified_at: null })))
      .execute();
    await t.repos.db
      .insertInto('complaint_stages')
      .values([1, 2, 3].map((i) => ({ complaint_id: idOf(ref(i)), stage: 2, started_on: '2020-02-01' })))
      .execute();
  });
  after(() => t.close());

  test('50 a page with the whole count; row 51 on page 2; the page links keep the search', async () => {
    const total = Number(
      (
        await t.repos.db
          .selectFrom('complaints')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    assert.ok(total > 70);
    const first = await gareth.get('/complaints');
    assert.equal(first.statusCode, 200);
    assert.equal(showing(first.body), `Showing 1 to 50 of ${total} complaints`);
    assert.match(first.body, /class="govuk-pagination/);

    const one = await gareth.get('/complaints?q=LIST-');
    assert.equal(showing(one.body), 'Showing 1 to 50 of 70 complaints');
    assert.equal(refsOn(one.body)[0], ref(70), 'newest first');
    assert.ok(!refsOn(one.body).includes(ref(20)));
    assert.match(one.body, /href="\/complaints\?q=LIST-&amp;page=2"/);
    const two = await gareth.get('/complaints?q=LIST-&page=2');
    assert.equal(showing(two.body), 'Showing 51 to 70 of 70 complaints');
    assert.equal(refsOn(two.body)[0], ref(20), 'row 51');
    assert.equal(refsOn(two.body).length, 20);
  });

  test('search narrows by reference, staff name, and complainant name for the complaints team only', async () => {
    assert.equal(showing((await gareth.get('/complaints?q=list-007')).body), 'Showing 1 complaint');
    const chloe = await gareth.get('/complaints?q=chloe+davies');
    assert.deepEqual(refsOn(chloe.body).sort(), [1, 2, 3, 4].map(ref));
    assert.deepEqual(refsOn((await gareth.get('/complaints?q=Zebedee')).body), [ref(5)]);
    const manager = await helen.get('/complaints?q=Zebedee');
    assert.equal(manager.statusCode, 200);
    assert.deepEqual(refsOn(manager.body), [], 'a senior manager cannot search by the complainant');
    assert.doesNotMatch(manager.body, /or the complainant/);
  });

  test('filters: state, stage, breached deadlines and the period in date boxes, kept in the page links', async () => {
    assert.equal(
      showing((await gareth.get('/complaints?q=LIST-&status=closed')).body),
      'Showing 1 to 10 of 10 complaints',
    );
    assert.equal(
      showing((await gareth.get('/complaints?q=LIST-&status=open')).body),
      'Showing 1 to 50 of 60 complaints',
    );
    assert.deepEqual(refsOn((await gareth.get('/complaints?q=LIST-&stage=2')).body).sort(), [1, 2, 3].map(ref));
    assert.deepEqual(
      refsOn((await gareth.get('/complaints?q=LIST-&deadline=breached')).body).sort(),
      [1, 2, 3].map(ref),
    );
    const period = await gareth.get(
      '/complaints?q=LIST-&from-day=1&from-month=1&from-year=2020&to-day=11&to-month=1&to-year=2020',
    );
    assert.equal(showing(period.body), 'Showing 1 to 10 of 10 complaints');
    assert.equal(inputValue(period.body, 'to-day'), '11');
    const open = await gareth.get('/complaints?q=LIST-&status=open&from-day=2&from-month=1&from-year=2020');
    assert.match(
      open.body,
      /href="\/complaints\?q=LIST-&amp;status=open&amp;from-day=2&amp;from-month=1&amp;from-year=2020[^"]*&amp;page=2"/,
    );
    const old = await gareth.get('/complaints?q=LIST-&from=2020-01-02&to=2020-01-11');
    assert.equal(showing(old.body), 'Showing 1 to 10 of 10 complaints', 'an older ISO link still works');
    assert.equal(inputValue(old.body, 'from-day'), '2');
    assert.equal(
      await gareth.get('/complaints').then((r) => /type="date"/.test(r.body)),
      false,
      'no native date inputs',
    );
  });

  test('date errors: every one at once, each naming its day box, dates written out', async () => {
    const both = await gareth.get(
      '/complaints?from-day=31&from-month=2&from-year=2026&to-day=1&to-month=13&to-year=2026&q=LIST-',
    );
    assertFormErrors(both, ['from-day', 'to-day']);
    assert.match(both.body, /The start of the period must be a real date/);
    assert.equal(inputValue(both.body, 'from-day'), '31', 'what was typed is kept');
    const backwards = await gareth.get(
      '/complaints?from-day=1&from-month=12&from-year=2026&to-day=1&to-month=11&to-year=2026',
    );
    assertFormErrors(backwards, ['to-day']);
    assert.match(backwards.body, /The end of the period must be on or after 1 December 2026/);
    assertFormErrors(await gareth.get('/complaints?from=2026-02-31&teamId=abc'), ['from-day', 'teamId']);
  });

  test('a repeated parameter or an odd page number gives page 1, never 500', async () => {
    for (const path of [
      '/complaints?q=a&q=b',
      '/complaints?page=1&page=2',
      '/complaints?page=-3',
      '/complaints?page=abc',
      '/complaints?page=99999999',
      '/complaints?status=open&status=closed',
      '/complaints?from=2020-01-01&from=2020-02-01',
      '/complaints?from-day=1&from-day=2&from-month=1&from-year=2020',
      '/complaints?stage=9',
      '/complaints?deadline=x&deadline=breached',
      '/complaints?teamId=1&teamId=2',
    ]) {
      const res = await gareth.get(path);
      assert.equal(res.statusCode, 200, `${path}: ${res.statusCode}`);
      assert.match(showing(res.body) ?? '', /^Showing 1( to |\s\w+$)/, path);
    }
    const past = await gareth.get('/complaints?q=LIST-&page=7');
    assert.equal(showing(past.body), 'Showing 51 to 70 of 70 complaints', 'past the end shows the last page');
  });
});
