/**
 * Issue 20 with CSRF on: the retention schedule page and legal holds; the subject access export (a
 * zip that opens, holds every part, marks third parties' data, decrypts the pack and audits it);
 * location collected only from the worker's own device during a running session.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { strFromU8, unzipSync } from 'fflate';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { errorLinks } from './support.ts';

describe('retention schedule, subject access and location', () => {
  let t: TestApp;
  let admin: Agent, irene: Agent, chloe: Agent, aisha: Agent, gareth: Agent;
  let chloeId: number;

  before(async () => {
    t = await startTestApp();
    [admin, irene, chloe, aisha, gareth] = await Promise.all([
      t.signIn(demo.admin),
      t.signIn(demo.foi),
      t.signIn(demo.worker),
      t.signIn(demo.teamManager),
      t.signIn(demo.complaints),
    ]);
    chloeId = (await actorFor(t.repos.db, demo.worker)).staffId!;
  });
  after(() => t.close());

  test('the schedule shows every kind of record with its period, what happens and the count due; not for others', async () => {
    const res = await admin.get('/admin/retention');
    assert.equal(res.statusCode, 200);
    for (const text of [
      'Lone-working session locations and check-in detail',
      '90 days',
      'Incidents and investigations',
      'Complaints about staff',
      'Warning flags',
      'Register entries',
      'Emergency contact and medical details',
      'FOI requester details',
      'Due now',
      'Legal holds',
    ])
      assert.ok(res.body.includes(text), text);
    assert.equal((await irene.get('/admin/retention')).statusCode, 200);
    assert.equal((await chloe.get('/admin/retention')).statusCode, 403);
    assert.equal((await gareth.get('/admin/retention')).statusCode, 403);
    // The menu offers it to those who may use it.
    assert.ok((await irene.get('/menu')).body.includes('href="/admin/retention"'));
    assert.ok(!(await chloe.get('/menu')).body.includes('href="/admin/retention"'));
  });

  test('a legal hold: every missing field named at once (400); placed and released with reasons, audited; the home page shows the last run', async () => {
    const bad = await admin.submit('/admin/retention', '/admin/retention/holds', {
      kind: '',
      recordId: '',
      reason: '',
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      errorLinks(bad)
        .filter((l) => l !== 'main-content')
        .sort(),
      ['kind', 'reason', 'recordId'],
    );
    const account = (await t.repos.db.selectFrom('accounts').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    const incident = (
      await t.repos.db
        .insertInto('incidents')
        .values({
          employee_id: chloeId,
          reported_by_account: account,
          status: 'open',
          occurred_at: new Date(),
          categories: ['threats'],
        } as never)
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const placed = await admin.submit('/admin/retention', '/admin/retention/holds', {
      kind: 'incident',
      recordId: String(incident),
      reason: 'Employment tribunal',
    });
    assert.equal(placed.statusCode, 303);
    const page = await admin.get('/admin/retention');
    assert.ok(page.body.includes('Employment tribunal'));
    const twice = await admin.submit('/admin/retention', '/admin/retention/holds', {
      kind: 'incident',
      recordId: String(incident),
      reason: 'Again',
    });
    assert.equal(twice.statusCode, 400);
    assert.match(twice.body, /already under legal hold/);
    const hold = await t.repos.db
      .selectFrom('legal_holds')
      .select('id')
      .where('record_id', '=', String(incident))
      .executeTakeFirstOrThrow();
    const noReason = await admin.submit('/admin/retention', `/admin/retention/holds/${hold.id}/release`, {
      reason: ' ',
    });
    assert.equal(noReason.statusCode, 400);
    assert.deepEqual(
      errorLinks(noReason).filter((l) => l !== 'main-content'),
      [`reason-${hold.id}`],
    );
    assert.equal(
      (await admin.submit('/admin/retention', `/admin/retention/holds/${hold.id}/release`, { reason: 'Tribunal over' }))
        .statusCode,
      303,
    );
    assert.equal(
      (await admin.submit('/admin/retention', `/admin/retention/holds/${hold.id}/release`, { reason: 'Again' }))
        .statusCode,
      404,
    );
    const trail = await t.repos.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', 'like', 'retention.hold.%')
      .where('entity_id', '=', String(incident))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      trail.map((a) => a.action),
      ['retention.hold.place', 'retention.hold.release'],
    );

    assert.match((await admin.get('/')).body, /The retention job has not run yet/);
    await t.services.retention.runNow('job');
    const home = await admin.get('/');
    assert.match(home.body, /Records retention/);
    assert.match(home.body, /Last run .*\(nightly\)/);
    assert.ok(!(await chloe.get('/')).body.includes('Records retention'));
  });

  test('a staff export opens and holds every part, the pack decrypted; third parties marked; each export and the pack opening audited', async () => {
    // Chloe's pack, a session with a check-in, an incident she was in and a complaint naming her.
    await t.services.emergency.save(await actorFor(t.repos.db, demo.worker), {
      name: 'Chloe Davies',
      dateOfBirth: '1990-07-04',
      address: '3 Orchard Way',
      homePhone: null,
      mobilePhone: '07700 900111',
      homeEmail: null,
      workEmail: null,
      car: { makeModel: 'Ford Fiesta', colour: 'Blue', registration: 'AB12 CDE' },
      contacts: [{ name: 'Sam Davies', relationship: 'Partner', home: null, mobile: '07700 900222' }] as never,
      preferredContact: 1,
      medical: { conditions: 'Asthma', medication: 'Inhaler', adviceIfUnwell: null },
    });
    const worker = await actorFor(t.repos.db, demo.worker);
    const visit = await t.services.visits.plan(worker, buildVisitForm());
    await t.services.visits.arrive(worker, visit, { lat: 51.14, lng: 0.87 });
    await t.services.visits.checkIn(worker, visit, { lat: 51.15, lng: 0.88 });
    const account = (await t.repos.db.selectFrom('accounts').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    await t.repos.db
      .insertInto('incidents')
      .values({
        employee_id: chloeId,
        reported_by_account: account,
        status: 'open',
        occurred_at: new Date(),
        categories: ['threats'],
        witnesses: 'Ann Neighbour',
      } as never)
      .execute();

    assert.equal(
      (await admin.submit('/subject-access', '/subject-access/staff', { staffId: String(chloeId) })).statusCode,
      403,
    );
    assert.equal((await irene.submit('/subject-access', '/subject-access/staff', { staffId: '' })).statusCode, 400);
    const res = await irene.submit('/subject-access', '/subject-access/staff', { staffId: String(chloeId) });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'application/zip');
    assert.match(
      String(res.headers['content-disposition']),
      /^attachment; filename="subject-access-chloe-davies-\d{4}-\d{2}-\d{2}\.zip"$/,
    );
    assert.equal(res.headers['cache-control'], 'no-store, private');
    const files = unzipSync(new Uint8Array(res.rawPayload));
    for (const part of [
      'person',
      'sessions',
      'timeline',
      'alerts',
      'incidents',
      'complaints',
      'declarations',
      'gifts',
      'emergency-pack',
      'emergency-pack-views',
    ]) {
      assert.ok(files[`${part}.csv`] && files[`${part}.json`], part);
    }
    const index = strFromU8(files['index.html']!);
    assert.match(index, /Subject access export: Chloe Davies/);
    const json = (name: string) =>
      JSON.parse(strFromU8(files[`${name}.json`]!)) as { records: Record<string, unknown>[] };
    assert.equal(json('emergency-pack').records[0]!.name, 'Chloe Davies');
    assert.deepEqual((json('emergency-pack').records[0]!.medical as { conditions: string }).conditions, 'Asthma');
    assert.ok(json('sessions').records.some((v) => v.id === visit));
    assert.ok(json('timeline').records.some((e) => e.visit_id === visit && e.type === 'check_in'));
    const inc = json('incidents').records.find((i) => i.witnesses === 'Ann Neighbour')!;
    assert.deepEqual(inc.redaction_review, ['witnesses']);
    assert.match(strFromU8(files['incidents.csv']!).split('\n')[0]!, /redaction_review/);
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select(['action', 'actor_label'])
      .where('entity_id', '=', String(chloeId))
      .where('action', 'in', ['subject_access.export', 'emergency_pack.subject_access'])
      .execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['emergency_pack.subject_access', 'subject_access.export']);
  });

  test('a public export by name and reference: fields named at once; nothing held is said; an FOI requester gets their request', async () => {
    const blank = await irene.submit('/subject-access', '/subject-access/public', {
      kind: '',
      name: '',
      reference: '',
    });
    assert.equal(blank.statusCode, 400);
    assert.deepEqual(
      errorLinks(blank)
        .filter((l) => l !== 'main-content')
        .sort(),
      ['kind', 'name', 'reference'],
    );
    const none = await irene.submit('/subject-access', '/subject-access/public', {
      kind: 'complainant',
      name: 'Nobody',
      reference: 'NONE/1',
    });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /holds nothing under that name and reference/);
    const req = await t.repos.db
      .selectFrom('foi_requests')
      .select(['reference', 'requester_name'])
      .where('requester_name', 'is not', null)
      .executeTakeFirstOrThrow();
    const res = await irene.submit('/subject-access', '/subject-access/public', {
      kind: 'foi_requester',
      name: req.requester_name!.toUpperCase(),
      reference: req.reference,
    });
    assert.equal(res.statusCode, 200);
    const files = unzipSync(new Uint8Array(res.rawPayload));
    assert.equal(
      (JSON.parse(strFromU8(files['foi-requests.json']!)) as { records: { reference: string }[] }).records[0]!
        .reference,
      req.reference,
    );
    assert.ok(
      await t.repos.db
        .selectFrom('audit_log')
        .select('id')
        .where('action', '=', 'subject_access.export')
        .where('entity_type', '=', 'foi_requester')
        .executeTakeFirst(),
    );
  });

  test('location: kept from the worker’s own device during a running session; a manager acting for them leaves none; refused when no session runs', async () => {
    const worker = await actorFor(t.repos.db, demo.worker);
    const manager = await actorFor(t.repos.db, demo.teamManager);
    const visit = await t.services.visits.plan(worker, buildVisitForm());
    // Aisha marks Chloe as arrived from her own phone: her location is not Chloe's.
    await t.services.visits.arrive(manager, visit, { lat: 51.2, lng: 0.5 });
    assert.equal(
      (await t.repos.db.selectFrom('visits').select('last_location').where('id', '=', visit).executeTakeFirstOrThrow())
        .last_location,
      null,
    );
    const token = (await t.services.auth.createApiToken(null, manager.accountId, 'test', null)).token;
    const byManager = await t.app.inject({
      method: 'POST',
      url: `/api/v1/visits/${visit}/check-ins`,
      headers: { authorization: `Bearer ${token}` },
      payload: { lat: 51.2, lng: 0.5 },
    });
    assert.equal(byManager.statusCode, 201);
    const own = (await t.services.auth.createApiToken(null, worker.accountId, 'test', null)).token;
    const byWorker = await t.app.inject({
      method: 'POST',
      url: `/api/v1/visits/${visit}/check-ins`,
      headers: { authorization: `Bearer ${own}` },
      payload: { lat: 51.14, lng: 0.87 },
    });
    assert.equal(byWorker.statusCode, 201);
    const checkIns = await t.repos.db
      .selectFrom('timeline_events')
      .select(['actor_id', 'detail', 'text'])
      .where('visit_id', '=', visit)
      .where('type', '=', 'check_in')
      .orderBy('id')
      .execute();
    assert.deepEqual(
      checkIns.map((c) => [c.actor_id, (c.detail as { location?: unknown }).location ?? null]),
      [
        [manager.staffId, null],
        [worker.staffId, { lat: 51.14, lng: 0.87 }],
      ],
    );
    await t.services.visits.end(worker, visit);
    const late = await t.app.inject({
      method: 'POST',
      url: `/api/v1/visits/${visit}/check-ins`,
      headers: { authorization: `Bearer ${own}` },
      payload: { lat: 51.14, lng: 0.87 },
    });
    assert.ok(late.statusCode >= 400 && late.statusCode < 500, String(late.statusCode));
    assert.equal(
      (
        await t.repos.db
          .selectFrom('timeline_events')
          .select('id')
          .where('visit_id', '=', visit)
          .where('type', '=', 'check_in')
          .execute()
      ).length,
      2,
    );
    void aisha;
  });

  test('the privacy notice says when location is collected, who sees it, and each retention period', async () => {
    const res = await t.agent().get('/privacy');
    assert.equal(res.statusCode, 200);
    for (const text of [
      'only while a visit or session you started is running',
      'or when you raise an alarm',
      'shown only to the people who respond to that session',
      'Coordinates are removed 90 days after the session ends',
      'anonymised 6 years after they are closed',
      'deleted when you leave',
      'legal hold',
    ])
      assert.ok(res.body.includes(text), text);
  });
});
