/**
 * Building lockdown (seed 001 §5, Appendix K) with CSRF on: who may start one (building manager,
 * key holder, senior manager), who is alerted (checked in at the building or based there), the
 * response template, acknowledgements, the all clear, and the timeline.
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
    [chloe, emma, aisha, helen, jamal, katie] = await Promise.all([t.signIn(demo.worker), t.signIn(demo.businessSupport), t.signIn(demo.teamManager), t.signIn(demo.serviceManager), t.signIn(demo.otherServiceWorker), t.signIn('katie.wilson@harbour.example')]);
  });
  after(() => t.close());

  test('a worker who is not a key holder cannot start one', async () => {
    assert.equal((await chloe.get('/lockdowns/new')).statusCode, 403);
    const res = await chloe.post('/lockdowns', { _csrf: await chloe.csrf('/'), buildingId: String(ids.building.civic), location: 'outside' });
    assert.equal(res.statusCode, 403);
    assert.equal(await t.repos.db.selectFrom('lockdowns').select('id').executeTakeFirst(), undefined);
    const list = await chloe.get('/lockdowns');
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes('href="/lockdowns/new"'));
  });

  test('the form needs a building and where the incident is', async () => {
    const res = await emma.submit('/lockdowns/new', '/lockdowns', { buildingId: '', location: '' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(errorLinks(res).filter((l) => l !== 'main-content').sort(), ['buildingId', 'location']);
  });

  test('the building manager starts it; everyone checked in there or based there is alerted with the steps', async () => {
    // Jamal is based at Sittingbourne but checked in at the Civic Centre today; Katie is based at Sittingbourne.
    const jamalActor = await actorFor(t.repos.db, demo.otherServiceWorker);
    const visit = await t.services.visits.plan(jamalActor, buildVisitForm({ kind: 'office', buildingId: ids.building.civic, referralType: null, caseId: null, caseSystem: null }));
    await t.services.visits.arrive(jamalActor, visit);

    const started = await emma.submit('/lockdowns/new', '/lockdowns', { buildingId: String(ids.building.civic), location: 'outside', details: 'Man shouting at the front entrance' });
    assert.equal(started.statusCode, 303);
    const id = Number(/^\/lockdowns\/(\d+)\?done=started$/.exec(String(started.headers.location))![1]);

    const civic = await t.repos.db.selectFrom('staff').select('id').where('base_building_id', '=', ids.building.civic).where('active', '=', true).execute();
    const recipients = await t.repos.db.selectFrom('lockdown_recipients').select(['staff_id', 'reason']).where('lockdown_id', '=', id).execute();
    assert.equal(recipients.length, civic.length + 1);
    assert.equal(recipients.find((r) => r.staff_id === ids.person.jamal)?.reason, 'checked_in');
    assert.ok(!recipients.some((r) => r.staff_id === ids.person.katie), 'Katie is not in the building');
    const messages = await t.repos.db.selectFrom('notifications').select(['recipient_id', 'subject', 'body', 'link']).where('subject', 'like', 'LOCKDOWN at Civic Centre%').execute();
    assert.deepEqual(messages.map((m) => m.recipient_id).sort((a, b) => a - b), recipients.map((r) => r.staff_id).sort((a, b) => a - b));
    assert.ok(messages[0]!.body.includes('lock the external doors') && messages[0]!.body.includes('Man shouting at the front entrance'));
    assert.ok(messages[0]!.link!.endsWith(`/lockdowns/${id}`));

    // A second lockdown of the same building is refused while this one runs.
    const again = await aisha.submit('/lockdowns/new', '/lockdowns', { buildingId: String(ids.building.civic), location: 'inside' });
    assert.equal(again.statusCode, 400);
    assert.ok(again.body.includes('already locked down'));

    // The page: steps, Appendix K template, who was alerted.
    const page = await chloe.get(`/lockdowns/${id}`);
    assert.equal(page.statusCode, 200);
    for (const s of ['The building is locked down', 'Key holders lock the external doors now.', 'Tannery Lane, Ashford', '01632 960 100', '01632 960 200', '01632 960 300', 'Emma Green', 'Helen Ward', 'Priya Shah', 'href="tel:999"', 'href="tel:101"'])
      assert.ok(page.body.includes(s), `the page shows ${s}`);
    assert.ok(page.body.includes('I have seen this lockdown alert'));
    assert.ok(!page.body.includes('action="/lockdowns/' + id + '/all-clear"'), 'a worker cannot give the all clear');

    // Acknowledgements: each person once; someone not alerted cannot.
    assert.equal((await chloe.post(`/lockdowns/${id}/acknowledge`, { _csrf: await chloe.csrf('/') })).statusCode, 303);
    assert.equal((await chloe.post(`/lockdowns/${id}/acknowledge`, { _csrf: await chloe.csrf('/') })).statusCode, 303);
    assert.equal((await jamal.post(`/lockdowns/${id}/acknowledge`, { _csrf: await jamal.csrf('/') })).statusCode, 303);
    assert.equal((await katie.post(`/lockdowns/${id}/acknowledge`, { _csrf: await katie.csrf('/') })).statusCode, 403);
    const acks = await t.repos.db.selectFrom('lockdown_recipients').select('staff_id').where('lockdown_id', '=', id).where('acknowledged_at', 'is not', null).execute();
    assert.deepEqual(acks.map((a) => a.staff_id).sort((a, b) => a - b), [ids.person.chloe, ids.person.jamal].sort((a, b) => a - b));

    // A worker cannot give the all clear; the key holder can, and everyone alerted is told.
    assert.equal((await chloe.post(`/lockdowns/${id}/all-clear`, { _csrf: await chloe.csrf('/') })).statusCode, 403);
    const clear = await aisha.submit(`/lockdowns/${id}`, `/lockdowns/${id}/all-clear`, { note: 'Police have left' });
    assert.equal(clear.statusCode, 303);
    const told = await t.repos.db.selectFrom('notifications').select('recipient_id').where('subject', '=', 'All clear at Civic Centre').execute();
    assert.equal(told.length, recipients.length);
    const twice = await aisha.submit(`/lockdowns/${id}`, `/lockdowns/${id}/all-clear`, {});
    assert.equal(twice.statusCode, 400);

    const ended = await helen.get(`/lockdowns/${id}`);
    assert.ok(ended.body.includes('All clear given') && ended.body.includes('Police have left'));
    const events = await t.repos.db.selectFrom('lockdown_events').select('text').where('lockdown_id', '=', id).orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.text.split(' ').slice(0, 3).join(' ')), [
      'Emma Green started', `Alert sent to`, 'Chloe Davies acknowledged', 'Jamal Brown acknowledged', 'Aisha Khan gave',
    ]);
    const trail = await t.repos.db.selectFrom('audit_log').select('action').where('entity_type', '=', 'lockdown').where('entity_id', '=', String(id)).orderBy('id').execute();
    assert.deepEqual(trail.map((a) => a.action), ['lockdown.start', 'lockdown.acknowledge', 'lockdown.acknowledge', 'lockdown.all_clear']);
  });

  test('a senior manager may lock down any building; the list shows it', async () => {
    const res = await helen.submit('/lockdowns/new', '/lockdowns', { buildingId: String(ids.building.gateway), location: 'inside' });
    assert.equal(res.statusCode, 303);
    const list = await katie.get('/lockdowns');
    assert.ok(list.body.includes('Sittingbourne Gateway') && list.body.includes('Locked down'));
    // Emma is not a key holder at Sittingbourne.
    const emmaTry = await emma.post(`${String(res.headers.location).split('?')[0]}/all-clear`, { _csrf: await emma.csrf('/') });
    assert.equal(emmaTry.statusCode, 403);
  });
});
