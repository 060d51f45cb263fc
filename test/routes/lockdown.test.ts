/**
 * Building lockdown (seed 001 §5, Appendix K) with CSRF on: who may start one (anyone checked in at
 * the building or based there, its building manager and key holders, senior managers), who is
 * alerted (checked in there, or based there and not checked in elsewhere; the building manager and
 * Appendix K's senior managers wherever they are), the response template, acknowledgements, the
 * all clear (running it, building manager, key holder present; a senior manager elsewhere with a
 * reason; the police's all clear where they attended), and the timeline.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { demoIds, errorLinks, type DemoIds } from './support.ts';

describe('building lockdown', () => {
  let t: TestApp;
  let ids: DemoIds;
  let chloe: Agent, emma: Agent, aisha: Agent, helen: Agent, jamal: Agent, katie: Agent;

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    [chloe, emma, aisha, helen, jamal, katie] = await Promise.all([
      t.signIn(demo.worker),
      t.signIn(demo.businessSupport),
      t.signIn(demo.teamManager),
      t.signIn(demo.serviceManager),
      t.signIn(demo.otherServiceWorker),
      t.signIn('katie.wilson@harbour.example'),
    ]);
  });
  after(() => t.close());

  test('anyone checked in at or based in the building may start one; nobody else (item 9)', async () => {
    // Jamal is based at Sittingbourne and checked in nowhere: not the Civic Centre.
    assert.equal((await jamal.get('/lockdowns/new')).statusCode, 200, 'he may lock down his own building');
    const res = await jamal.post('/lockdowns', {
      _csrf: await jamal.csrf('/'),
      buildingId: String(ids.building.civic),
      location: 'outside',
    });
    assert.equal(res.statusCode, 403);
    assert.equal(await t.repos.db.selectFrom('lockdowns').select('id').executeTakeFirst(), undefined);
    // Chloe, a worker based at the Civic Centre who is not a key holder, sees the button and the form offers her building only.
    const list = await chloe.get('/lockdowns');
    assert.ok(list.body.includes('href="/lockdowns/new"'));
    const form = await chloe.get('/lockdowns/new');
    assert.equal(form.statusCode, 200);
    assert.ok(form.body.includes('Civic Centre') && !form.body.includes('Sittingbourne Gateway'));
  });

  test('the form needs a building and where the incident is', async () => {
    const res = await emma.submit('/lockdowns/new', '/lockdowns', { buildingId: '', location: '' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      errorLinks(res)
        .filter((l) => l !== 'main-content')
        .sort(),
      ['buildingId', 'location'],
    );
  });

  test('the building manager starts it; everyone checked in there or based there is alerted with the steps', async () => {
    // Jamal is based at Sittingbourne but checked in at the Civic Centre today; Katie is based at Sittingbourne.
    const jamalActor = await actorFor(t.repos.db, demo.otherServiceWorker);
    const visit = await t.services.visits.plan(
      jamalActor,
      buildVisitForm({
        kind: 'office',
        buildingId: ids.building.civic,
        referralType: null,
        caseId: null,
        caseSystem: null,
      }),
    );
    await t.services.visits.arrive(jamalActor, visit);

    const started = await emma.submit('/lockdowns/new', '/lockdowns', {
      buildingId: String(ids.building.civic),
      location: 'outside',
      details: 'Man shouting at the front entrance',
    });
    assert.equal(started.statusCode, 303);
    const id = Number(/^\/lockdowns\/(\d+)\?done=started$/.exec(String(started.headers.location))![1]);

    const civic = await t.repos.db
      .selectFrom('staff')
      .select('id')
      .where('base_building_id', '=', ids.building.civic)
      .where('active', '=', true)
      .execute();
    const recipients = await t.repos.db
      .selectFrom('lockdown_recipients')
      .select(['staff_id', 'reason'])
      .where('lockdown_id', '=', id)
      .execute();
    assert.equal(recipients.length, civic.length + 1);
    assert.equal(recipients.find((r) => r.staff_id === ids.person.jamal)?.reason, 'checked_in');
    assert.ok(!recipients.some((r) => r.staff_id === ids.person.katie), 'Katie is not in the building');
    const messages = await t.repos.db
      .selectFrom('notifications')
      .select(['recipient_id', 'subject', 'body', 'link'])
      .where('subject', 'like', 'LOCKDOWN at Civic Centre%')
      .execute();
    assert.deepEqual(
      messages.map((m) => m.recipient_id).sort((a, b) => a - b),
      recipients.map((r) => r.staff_id).sort((a, b) => a - b),
    );
    assert.ok(
      messages[0]!.body.includes('lock the external doors') &&
        messages[0]!.body.includes('Man shouting at the front entrance'),
    );
    assert.ok(messages[0]!.link!.endsWith(`/lockdowns/${id}`));

    // A second lockdown of the same building is refused while this one runs.
    const again = await aisha.submit('/lockdowns/new', '/lockdowns', {
      buildingId: String(ids.building.civic),
      location: 'inside',
    });
    assert.equal(again.statusCode, 400);
    assert.ok(again.body.includes('already locked down'));

    // The page: steps, Appendix K template, who was alerted.
    const page = await chloe.get(`/lockdowns/${id}`);
    assert.equal(page.statusCode, 200);
    for (const s of [
      'The building is locked down',
      'Key holders lock the external doors now.',
      'Tannery Lane, Ashford',
      '01632 960 100',
      '01632 960 200',
      '01632 960 300',
      'Emma Green',
      'Helen Ward',
      'Priya Shah',
      'href="tel:999"',
      'href="tel:101"',
    ])
      assert.ok(page.body.includes(s), `the page shows ${s}`);
    assert.ok(page.body.includes('I have seen this lockdown alert'));
    assert.ok(
      !page.body.includes('action="/lockdowns/' + id + '/all-clear"'),
      'a worker who did not start it cannot give the all clear',
    );

    // Acknowledgements: each person once; someone not alerted cannot.
    assert.equal((await chloe.post(`/lockdowns/${id}/acknowledge`, { _csrf: await chloe.csrf('/') })).statusCode, 303);
    assert.equal((await chloe.post(`/lockdowns/${id}/acknowledge`, { _csrf: await chloe.csrf('/') })).statusCode, 303);
    assert.equal((await jamal.post(`/lockdowns/${id}/acknowledge`, { _csrf: await jamal.csrf('/') })).statusCode, 303);
    assert.equal((await katie.post(`/lockdowns/${id}/acknowledge`, { _csrf: await katie.csrf('/') })).statusCode, 403);
    const acks = await t.repos.db
      .selectFrom('lockdown_recipients')
      .select('staff_id')
      .where('lockdown_id', '=', id)
      .where('acknowledged_at', 'is not', null)
      .execute();
    assert.deepEqual(
      acks.map((a) => a.staff_id).sort((a, b) => a - b),
      [ids.person.chloe, ids.person.jamal].sort((a, b) => a - b),
    );

    // Who is in the building is for those running it and the building's responders (issue 17): Chloe,
    // alerted but neither, sees how many were alerted and her own acknowledgement, not who else is there.
    const asChloe = (await chloe.get(`/lockdowns/${id}`)).body;
    assert.ok(!asChloe.includes('Jamal Brown'), 'a worker does not see who else is in the building');
    assert.ok(asChloe.includes(`${recipients.length} people were alerted`));
    assert.ok(asChloe.includes('Chloe Davies acknowledged'), 'her own acknowledgement shows');
    for (const who of [emma, aisha, helen]) {
      const body = (await who.get(`/lockdowns/${id}`)).body;
      assert.ok(
        body.includes('Jamal Brown') && body.includes('Checked in there'),
        'the starter, a key holder and the senior manager see the list',
      );
    }

    // A worker cannot give the all clear; the key holder can, and everyone alerted is told.
    assert.equal(
      (await chloe.post(`/lockdowns/${id}/all-clear`, { _csrf: await chloe.csrf('/'), policeAttended: 'no' }))
        .statusCode,
      403,
    );
    const none = await aisha.submit(`/lockdowns/${id}`, `/lockdowns/${id}/all-clear`, { note: 'Police have left' });
    assert.equal(none.statusCode, 400);
    assert.deepEqual(
      errorLinks(none).filter((l) => l !== 'main-content'),
      ['policeAttended'],
    );
    const unconfirmed = await aisha.submit(`/lockdowns/${id}`, `/lockdowns/${id}/all-clear`, {
      policeAttended: 'yes',
      note: 'Police have left',
    });
    assert.equal(unconfirmed.statusCode, 400, 'the police attended: their all clear is confirmed first');
    assert.deepEqual(
      errorLinks(unconfirmed).filter((l) => l !== 'main-content'),
      ['policeAllClear'],
    );
    assert.equal(
      await t.repos.db
        .selectFrom('lockdowns')
        .select('id')
        .where('id', '=', id)
        .where('ended_at', 'is not', null)
        .executeTakeFirst(),
      undefined,
    );
    const clear = await aisha.submit(`/lockdowns/${id}`, `/lockdowns/${id}/all-clear`, {
      policeAttended: 'yes',
      policeAllClear: 'yes',
      note: 'Police have left',
    });
    assert.equal(clear.statusCode, 303);
    const row = await t.repos.db
      .selectFrom('lockdowns')
      .select(['police_attended', 'police_all_clear', 'ended_as'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, { police_attended: true, police_all_clear: true, ended_as: 'key_holder' });
    const told = await t.repos.db
      .selectFrom('notifications')
      .select('recipient_id')
      .where('subject', '=', 'All clear at Civic Centre')
      .execute();
    assert.equal(told.length, recipients.length);
    const twice = await aisha.submit(`/lockdowns/${id}`, `/lockdowns/${id}/all-clear`, { policeAttended: 'no' });
    assert.equal(twice.statusCode, 400);

    const ended = await helen.get(`/lockdowns/${id}`);
    assert.ok(
      ended.body.includes('All clear given') &&
        ended.body.includes('Police have left') &&
        ended.body.includes('The police attended and gave the all clear'),
    );
    for (const gone of ['What to do now', 'Key holders lock the external doors now.', 'The building is locked down'])
      assert.ok(!ended.body.includes(gone), `after the all clear the page no longer says: ${gone}`);
    const events = await t.repos.db
      .selectFrom('lockdown_events')
      .select('text')
      .where('lockdown_id', '=', id)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      events.map((e) => e.text.split(' ').slice(0, 3).join(' ')),
      [
        'Emma Green started',
        `Alert sent to`,
        'Chloe Davies acknowledged',
        'Jamal Brown acknowledged',
        'Aisha Khan gave',
      ],
    );
    const trail = await t.repos.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'lockdown')
      .where('entity_id', '=', String(id))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      trail.map((a) => a.action),
      ['lockdown.start', 'lockdown.acknowledge', 'lockdown.acknowledge', 'lockdown.all_clear'],
    );
  });

  test('a senior manager may lock down any building; a key holder who is not there cannot end it; from elsewhere only with a reason', async () => {
    const res = await helen.submit('/lockdowns/new', '/lockdowns', {
      buildingId: String(ids.building.gateway),
      location: 'inside',
    });
    assert.equal(res.statusCode, 303);
    const url = String(res.headers.location).split('?')[0]!;
    const list = await katie.get('/lockdowns');
    assert.ok(list.body.includes('Sittingbourne Gateway') && list.body.includes('Locked down'));
    // Emma is not a key holder at Sittingbourne; Katie is there but neither ran it nor holds keys.
    assert.equal(
      (await emma.post(`${url}/all-clear`, { _csrf: await emma.csrf('/'), policeAttended: 'no' })).statusCode,
      403,
    );
    assert.equal(
      (await katie.post(`${url}/all-clear`, { _csrf: await katie.csrf('/'), policeAttended: 'no' })).statusCode,
      403,
    );
    // Priya (assistant director, based at the Civic Centre) may end it only with a reason.
    const priya = await t.signIn(demo.assistantDirector);
    const page = await priya.get(url);
    assert.ok(page.body.includes('Why are you ending it from elsewhere?'));
    const noReason = await priya.submit(url, `${url}/all-clear`, { policeAttended: 'no' });
    assert.equal(noReason.statusCode, 400);
    assert.deepEqual(
      errorLinks(noReason).filter((l) => l !== 'main-content'),
      ['reason'],
    );
    const ok = await priya.submit(url, `${url}/all-clear`, {
      policeAttended: 'no',
      reason: 'Grace Lee phoned: the man has left and the police are not coming',
    });
    assert.equal(ok.statusCode, 303);
    const row = await t.repos.db
      .selectFrom('lockdowns')
      .select(['ended_as', 'remote_reason', 'police_attended'])
      .where('id', '=', Number(url.split('/').at(-1)))
      .executeTakeFirstOrThrow();
    assert.deepEqual(row, {
      ended_as: 'remote_senior',
      remote_reason: 'Grace Lee phoned: the man has left and the police are not coming',
      police_attended: false,
    });
    const ended = await katie.get(url);
    assert.ok(ended.body.includes('Ended from elsewhere because: Grace Lee phoned'));
  });

  test('a worker based there starts it; the presence list leaves out those checked in elsewhere; the building manager and Appendix K senior managers are told wherever they are; the person running it ends it', async () => {
    // Chloe (based at the Civic Centre) is checked in at Sittingbourne today; Helen (service manager for the Civic Centre's manager) is moved to another base.
    const chloeActor = await actorFor(t.repos.db, demo.worker);
    const visit = await t.services.visits.plan(
      chloeActor,
      buildVisitForm({
        kind: 'office',
        buildingId: ids.building.gateway,
        referralType: null,
        caseId: null,
        caseSystem: null,
      }),
    );
    await t.services.visits.arrive(chloeActor, visit);
    await t.repos.db
      .updateTable('staff')
      .set({ base_building_id: ids.building.gateway })
      .where('id', '=', ids.person.helen)
      .execute();
    try {
      const dev = await t.signIn('dev.patel@harbour.example');
      const started = await dev.submit('/lockdowns/new', '/lockdowns', {
        buildingId: String(ids.building.civic),
        location: 'inside',
      });
      assert.equal(started.statusCode, 303, 'a worker based there starts it');
      const id = Number(/^\/lockdowns\/(\d+)/.exec(String(started.headers.location))![1]);
      const recipients = await t.repos.db
        .selectFrom('lockdown_recipients')
        .select(['staff_id', 'reason'])
        .where('lockdown_id', '=', id)
        .execute();
      const reason = (staffId: number) => recipients.find((r) => r.staff_id === staffId)?.reason;
      assert.equal(
        reason(ids.person.chloe),
        'based_elsewhere',
        'Chloe is checked in at Sittingbourne: told, but not counted as in the building',
      );
      assert.equal(reason(ids.person.helen), 'senior_manager', 'Helen is told though based elsewhere');
      assert.equal(reason(ids.person.dev), 'based');
      const told = await t.repos.db
        .selectFrom('notifications')
        .select(['recipient_id', 'body'])
        .where('lockdown_id', '=', id)
        .where('recipient_id', '=', ids.person.helen)
        .execute();
      assert.equal(told.length, 1);
      assert.ok(told[0]!.body.startsWith('Dev Patel started a Dynamic Lock Down at Civic Centre'));
      const page = await dev.get(`/lockdowns/${id}`);
      assert.ok(page.body.includes('Senior manager (Appendix K), not in the building'));
      assert.ok(page.body.includes('Based there, checked in elsewhere (not in the building)'));
      const trail = await t.repos.db
        .selectFrom('audit_log')
        .select('action')
        .where('entity_type', '=', 'lockdown')
        .where('entity_id', '=', String(id))
        .execute();
      assert.deepEqual(
        trail.map((a) => a.action),
        ['lockdown.start'],
      );
      // Dev runs it, so he gives the all clear; the police did not attend.
      assert.ok(page.body.includes(`action="/lockdowns/${id}/all-clear"`));
      const clear = await dev.submit(`/lockdowns/${id}`, `/lockdowns/${id}/all-clear`, { policeAttended: 'no' });
      assert.equal(clear.statusCode, 303);
      assert.equal(
        (await t.repos.db.selectFrom('lockdowns').select('ended_as').where('id', '=', id).executeTakeFirstOrThrow())
          .ended_as,
        'runner',
      );
    } finally {
      await t.repos.db
        .updateTable('staff')
        .set({ base_building_id: ids.building.civic })
        .where('id', '=', ids.person.helen)
        .execute();
    }
  });
});
