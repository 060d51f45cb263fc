/**
 * The emergency information pack (seed 001 Appendix A) with CSRF on: the worker's form (400 with
 * the error summary and input kept; saved encrypted), break-glass by a responder only while an
 * alert about the worker is open (reason required, audited, shown to the worker), never by
 * anyone else; and the pages are not cached.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm, expireDeadline } from '../helpers/lone-working.ts';
import { errorLinks, inputValue } from './support.ts';

const PACK = {
  name: 'Chloe Davies',
  'dob-day': '4',
  'dob-month': '7',
  'dob-year': '1990',
  address: '3 Orchard Way, Ashford',
  mobilePhone: '07700 900 111',
  carMakeModel: 'Ford Fiesta',
  carColour: 'Blue',
  carRegistration: 'ab12 cde',
  contact1Name: 'Sam Davies',
  contact1Relationship: 'Partner',
  contact1Mobile: '07700 900 222',
  preferredContact: '1',
  medicalConditions: 'Asthma',
  medication: 'Salbutamol inhaler',
  adviceIfUnwell: 'Inhaler is in my bag',
};

describe('emergency information pack', () => {
  let t: TestApp;
  let chloe: Agent, aisha: Agent, emma: Agent, fiona: Agent, admin: Agent, jamal: Agent;
  let chloeId: number;

  before(async () => {
    t = await startTestApp();
    [chloe, aisha, emma, fiona, admin, jamal] = await Promise.all([
      t.signIn(demo.worker),
      t.signIn(demo.teamManager),
      t.signIn(demo.businessSupport),
      t.signIn(demo.healthAndSafety),
      t.signIn(demo.admin),
      t.signIn(demo.otherServiceWorker),
    ]);
    chloeId = (await actorFor(t.repos.db, demo.worker)).staffId!;
  });
  after(() => t.close());

  test('a bad form is 400 with the error summary and the input kept', async () => {
    const res = await chloe.submit('/emergency-pack', '/emergency-pack', {
      name: 'Chloe Davies',
      'dob-day': '31',
      'dob-month': '2',
      'dob-year': '1990',
      contact1Name: '',
      preferredContact: '1',
      homeEmail: 'not-an-email',
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /<title>Error: /);
    assert.deepEqual(
      errorLinks(res)
        .filter((l) => l !== 'main-content')
        .sort(),
      ['contact1Mobile', 'contact1Name', 'dob', 'homeEmail'].sort(),
    );
    assert.equal(inputValue(res.body, 'homeEmail'), 'not-an-email');
    assert.equal(res.headers['cache-control'], 'no-store, private');
  });

  test('saved encrypted: nothing readable in the database, and the form shows it back', async () => {
    const res = await chloe.submit('/emergency-pack', '/emergency-pack', PACK);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/emergency-pack?done=saved');
    const row = await t.repos.db
      .selectFrom('emergency_packs')
      .selectAll()
      .where('staff_id', '=', chloeId)
      .executeTakeFirstOrThrow();
    assert.match(row.key_id, /^k[0-9a-f]{16}$/);
    for (const secret of ['Salbutamol', 'Sam Davies', 'AB12', '07700'])
      assert.ok(
        !row.ciphertext.includes(secret) && !Buffer.from(row.ciphertext, 'base64').toString('latin1').includes(secret),
      );
    const page = await chloe.get('/emergency-pack?done=saved');
    assert.equal(page.statusCode, 200);
    assert.equal(inputValue(page.body, 'carRegistration'), 'AB12 CDE');
    assert.ok(page.body.includes('Nobody else has opened your emergency details'));
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('entity_type', '=', 'staff')
      .where('entity_id', '=', String(chloeId))
      .where('action', 'like', 'emergency_pack.%')
      .execute();
    assert.ok(audit.some((a) => a.action === 'emergency_pack.save'));
    assert.ok(
      audit.some((a) => a.action === 'emergency_pack.view_own'),
      'reading one’s own details is audited too',
    );
    assert.ok(!JSON.stringify(audit).includes('Salbutamol'), 'the trail never holds the details');
  });

  test('with no open alert nobody can break glass, not even her manager', async () => {
    assert.equal((await aisha.get(`/emergency-packs/${chloeId}`)).statusCode, 403);
    const csrf = await aisha.csrf('/');
    const res = await aisha.post(`/emergency-packs/${chloeId}/break-glass`, {
      _csrf: csrf,
      reason: 'Curious',
      alertId: '1',
    });
    assert.equal(res.statusCode, 403);
    assert.ok(!res.body.includes('Salbutamol'));
  });

  test('during an open alert a responder opens it with a reason; the worker sees who and why', async () => {
    const actor = await actorFor(t.repos.db, demo.worker);
    const visitId = await t.services.visits.plan(actor, buildVisitForm());
    await t.services.visits.arrive(actor, visitId);
    await expireDeadline(t.repos.db, visitId);
    await t.services.engine.tick();
    const alert = await t.repos.db
      .selectFrom('alerts')
      .select('id')
      .where('visit_id', '=', visitId)
      .executeTakeFirstOrThrow();

    // Not responders: health and safety (sees everyone), an administrator, another team's worker.
    for (const outsider of [fiona, admin, jamal]) {
      assert.equal((await outsider.get(`/emergency-packs/${chloeId}`)).statusCode, 403);
      const res = await outsider.post(`/emergency-packs/${chloeId}/break-glass`, {
        _csrf: await outsider.csrf('/'),
        reason: 'Checking',
        alertId: String(alert.id),
      });
      assert.equal(res.statusCode, 403);
      assert.ok(!res.body.includes('Salbutamol'));
    }

    const form = await aisha.get(`/emergency-packs/${chloeId}`);
    assert.equal(form.statusCode, 200);
    assert.ok(form.body.includes('Open Chloe Davies’s emergency details'));
    const noReason = await aisha.post(`/emergency-packs/${chloeId}/break-glass`, {
      _csrf: await aisha.csrf('/'),
      reason: '',
      alertId: String(alert.id),
    });
    assert.equal(noReason.statusCode, 400);
    assert.deepEqual(
      errorLinks(noReason).filter((l) => l !== 'main-content'),
      ['reason'],
    );
    assert.ok(!noReason.body.includes('Salbutamol'));

    const opened = await aisha.post(`/emergency-packs/${chloeId}/break-glass`, {
      _csrf: await aisha.csrf('/'),
      reason: 'No answer: calling her partner',
      alertId: String(alert.id),
    });
    assert.equal(opened.statusCode, 200);
    assert.equal(opened.headers['cache-control'], 'no-store, private');
    for (const shown of ['Sam Davies', '07700 900 222', 'Salbutamol inhaler', 'AB12 CDE', 'Ford Fiesta'])
      assert.ok(opened.body.includes(shown), `shows ${shown}`);

    // Team business support is a responder too.
    const byEmma = await emma.post(`/emergency-packs/${chloeId}/break-glass`, {
      _csrf: await emma.csrf('/'),
      reason: 'Giving the police her car details',
      alertId: String(alert.id),
    });
    assert.equal(byEmma.statusCode, 200);

    const trail = await t.repos.db
      .selectFrom('audit_log')
      .select(['actor_label', 'detail'])
      .where('action', '=', 'emergency_pack.break_glass')
      .where('entity_id', '=', String(chloeId))
      .orderBy('id')
      .execute();
    assert.deepEqual(
      trail.map((a) => a.actor_label),
      [demo.teamManager, demo.businessSupport],
    );
    assert.equal((trail[0]!.detail as { reason: string }).reason, 'No answer: calling her partner');
    const timeline = await t.repos.db
      .selectFrom('timeline_events')
      .select('text')
      .where('alert_id', '=', alert.id)
      .where('type', '=', 'emergency_pack')
      .execute();
    assert.equal(timeline.length, 2);

    const mine = await chloe.get('/emergency-pack');
    assert.ok(mine.body.includes('Aisha Khan') && mine.body.includes('No answer: calling her partner'));
    assert.ok(mine.body.includes('Emma Green') && mine.body.includes('Giving the police her car details'));

    // Her own break-glass page sends her to her own details.
    const self = await chloe.get(`/emergency-packs/${chloeId}`);
    assert.equal(self.statusCode, 303);
    assert.equal(self.headers.location, '/emergency-pack');

    // Once the alert is resolved, the glass is whole again.
    await t.services.alerts.resolve(
      await actorFor(t.repos.db, demo.teamManager),
      String(alert.id),
      'safe',
      'Reached her',
    );
    assert.equal((await aisha.get(`/emergency-packs/${chloeId}`)).statusCode, 403);
  });

  test('the manager’s list shows whose details are missing, never the details', async () => {
    const res = await aisha.get('/emergency-pack/team');
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes('Dev Patel'));
    assert.ok(res.body.includes('Missing'));
    assert.ok(res.body.includes('Up to date'));
    assert.ok(!res.body.includes('Salbutamol'));
  });
});

describe('offline actions: an idempotency key makes a replay harmless', () => {
  let t: TestApp;
  let chloe: Agent;
  before(async () => {
    t = await startTestApp();
    chloe = await t.signIn(demo.worker);
  });
  after(() => t.close());

  test('arrive, extend and end replayed with their keys happen once and answer as the first time', async () => {
    const actor = await actorFor(t.repos.db, demo.worker);
    const id = await t.services.visits.plan(actor, buildVisitForm());
    const csrf = await chloe.csrf(`/visits/${id}`);
    const page = await chloe.get(`/visits/${id}`);
    assert.match(page.body, /data-offline-action="I’ve arrived"/);
    assert.match(page.body, /<link rel="manifest" href="\/public\/manifest.webmanifest">/);

    const arrive = { _csrf: csrf, idempotency_key: 'arrive-key-1234' };
    const first = await chloe.post(`/visits/${id}/arrive`, arrive);
    const replay = await chloe.post(`/visits/${id}/arrive`, arrive);
    assert.equal(first.statusCode, 303);
    assert.equal(replay.statusCode, 303);
    assert.equal(replay.headers.location, first.headers.location);
    const dueAfterArrive = (
      await t.repos.db.selectFrom('visits').select('due_at').where('id', '=', id).executeTakeFirstOrThrow()
    ).due_at!;

    const extend = { _csrf: csrf, minutes: '30', idempotency_key: 'extend-key-1234' };
    assert.equal((await chloe.post(`/visits/${id}/extend`, extend)).statusCode, 303);
    assert.equal((await chloe.post(`/visits/${id}/extend`, extend)).statusCode, 303);
    const due = (await t.repos.db.selectFrom('visits').select('due_at').where('id', '=', id).executeTakeFirstOrThrow())
      .due_at!;
    assert.ok(due.getTime() - dueAfterArrive.getTime() <= 31 * 60_000, 'extended once, not twice');

    const end = { _csrf: csrf, idempotency_key: 'end-key-12345678' };
    assert.equal((await chloe.post(`/visits/${id}/end`, end)).statusCode, 303);
    const endReplay = await chloe.post(`/visits/${id}/end`, end);
    assert.equal(endReplay.statusCode, 303, 'a replayed “Visit over” is not an error');
    const types = await t.repos.db.selectFrom('timeline_events').select('type').where('visit_id', '=', id).execute();
    const count = (type: string) => types.filter((e) => e.type === type).length;
    assert.deepEqual([count('arrived'), count('extended'), count('ended')], [1, 1, 1], JSON.stringify(types));
    const keys = await t.repos.db.selectFrom('idempotency_keys').select(['key', 'status']).execute();
    assert.deepEqual(
      keys.map((k) => k.status),
      ['done', 'done', 'done'],
    );
  });
});
