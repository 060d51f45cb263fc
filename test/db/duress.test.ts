import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import type { Actor } from '../../src/features/auth/actor.ts';
import { ValidationError, NotFoundError } from '../../src/errors.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let services: ReturnType<typeof buildServices>;
let chloe: Actor, aisha: Actor, emma: Actor, helen: Actor, priya: Actor, jamal: Actor;

before(async () => {
  database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  services = buildServices(repos, { sessionTtlHours: 12, instanceId: 'test', baseUrl: 'https://harbour.example' });
  chloe = await actorFor(database.db, 'chloe.davies@harbour.example'); // buddy Dev, line manager Aisha, team business support Emma
  aisha = await actorFor(database.db, 'aisha.khan@harbour.example');
  emma = await actorFor(database.db, 'emma.green@harbour.example'); // business support; manages the Civic Centre
  helen = await actorFor(database.db, 'helen.ward@harbour.example'); // service manager
  priya = await actorFor(database.db, 'priya.shah@harbour.example'); // assistant director
  jamal = await actorFor(database.db, 'jamal.brown@harbour.example'); // a worker in another service
});
after(() => database.drop());

const db = () => database.db;
async function runningVisit(actor: Actor, location: { lat: number; lng: number } | null = null) {
  const id = await services.visits.plan(actor, buildVisitForm());
  await services.visits.arrive(actor, id, location);
  return id;
}
async function messages(filter: { alertId?: string; link?: string }) {
  let q = db()
    .selectFrom('notifications as n')
    .innerJoin('staff as s', 's.id', 'n.recipient_id')
    .select(['s.given_name', 'n.subject', 'n.body', 'n.step', 'n.link', 'n.channel']);
  if (filter.alertId) q = q.where('n.alert_id', '=', filter.alertId);
  if (filter.link) q = q.where('n.link', 'like', `%${filter.link}`);
  return q.orderBy('s.given_name').execute();
}

test(`[${engineName}] the duress PIN ends the visit as usual and the engine tells buddy, line manager and business support exactly once`, async () => {
  await services.duress.setPins(chloe, { duressPin: '9111', checkoutPin: '2468' });
  const stored = await db()
    .selectFrom('duress_pins')
    .selectAll()
    .where('staff_id', '=', chloe.staffId!)
    .executeTakeFirstOrThrow();
  assert.match(stored.duress_pin_hash, /^\$argon2id\$/, 'stored hashed, like passwords');
  assert.ok(!stored.duress_pin_hash.includes('9111'));

  const visitId = await runningVisit(chloe, { lat: 51.1465, lng: 0.875 });
  assert.deepEqual(await services.duress.endForm(chloe, chloe.staffId!), { show: true, required: true });
  assert.deepEqual(
    await services.duress.endForm(aisha, chloe.staffId!),
    { show: false, required: false },
    'only the worker is asked',
  );
  await assert.rejects(
    services.duress.checkEndPin(chloe, chloe.staffId!, ''),
    ValidationError,
    'a check-out PIN is set, so a PIN is needed',
  );
  await assert.rejects(services.duress.checkEndPin(chloe, chloe.staffId!, '0000'), ValidationError);
  assert.equal(await services.duress.checkEndPin(chloe, chloe.staffId!, '2468'), 'normal');
  assert.equal(await services.duress.checkEndPin(chloe, chloe.staffId!, '9111'), 'duress');

  const alertId = await services.duress.raise(chloe, { workerId: chloe.staffId!, visitId, via: 'pin', location: null });
  await services.visits.end(chloe, visitId);
  const alert = await db().selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirstOrThrow();
  assert.equal(alert.kind, 'duress');
  assert.equal(alert.visit_id, visitId);
  const steps = alert.policy as { targets: string[]; delaySeconds: number }[];
  assert.deepEqual(steps[0]!.targets, ['buddy', 'line_manager', 'business_support']);
  assert.equal(steps[0]!.delaySeconds, 0);
  assert.ok(
    steps.every((s) => !s.targets.includes('worker')),
    'nobody messages the worker',
  );
  const timer = await db()
    .selectFrom('timers')
    .selectAll()
    .where('kind', '=', 'alert_step')
    .where('subject_id', '=', alertId)
    .executeTakeFirstOrThrow();
  assert.equal(timer.seq, 0);
  assert.ok(new Date(timer.fire_at).getTime() <= Date.now());

  // The visit ended normally: it still counts as a running alarm.
  assert.equal(
    (await db().selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow()).state,
    'completed',
  );
  assert.equal(
    (await db().selectFrom('alerts').select('status').where('id', '=', alertId).executeTakeFirstOrThrow()).status,
    'open',
  );

  const t1 = await services.engine.tick();
  assert.ok(t1.stepsFired >= 1);
  const sent = await messages({ alertId });
  assert.deepEqual(
    sent.map((m) => m.given_name),
    ['Aisha', 'Dev', 'Emma'],
  );
  assert.ok(sent.every((m) => m.step === 0));
  assert.match(sent[0]!.subject, /DURESS ALARM: Chloe Davies/);
  assert.match(sent[0]!.body, /silent alarm at 12 Example Road, Ashford, TN23 1AA/);
  assert.match(sent[0]!.body, /Case: Liberi C123\./);
  assert.match(sent[0]!.body, /Device location: 51\.14650, 0\.87500\./, 'the location shared on arrival');
  assert.match(sent[0]!.link!, new RegExp(`/alerts/${alertId}$`));

  // Ticking again, or firing step 0 again, sends nothing more.
  await services.engine.tick();
  await db()
    .transaction()
    .execute((trx) => services.engine.fireSteps(trx, [{ alertId, step: 0 }]));
  assert.equal((await messages({ alertId })).length, 3, 'exactly once');
  const chloeMessages = await db()
    .selectFrom('notifications')
    .select('id')
    .where('recipient_id', '=', chloe.staffId!)
    .where('alert_id', '=', alertId)
    .execute();
  assert.equal(chloeMessages.length, 0);

  // The next step (service manager) is armed by the engine.
  const next = await db()
    .selectFrom('timers')
    .select(['seq', 'status'])
    .where('kind', '=', 'alert_step')
    .where('subject_id', '=', alertId)
    .where('status', '=', 'pending')
    .execute();
  assert.deepEqual(
    next.map((n) => n.seq),
    [1],
  );

  // What the alarm carried, for the alert page.
  const carried = await services.duress.alarmFor(alertId);
  assert.equal(carried?.via, 'pin');
  assert.equal(carried?.case_reference, 'Liberi C123');
  assert.deepEqual(carried?.location, { lat: 51.1465, lng: 0.875 });
  await services.alerts.resolve(aisha, alertId, 'safe', 'Police attended');
});

test(`[${engineName}] no trace for the worker: their timeline, alert list, alert page and board do not show it`, async () => {
  const visitId = await runningVisit(chloe);
  const alertId = await services.duress.raise(chloe, {
    workerId: chloe.staffId!,
    visitId,
    via: 'control',
    location: { lat: 51.2, lng: 0.9 },
  });
  await services.engine.tick();
  const again = await services.duress.raise(chloe, {
    workerId: chloe.staffId!,
    visitId,
    via: 'control',
    location: { lat: 51.3, lng: 0.95 },
  });
  assert.equal(again, alertId, 'a second tap while open adds nothing');
  assert.equal(
    (
      await db()
        .selectFrom('alerts')
        .select('id')
        .where('visit_id', '=', visitId)
        .where('kind', '=', 'duress')
        .execute()
    ).length,
    1,
  );
  assert.deepEqual(
    (await services.duress.alarmFor(alertId))?.location,
    { lat: 51.3, lng: 0.95 },
    'newest location kept',
  );

  const own = await services.visits.timelineFor(chloe, visitId);
  assert.ok(
    own.every((e) => String(e.alert_id) !== alertId),
    "no alarm lines on the worker's own session",
  );
  assert.ok(!own.some((e) => /alarm|duress|Responders/i.test(e.text)));
  const managers = await services.visits.timelineFor(aisha, visitId);
  assert.ok(
    managers.some((e) => String(e.alert_id) === alertId),
    'the manager sees it',
  );

  assert.ok(
    !(await services.alerts.listFor(chloe, { q: '', kind: null, closed: false, page: 1 })).rows.some(
      (a) => String(a.id) === alertId,
    ),
  );
  assert.ok(
    (await services.alerts.listFor(aisha, { q: '', kind: null, closed: false, page: 1 })).rows.some(
      (a) => String(a.id) === alertId,
    ),
  );
  await assert.rejects(services.alerts.view(chloe, alertId), NotFoundError);
  const board = await services.board.board(chloe);
  assert.ok(board.rows.filter((r) => r.id === visitId).every((r) => r.alert_kind !== 'duress'));
  assert.ok((await services.board.board(aisha)).rows.some((r) => r.id === visitId && r.alert_kind === 'duress'));

  // Only the worker can raise their own alarm.
  await assert.rejects(
    services.duress.raise(aisha, { workerId: chloe.staffId!, visitId, via: 'control', location: null }),
    /Only the worker/,
  );
  await services.alerts.resolve(aisha, alertId, 'false_alarm', 'Tapped by mistake');
});

test(`[${engineName}] a team's own duress policy is used, without any step that would message the worker`, async () => {
  const teamId = (
    await db().selectFrom('staff').select('team_id').where('id', '=', chloe.staffId!).executeTakeFirstOrThrow()
  ).team_id!;
  await services.alerts.savePolicy(await actorFor(db(), 'alex.morganadmin@harbour.example'), teamId, 'duress', [
    { key: 'worker', label: 'Ask the worker', targets: ['worker'], delaySeconds: 0 },
    { key: 'manager', label: 'Manager first', targets: ['line_manager', 'worker'], delaySeconds: 60 },
  ]);
  const visitId = await runningVisit(chloe);
  const alertId = await services.duress.raise(chloe, { workerId: chloe.staffId!, visitId, via: 'pin', location: null });
  await services.engine.tick();
  assert.deepEqual(
    (await messages({ alertId })).map((m) => m.given_name),
    ['Aisha'],
  );
  await services.alerts.savePolicy(await actorFor(db(), 'alex.morganadmin@harbour.example'), teamId, 'duress', null);
  await services.alerts.resolve(aisha, alertId, 'safe', null);
});

test(`[${engineName}] only a duress PIN: leaving the box empty ends as usual; PINs must differ and be 4 to 8 digits`, async () => {
  await assert.rejects(services.duress.setPins(jamal, { duressPin: '12', checkoutPin: '' }), ValidationError);
  await assert.rejects(services.duress.setPins(jamal, { duressPin: '1234', checkoutPin: '1234' }), ValidationError);
  await services.duress.setPins(jamal, { duressPin: '1234', checkoutPin: '' });
  assert.deepEqual(await services.duress.endForm(jamal, jamal.staffId!), { show: true, required: false });
  assert.equal(await services.duress.checkEndPin(jamal, jamal.staffId!, ''), 'normal');
  assert.equal(await services.duress.checkEndPin(jamal, jamal.staffId!, '1234'), 'duress');
  await services.duress.removePins(jamal);
  assert.equal(await services.duress.checkEndPin(jamal, jamal.staffId!, '1234'), 'normal', 'no PINs, no alarm');
});

test(`[${engineName}] Purple File: script with timestamps, 999 on no answer, call-back fires once, managers told, closed with an outcome`, async () => {
  await sql`UPDATE services SET safeguarding_lead_id = ${priya.staffId} WHERE id = (SELECT t.service_id FROM teams t JOIN staff s ON s.team_id = t.id WHERE s.id = ${chloe.staffId})`.execute(
    db(),
  );
  const visitId = await runningVisit(chloe, { lat: 51.15, lng: 0.88 });
  await assert.rejects(services.duress.candidates(chloe, null), /Purple File/, 'not for workers');
  const { people } = await services.duress.candidates(emma, null);
  const first = people.findIndex((p) => !p.inSession);
  assert.ok(
    people.slice(0, first).some((p) => p.id === chloe.staffId),
    'people on a visit come first',
  );
  const row = people.find((p) => p.id === chloe.staffId)!;
  assert.equal(row.where, '12 Example Road, Ashford, TN23 1AA');
  assert.ok(row.last_check_in_at);

  const callId = await services.duress.startCall(emma, chloe.staffId!);
  let view = await services.duress.view(emma, callId);
  assert.equal(view.call.visit_id, visitId);
  assert.equal(view.questions[0]!.text, 'Are you at 12 Example Road, Ashford, TN23 1AA?');
  assert.equal(view.next, 'at_address');
  assert.equal(view.dial999, false);

  await services.duress.answer(emma, callId, 'at_address', 'yes');
  await services.duress.answer(emma, callId, 'in_danger', 'yes');
  await services.duress.answer(emma, callId, 'need_police', 'no');
  await services.duress.answer(emma, callId, 'weapon', 'yes');
  view = await services.duress.view(emma, callId);
  assert.equal(view.next, 'need_staff');
  assert.ok(
    view.questions[0]!.answer && !Number.isNaN(Date.parse(view.questions[0]!.answer.at)),
    'each answer has its time',
  );
  assert.equal(view.pack.weapon, 'Yes: a weapon was mentioned');
  assert.equal(view.pack.lastLocation, '51.15000, 0.88000');
  assert.equal(view.pack.car, null, 'car not recorded until the emergency pack is wired');

  await services.duress.answer(emma, callId, 'need_staff', 'no_answer');
  view = await services.duress.view(emma, callId);
  assert.equal(view.dial999, true, 'no answer: dial 999');

  // "Call you back in 5 minutes?" yes: a durable timer for the responder.
  await services.duress.answer(emma, callId, 'call_back', 'yes');
  view = await services.duress.view(emma, callId);
  assert.ok(view.callback);
  const left = new Date(view.callback.due_at).getTime() - Date.now();
  assert.ok(left > 4.9 * 60_000 && left <= 5 * 60_000, `due in 5 minutes (${left} ms)`);
  assert.equal((await services.duress.tickCallbacks()).fired, 0, 'not yet');
  await sql`UPDATE purple_file_callbacks SET due_at = now() - interval '1 second' WHERE call_id = ${callId}`.execute(
    db(),
  );
  const [a, b] = await Promise.all([services.duress.tickCallbacks(), services.duress.tickCallbacks()]);
  assert.equal(a.fired + b.fired, 1, 'fires exactly once');
  assert.equal((await services.duress.tickCallbacks()).fired, 0);
  const reminder = (await messages({ link: `/purple-file/${callId}` })).filter((m) => /back now/.test(m.subject));
  assert.deepEqual(
    reminder.map((m) => m.given_name),
    ['Emma'],
  );
  assert.match(reminder[0]!.subject, /call Chloe Davies back now/);
  view = await services.duress.view(emma, callId);
  assert.equal(view.callback, null);
  assert.ok(view.lastFired);

  // Close only with an outcome; the managers are told with the answers.
  await services.duress.close(emma, callId, 'police_attended', 'Police attended, Chloe safe');
  const told = (await messages({ link: `/purple-file/${callId}` })).filter((m) => /Purple File:/.test(m.subject));
  assert.deepEqual(
    told.map((m) => m.given_name).sort(),
    ['Emma', 'Helen', 'Priya'],
    'building manager, service manager, safeguarding lead',
  );
  assert.match(told[0]!.body, /Is there a weapon\? Yes \(\d\d:\d\d\)/);
  assert.match(told[0]!.body, /Do you need a member of staff\? No answer/);
  await assert.rejects(services.duress.answer(emma, callId, 'in_danger', 'no'), /closed/);
  await assert.rejects(services.duress.close(emma, callId, 'safe', null), /closed/);
  await assert.rejects(
    services.duress.close(emma, await services.duress.startCall(emma, chloe.staffId!), 'other', null),
    ValidationError,
    '"other" needs notes',
  );

  // Helen, told about it, may open the call; a worker may not.
  await services.duress.view(helen, callId);
  await assert.rejects(services.duress.view(chloe, callId), /Purple File/);

  // The incident report starts pre-filled.
  const pre = await services.duress.incidentPrefill(emma, callId);
  assert.equal(pre.visitId, visitId);
  assert.match(pre.narrative, /Chloe Davies rang the office/);
  assert.match(pre.narrative, /Is there a weapon\? Yes/);
  assert.match(pre.narrative, /Outcome: The police attended/);
  await services.visits.end(chloe, visitId);
});

test(`[${engineName}] a major incident from an alert tells the assistant director and line manager at once`, async () => {
  const visitId = await runningVisit(chloe);
  const alertId = await services.duress.raise(chloe, { workerId: chloe.staffId!, visitId, via: 'pin', location: null });
  await assert.rejects(
    services.duress.declareMajorIncident(jamal, {
      category: 'police_arrest',
      summary: null,
      alertId,
      callId: null,
      lockdownId: null,
    }),
    /Only the people alerted/,
  );
  await assert.rejects(
    services.duress.declareMajorIncident(chloe, {
      category: 'police_arrest',
      summary: null,
      alertId,
      callId: null,
      lockdownId: null,
    }),
    NotFoundError,
  );
  const id = await services.duress.declareMajorIncident(helen, {
    category: 'hospitalisation',
    summary: 'Taken to A&E',
    alertId,
    callId: null,
    lockdownId: null,
  });
  const sent = await messages({ link: `/major-incidents/${id}` });
  assert.deepEqual(
    sent.map((m) => m.given_name),
    ['Aisha', 'Priya'],
  );
  assert.match(sent[0]!.subject, /MAJOR INCIDENT: Hospitalisation – Chloe Davies/);
  assert.match(sent[0]!.body, /communications team/);
  const view = await services.duress.majorIncident(aisha, id);
  assert.equal(view.incident.categoryLabel, 'Hospitalisation');
  assert.deepEqual(view.told.map((t) => t.roleLabel).sort(), ['Assistant director', 'Line manager']);
  await assert.rejects(services.duress.majorIncident(jamal, id), /Only the people told/);
  const timeline = await services.alerts.view(aisha, alertId);
  assert.ok(timeline.events.some((e) => e.type === 'major_incident'));
  await services.alerts.resolve(aisha, alertId, 'incident', null);
});

test(`[${engineName}] the police pack's car comes from the emergency information pack by break-glass, recorded for the worker`, async () => {
  await services.emergency.save(chloe, {
    name: 'Chloe Davies',
    dateOfBirth: null,
    address: null,
    homePhone: null,
    mobilePhone: '07700 900 123',
    homeEmail: null,
    workEmail: null,
    car: { makeModel: 'Ford Fiesta', colour: 'Red', registration: 'AB12 CDE' },
    contacts: [
      { name: 'Sam Davies', relationship: 'Partner', homePhone: null, mobilePhone: '07700 900 456', workPhone: null },
    ],
    preferredContact: 1,
    medical: { conditions: null, medication: null, adviceIfUnwell: null },
  } as Parameters<typeof services.emergency.save>[1]);
  const visitId = await runningVisit(chloe);
  const callId = await services.duress.startCall(emma, chloe.staffId!);
  let view = await services.duress.view(emma, callId);
  assert.equal(view.pack.car, null, 'not opened by just looking at the call');
  await services.duress.openPack(emma, callId, 'Purple File: police pack');
  view = await services.duress.view(emma, callId);
  assert.deepEqual(view.pack.car, { makeModel: 'Ford Fiesta', colour: 'Red', registration: 'AB12 CDE' });
  const mine = await services.emergency.mine(chloe);
  assert.ok(
    mine.views.some((v) => v.viewer_name === 'Emma Green' && v.reason === 'Purple File: police pack'),
    'the worker sees who opened it',
  );
  assert.ok(view.events.some((e) => /opened Chloe Davies's emergency information pack/.test(e.text)));
  await assert.rejects(services.duress.openPack(chloe, callId, null), /Purple File/);
  await services.duress.close(emma, callId, 'safe', null);
  await assert.rejects(services.duress.openPack(emma, callId, null), ValidationError, 'not once the call is closed');
  await services.visits.end(chloe, visitId);
});
