/**
 * Covert duress and the Purple File screen over HTTP, with CSRF on: the duress PIN's response is
 * the ordinary "visit over" response, byte for byte once ids and times are set aside; the
 * disguised control changes nothing on the page; the responder's screens and the major incident.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { demo, startTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { unescapeHtml } from './support.ts';

let t: TestApp;
let chloe: Agent, emma: Agent, aisha: Agent;

before(async () => {
  t = await startTestApp();
  chloe = await t.signIn(demo.worker);
  emma = await t.signIn(demo.businessSupport);
  aisha = await t.signIn(demo.teamManager);
});
after(() => t.close());

const db = () => t.repos.db;
async function runningVisit() {
  const actor = await actorFor(db(), demo.worker);
  const id = await t.services.visits.plan(actor, buildVisitForm());
  await t.services.visits.arrive(actor, id);
  return id;
}
const duressAlerts = async (visitId: number) =>
  db()
    .selectFrom('alerts')
    .select(['id', 'status'])
    .where('visit_id', '=', visitId)
    .where('kind', '=', 'duress')
    .execute();
/** The page with what differs between two visits taken out: ids (in links and the live region's visit), times, the CSRF token, the script nonce. */
const normalise = (html: string, visitId: number) =>
  html
    .replaceAll(`/visits/${visitId}`, '/visits/ID')
    .replaceAll(`data-live-visit="${visitId}"`, 'data-live-visit="ID"')
    .replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value="X"')
    .replace(/nonce="[^"]+"/g, 'nonce="N"')
    .replace(/\d{1,2}:\d{2}/g, 'HH:MM')
    .replace(/\d{1,2} [A-Z][a-z]+ \d{4}/g, 'DATE');

test('the duress PIN: same redirect and same page as an ordinary end, with an alarm raised', async () => {
  const set = await chloe.submit('/account/pin', '/account/pin', { duressPin: '9111', checkoutPin: '2468' });
  assert.equal(set.statusCode, 303);
  const settings = await chloe.get('/account/pin');
  assert.ok(!settings.body.includes('9111') && !settings.body.includes('2468'), 'PINs are never shown');

  const normal = await runningVisit();
  const duress = await runningVisit();
  const page = await chloe.get(`/visits/${normal}`);
  assert.match(page.body, /id="pin"/, 'the PIN box is on "Visit over"');
  assert.match(page.body, /Request purple file/);

  const wrong = await chloe.submit(`/visits/${normal}`, `/visits/${normal}/end`, { pin: '0000' });
  assert.equal(wrong.statusCode, 400);
  assert.match(unescapeHtml(wrong.body), /The PIN is not right/);
  assert.ok(!wrong.body.includes('value="0000"'), 'the typed PIN is not echoed');

  const a = await chloe.submit(`/visits/${normal}`, `/visits/${normal}/end`, { pin: '2468' });
  const b = await chloe.submit(`/visits/${duress}`, `/visits/${duress}/end`, { pin: '9111' });
  assert.equal(a.statusCode, 303);
  assert.equal(b.statusCode, 303);
  assert.equal(
    String(a.headers.location).replace(String(normal), 'ID'),
    String(b.headers.location).replace(String(duress), 'ID'),
  );
  assert.equal(a.body, b.body);
  assert.deepEqual((await duressAlerts(normal)).length, 0);
  assert.deepEqual(
    (await duressAlerts(duress)).map((x) => x.status),
    ['open'],
  );
  // The engine fires step 0 (here by hand; in production the 250 ms loop).
  await t.services.engine.tick();

  const pageA = await chloe.get(String(a.headers.location));
  const pageB = await chloe.get(String(b.headers.location));
  assert.equal(pageB.statusCode, 200);
  assert.equal(
    normalise(pageB.body, duress),
    normalise(pageA.body, normal),
    "the worker's page after the duress PIN is the ordinary one",
  );
  assert.doesNotMatch(pageB.body, /alarm|duress|Responders/i);

  // Nowhere else on the worker's screens either.
  for (const url of ['/visits', '/alerts', '/board', '/inbox', '/']) {
    const r = await chloe.get(url);
    assert.doesNotMatch(r.body, /duress|silent alarm/i, url);
  }
  const alertId = (await duressAlerts(duress))[0]!.id;
  assert.equal((await chloe.get(`/alerts/${alertId}`)).statusCode, 404);

  // The line manager sees it, with what it carried.
  const alertPage = await aisha.get(`/alerts/${alertId}`);
  assert.equal(alertPage.statusCode, 200);
  assert.match(alertPage.body, /has raised a silent alarm/);
  assert.match(alertPage.body, /Liberi C123/);
  assert.match(alertPage.body, /Duress PIN when ending the visit/);
  await t.services.alerts.resolve(await actorFor(db(), demo.teamManager), String(alertId), 'safe', null);
});

test('the disguised control raises the alarm and comes back to the same page; only the worker can use it', async () => {
  const visitId = await runningVisit();
  const before = await chloe.get(`/visits/${visitId}`);
  const res = await chloe.submit(`/visits/${visitId}`, `/visits/${visitId}/request-file`, { lat: '51.1', lng: '0.87' });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `/visits/${visitId}`);
  const after = await chloe.get(`/visits/${visitId}`);
  assert.equal(normalise(after.body, visitId), normalise(before.body, visitId));
  const [alarm] = await duressAlerts(visitId);
  assert.ok(alarm);
  assert.deepEqual((await t.services.duress.alarmFor(String(alarm.id)))?.location, { lat: 51.1, lng: 0.87 });

  const manager = await aisha.submit(`/visits/${visitId}`, `/visits/${visitId}/request-file`, {});
  assert.equal(manager.statusCode, 403);
  assert.doesNotMatch((await aisha.get(`/visits/${visitId}`)).body, /request-file/, 'not offered to anyone else');
  await t.services.alerts.resolve(await actorFor(db(), demo.teamManager), String(alarm.id), 'false_alarm', null);

  // A tap queued offline carries an idempotency key: replayed after the alarm was closed, it raises nothing new.
  const tap = { idempotency_key: 'matrix-duress-tap-0001' };
  assert.equal((await chloe.submit(`/visits/${visitId}`, `/visits/${visitId}/request-file`, tap)).statusCode, 303);
  const [second] = (await duressAlerts(visitId)).filter((x) => x.status === 'open');
  assert.ok(second, 'a new tap raises a new alarm');
  await t.services.alerts.resolve(await actorFor(db(), demo.teamManager), String(second.id), 'safe', null);
  assert.equal((await chloe.submit(`/visits/${visitId}`, `/visits/${visitId}/request-file`, tap)).statusCode, 303);
  assert.equal((await duressAlerts(visitId)).filter((x) => x.status === 'open').length, 0, 'the replay did nothing');
});

test('Purple File over HTTP: pick, script, dial 999, call-back, close only with an outcome, incident report pre-filled', async () => {
  const visitId = await runningVisit();
  assert.equal((await chloe.get('/purple-file')).statusCode, 403);
  const list = await emma.get('/purple-file');
  assert.equal(list.statusCode, 200);
  assert.match(list.body, /href="\/purple-file"/, 'in the navigation');
  assert.match(list.body, /On a visit now: 12 Example Road, Ashford, TN23 1AA/);

  const none = await emma.submit('/purple-file', '/purple-file', {});
  assert.equal(none.statusCode, 400);
  const chloeId = String((await actorFor(db(), demo.worker)).staffId);
  const start = await emma.submit('/purple-file', '/purple-file', { workerId: chloeId });
  assert.equal(start.statusCode, 303);
  const callUrl = String(start.headers.location);
  const callId = Number(/\/purple-file\/(\d+)/.exec(callUrl)![1]);

  let page = await emma.get(callUrl);
  assert.match(unescapeHtml(page.body), /Are you at 12 Example Road, Ashford, TN23 1AA\?/);
  assert.doesNotMatch(page.body, /Dial 999 now/);
  const answer = (question: string, value: string) =>
    emma.submit(callUrl, `${callUrl}/answers`, { question, answer: value });
  assert.equal((await answer('at_address', 'yes')).statusCode, 303);
  assert.equal((await answer('in_danger', 'no_answer')).statusCode, 303);
  assert.equal((await answer('in_danger', 'maybe')).statusCode, 400);
  page = await emma.get(callUrl);
  assert.match(page.body, /Dial 999 now/);
  assert.match(page.body, /Police information pack/);
  assert.match(page.body, /Not recorded/);

  const timer = await emma.submit(callUrl, `${callUrl}/callback`, {});
  assert.equal(timer.statusCode, 303);
  page = await emma.get(callUrl);
  assert.match(page.body, /data-callback-due="/);
  await sql`UPDATE purple_file_callbacks SET due_at = now() - interval '1 second' WHERE call_id = ${callId}`.execute(
    db(),
  );
  assert.equal((await t.services.duress.tickCallbacks()).fired, 1);
  assert.match(unescapeHtml((await emma.get('/inbox')).body), /call Chloe Davies back now/);
  page = await emma.get(callUrl);
  assert.match(page.body, /Call Chloe Davies back now/);

  const noOutcome = await emma.submit(callUrl, `${callUrl}/close`, { notes: 'x' });
  assert.equal(noOutcome.statusCode, 400);
  assert.match(noOutcome.body, /Select what happened before you close the call/);

  const report = await emma.get(`/incidents/new?purpleFileId=${callId}`);
  assert.equal(report.statusCode, 200);
  assert.match(unescapeHtml(report.body), /Chloe Davies rang the office/);
  assert.match(report.body, new RegExp(`name="visitId" value="${visitId}"`));

  const closed = await emma.submit(callUrl, `${callUrl}/close`, { outcome: 'safe', notes: 'Rang back, safe' });
  assert.equal(closed.statusCode, 303);
  page = await emma.get(callUrl);
  assert.match(page.body, /Closed/);
  assert.doesNotMatch(page.body, /action="\/purple-file\/\d+\/answers"/);
  await t.services.visits.end(await actorFor(db(), demo.worker), visitId);
});

test('a major incident declared from an alert: category required, managers told, media line shown', async () => {
  const visitId = await runningVisit();
  await chloe.submit(`/visits/${visitId}`, `/visits/${visitId}/request-file`, {});
  const alertId = String((await duressAlerts(visitId))[0]!.id);
  const form = await aisha.get(`/major-incidents/new?alertId=${alertId}`);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /Significant injury/);
  assert.match(form.body, /communications team/);
  assert.equal(
    (await chloe.get(`/major-incidents/new?alertId=${alertId}`)).statusCode,
    404,
    'the worker never learns of the alarm',
  );

  const missing = await aisha.submit(`/major-incidents/new?alertId=${alertId}`, '/major-incidents', { alertId });
  assert.equal(missing.statusCode, 400);
  const declared = await aisha.submit(`/major-incidents/new?alertId=${alertId}`, '/major-incidents', {
    alertId,
    category: 'police_arrest',
    summary: 'Arrest at the address',
  });
  assert.equal(declared.statusCode, 303);
  const page = await aisha.get(String(declared.headers.location));
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Police arrest/);
  assert.match(page.body, /Media enquiries go to the communications team/);
  assert.match(page.body, /Assistant director: Priya Shah/);
  assert.match(page.body, /Line manager: Aisha Khan/);
  assert.equal((await emma.get('/major-incidents')).statusCode, 200);
  assert.equal((await chloe.get('/major-incidents')).statusCode, 403);
  await t.services.alerts.resolve(await actorFor(db(), demo.teamManager), alertId, 'incident', null);
});

test("an administrator names a service's designated safeguarding lead, who is then told after Purple File calls", async () => {
  const admin = await t.signIn(demo.admin);
  const service = await db()
    .selectFrom('services')
    .select(['id', 'name', 'directorate_id'])
    .where('name', '=', 'Children in Care')
    .executeTakeFirstOrThrow();
  const priya = (await actorFor(db(), demo.assistantDirector)).staffId!;
  const edit = await admin.get(`/admin/services/${service.id}/edit`);
  assert.match(edit.body, /Designated safeguarding lead \(optional\)/);
  const saved = await admin.submit(`/admin/services/${service.id}/edit`, `/admin/services/${service.id}`, {
    name: service.name,
    directorateId: String(service.directorate_id),
    safeguardingLeadId: String(priya),
  });
  assert.equal(saved.statusCode, 303);
  assert.equal(
    (
      await db()
        .selectFrom('services')
        .select('safeguarding_lead_id')
        .where('id', '=', service.id)
        .executeTakeFirstOrThrow()
    ).safeguarding_lead_id,
    priya,
  );
  assert.match(
    (await admin.get(`/admin/services/${service.id}/edit`)).body,
    new RegExp(`<option value="${priya}" selected>`),
  );

  const callId = await t.services.duress.startCall(
    await actorFor(db(), demo.businessSupport),
    (await actorFor(db(), demo.worker)).staffId!,
  );
  const page = await emma.get(`/purple-file/${callId}`);
  assert.match(page.body, /Designated safeguarding lead: Priya Shah/);
  assert.match(page.body, /Building manager: Emma Green/);
  assert.match(page.body, /Service manager: Helen Ward/);
});

test('a major incident declared from a lockdown: the people running it may, others may not', async () => {
  const helen = await actorFor(db(), demo.serviceManager);
  const building = await db()
    .insertInto('buildings')
    .values({ name: 'Duress test house', address: '4 High Street, Ashford', postcode: 'TN23 1AD' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const lockdownId = await t.services.lockdown.start(helen, {
    buildingId: building.id,
    location: 'inside',
    details: null,
  });
  const helenAgent = await t.signIn(demo.serviceManager);
  assert.match(
    (await helenAgent.get(`/lockdowns/${lockdownId}`)).body,
    new RegExp(`/major-incidents/new\\?lockdownId=${lockdownId}`),
  );
  const form = await helenAgent.get(`/major-incidents/new?lockdownId=${lockdownId}`);
  assert.equal(form.statusCode, 200);
  assert.match(form.body, /Lockdown at Duress test house/);
  const declared = await helenAgent.submit(`/major-incidents/new?lockdownId=${lockdownId}`, '/major-incidents', {
    lockdownId: String(lockdownId),
    category: 'excessive_vandalism',
  });
  assert.equal(declared.statusCode, 303);
  assert.match(
    (await helenAgent.get(String(declared.headers.location))).body,
    new RegExp(`href="/lockdowns/${lockdownId}"`),
  );
  assert.equal((await chloe.get(`/major-incidents/new?lockdownId=${lockdownId}`)).statusCode, 403);
  assert.equal((await helenAgent.get('/major-incidents/new?lockdownId=999999')).statusCode, 404);
});
