import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { actorFor, buildVisitForm, drain, expireDeadline, expireNextStep } from '../helpers/lone-working.ts';
import type { Actor } from '../../src/features/auth/actor.ts';
import { addDays, londonDate, londonTime, londonToUtc } from '../../src/time/london.ts';

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let services: ReturnType<typeof buildServices>;
let chloe: Actor, dev: Actor, aisha: Actor, jamal: Actor;

before(async () => {
  database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  services = buildServices(repos, { sessionTtlHours: 12, instanceId: 'test' });
  chloe = await actorFor(database.db, 'chloe.davies@harbour.example');
  dev = await actorFor(database.db, 'dev.patel@harbour.example'); // Chloe's buddy
  aisha = await actorFor(database.db, 'aisha.khan@harbour.example'); // Chloe's line manager
  jamal = await actorFor(database.db, 'jamal.brown@harbour.example'); // another service
});
after(() => database.drop());

const db = () => database.db;
async function alertFor(visitId: number) {
  return db().selectFrom('alerts').selectAll().where('visit_id', '=', visitId).orderBy('id', 'desc').executeTakeFirst();
}
async function recipients(alertId: string, step: number) {
  const rows = await db()
    .selectFrom('notifications as n')
    .innerJoin('staff as s', 's.id', 'n.recipient_id')
    .select(['s.given_name'])
    .where('n.alert_id', '=', alertId)
    .where('n.step', '=', step)
    .orderBy('s.given_name')
    .execute();
  return rows.map((r) => r.given_name);
}

test(`[${engineName}] overdue → prompt worker → buddy → acknowledge pauses → escalate now → line manager → resolve`, async () => {
  const visitId = await services.visits.plan(chloe, buildVisitForm());
  await services.visits.arrive(chloe, visitId);
  assert.equal((await services.engine.tick()).claimed, 0, 'nothing is due yet');

  await expireDeadline(db(), visitId);
  const t1 = await services.engine.tick();
  assert.deepEqual([t1.alertsOpened, t1.stepsFired], [1, 1]);
  const alert = (await alertFor(visitId))!;
  assert.equal(alert.kind, 'overdue');
  assert.deepEqual(await recipients(alert.id, 0), ['Chloe']);
  assert.equal(
    (await db().selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow()).state,
    'overdue',
  );

  // Five minutes later (made to pass): the buddy.
  await expireNextStep(db(), alert.id);
  await services.engine.tick();
  assert.deepEqual(await recipients(alert.id, 1), ['Dev']);
  const message = await db()
    .selectFrom('notifications')
    .selectAll()
    .where('alert_id', '=', alert.id)
    .where('step', '=', 1)
    .executeTakeFirstOrThrow();
  assert.match(message.body, /Chloe Davies was due to check in by \d\d:\d\d at TN23 1AA/);
  assert.match(message.link!, new RegExp(`/alerts/${alert.id}$`));

  // The buddy is handling it: the next step waits until the pause ends.
  await services.alerts.acknowledge(dev, alert.id, 15);
  const pending = await db()
    .selectFrom('timers')
    .selectAll()
    .where('kind', '=', 'alert_step')
    .where('subject_id', '=', alert.id)
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  assert.ok(new Date(pending.fire_at).getTime() > Date.now() + 14 * 60_000);
  assert.equal((await services.engine.tick()).stepsFired, 0);

  // Can't reach her: escalate now reaches the line manager immediately.
  await services.alerts.escalateNow(dev, alert.id);
  assert.deepEqual(await recipients(alert.id, 2), ['Aisha']);

  // The manager resolves it as safe; nothing more fires.
  await services.alerts.resolve(aisha, alert.id, 'safe', 'Phoned her; she was with the family');
  await expireNextStep(db(), alert.id);
  assert.equal((await services.engine.tick()).stepsFired, 0);
  const view = await services.alerts.view(aisha, alert.id);
  assert.equal(view.alert.status, 'resolved');
  const texts = view.events.map((e) => e.type);
  for (const t of ['planned', 'arrived', 'overdue', 'step', 'acknowledged', 'escalate_now', 'resolved'])
    assert.ok(texts.includes(t), `timeline has ${t}`);
  assert.equal(
    (await db().selectFrom('visits').select('state').where('id', '=', visitId).executeTakeFirstOrThrow()).state,
    'completed',
  );
});

test(`[${engineName}] ending or extending in time means no alert; extending after the deadline closes the alert`, async () => {
  const ended = await services.visits.plan(chloe, buildVisitForm());
  await services.visits.arrive(chloe, ended);
  await services.visits.end(chloe, ended);
  await expireDeadline(db(), ended);
  assert.equal((await services.engine.tick()).alertsOpened, 0);

  const extended = await services.visits.plan(chloe, buildVisitForm());
  await services.visits.arrive(chloe, extended);
  await expireDeadline(db(), extended);
  await services.engine.tick();
  const alert = (await alertFor(extended))!;
  await services.visits.extend(chloe, extended, 30);
  assert.equal((await alertFor(extended))!.status, 'resolved');
  const v = await db().selectFrom('visits').selectAll().where('id', '=', extended).executeTakeFirstOrThrow();
  assert.equal(v.state, 'in_progress');
  assert.equal(v.deadline_seq, 1);
  await expireNextStep(db(), alert.id);
  assert.equal((await services.engine.tick()).stepsFired, 0, 'the closed alert does not escalate');
  // The new deadline is armed and fires as a new alert.
  await expireDeadline(db(), extended);
  assert.equal((await services.engine.tick()).alertsOpened, 1);
});

test(`[${engineName}] a step fires at most once, however often it is asked`, async () => {
  const visitId = await services.visits.plan(chloe, buildVisitForm());
  await services.visits.arrive(chloe, visitId);
  await expireDeadline(db(), visitId);
  await services.engine.tick();
  const alert = (await alertFor(visitId))!;
  const again = await db()
    .transaction()
    .execute((trx) =>
      services.engine.fireSteps(trx, [
        { alertId: alert.id, step: 0 },
        { alertId: alert.id, step: 0 },
      ]),
    );
  assert.equal(again, 0);
  assert.deepEqual(await recipients(alert.id, 0), ['Chloe']);
});

test(`[${engineName}] concurrent ticks share a burst without double-firing`, async () => {
  const ids: number[] = [];
  for (let i = 0; i < 60; i++) {
    const id = await services.visits.plan(chloe, buildVisitForm());
    await services.visits.arrive(chloe, id);
    ids.push(id);
  }
  await sql`UPDATE visits SET due_at = now() - interval '1 second' WHERE id = ANY(${ids}::int[])`.execute(db());
  await sql`UPDATE timers SET fire_at = now() - interval '1 second' WHERE kind = 'visit_due' AND subject_id = ANY(${ids}::bigint[])`.execute(
    db(),
  );
  await Promise.all([
    services.engine.tick(7),
    services.engine.tick(7),
    services.engine.tick(7),
    services.engine.tick(7),
  ]);
  await drain(services);
  const { rows } = await sql<{ n: number; alerts: number }>`
    SELECT count(*)::int AS n, count(DISTINCT a.id)::int AS alerts FROM alerts a JOIN alert_steps_fired f ON f.alert_id = a.id
    WHERE a.visit_id = ANY(${ids}::int[]) AND f.step = 0`.execute(db());
  assert.deepEqual(rows[0], { n: 60, alerts: 60 });
  const notes = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM notifications n JOIN alerts a ON a.id = n.alert_id WHERE a.visit_id = ANY(${ids}::int[])`.execute(
    db(),
  );
  assert.equal(notes.rows[0]!.n, 60);
});

test(`[${engineName}] only the worker's people may see or act on an alert`, async () => {
  const visitId = await services.visits.plan(chloe, buildVisitForm());
  await services.visits.arrive(chloe, visitId);
  await expireDeadline(db(), visitId);
  await services.engine.tick();
  const alert = (await alertFor(visitId))!;
  await assert.rejects(services.alerts.view(jamal, alert.id), /Only the people alerted/);
  await assert.rejects(services.alerts.resolve(jamal, alert.id, 'safe', null), /Only the people alerted/);
  await assert.rejects(services.visits.extend(jamal, visitId, 30));
  assert.ok((await services.alerts.view(dev, alert.id)).alert);
});

test(`[${engineName}] end of day: no "finished and safe" alerts the buddy; confirming stands it down`, async () => {
  const visitId = await services.visits.plan(dev, buildVisitForm());
  await services.visits.arrive(dev, visitId);
  await services.visits.end(dev, visitId);
  // The working day ends (made to pass).
  await sql`UPDATE timers SET fire_at = now() - interval '1 second' WHERE kind = 'end_of_day' AND status = 'pending'`.execute(
    db(),
  );
  await sql`UPDATE day_confirmations SET finish_at = now() - interval '1 second'`.execute(db());
  await drain(services);
  const alert = await db()
    .selectFrom('alerts')
    .selectAll()
    .where('worker_id', '=', dev.staffId!)
    .where('kind', '=', 'end_of_day')
    .executeTakeFirstOrThrow();
  assert.deepEqual(await recipients(alert.id, 0), ['Chloe'], 'Dev’s buddy is Chloe');
  await services.visits.finishDay(dev, dev.staffId!);
  assert.equal(
    (await db().selectFrom('alerts').select('status').where('id', '=', alert.id).executeTakeFirstOrThrow()).status,
    'resolved',
  );
});

test(`[${engineName}] a late session running past midnight belongs to the day it began; "finished and safe" after midnight stands that day down`, async () => {
  const jamalVisit = await services.visits.plan(jamal, buildVisitForm());
  // The session started at 23:50 yesterday (London) and was planned to last an hour.
  const today = londonDate(new Date());
  const yesterday = addDays(today, -1);
  const startedAt = londonToUtc(yesterday, '23:50')!;
  await sql`UPDATE visits SET starts_at = ${startedAt}, ends_at = ${new Date(startedAt.getTime() + 3600_000)} WHERE id = ${jamalVisit}`.execute(
    db(),
  );
  await services.visits.arrive(jamal, jamalVisit);
  const days = await sql<{
    day: string;
  }>`SELECT work_date::text AS day FROM day_confirmations WHERE worker_id = ${jamal.staffId!}`.execute(db());
  assert.deepEqual(
    days.rows.map((d) => d.day),
    [yesterday],
    'the end-of-day check is for the day the session began',
  );
  await services.visits.end(jamal, jamalVisit);
  await sql`UPDATE timers SET fire_at = now() - interval '1 second' WHERE kind = 'end_of_day' AND status = 'pending'`.execute(
    db(),
  );
  await sql`UPDATE day_confirmations SET finish_at = now() - interval '1 second' WHERE worker_id = ${jamal.staffId!}`.execute(
    db(),
  );
  await drain(services);
  const alert = await db()
    .selectFrom('alerts')
    .selectAll()
    .where('worker_id', '=', jamal.staffId!)
    .where('kind', '=', 'end_of_day')
    .executeTakeFirstOrThrow();
  await services.visits.finishDay(jamal, jamal.staffId!);
  assert.equal(
    (await db().selectFrom('alerts').select('status').where('id', '=', alert.id).executeTakeFirstOrThrow()).status,
    'resolved',
  );
  const confirmed = await db()
    .selectFrom('day_confirmations')
    .select('confirmed_at')
    .where('worker_id', '=', jamal.staffId!)
    .where('work_date', '=', yesterday)
    .executeTakeFirstOrThrow();
  assert.ok(confirmed.confirmed_at, 'yesterday’s day is the one confirmed');
});

test(`[${engineName}] an end time before the start is after midnight; one that would make the session over 16 hours is refused`, async () => {
  const day = addDays(londonDate(new Date()), 3);
  const [y, m, d] = day.split('-');
  const late = await services.visits.plan(
    chloe,
    buildVisitForm({ 'date-day': d!, 'date-month': m!, 'date-year': y!, startTime: '22:30', endTime: '00:45' }),
  );
  const row = await db()
    .selectFrom('visits')
    .select(['starts_at', 'ends_at'])
    .where('id', '=', late)
    .executeTakeFirstOrThrow();
  assert.equal(new Date(row.starts_at).toISOString(), londonToUtc(day, '22:30')!.toISOString());
  assert.equal(new Date(row.ends_at).toISOString(), londonToUtc(addDays(day, 1), '00:45')!.toISOString());
  await assert.rejects(
    services.visits.plan(
      chloe,
      buildVisitForm({ 'date-day': d!, 'date-month': m!, 'date-year': y!, startTime: '10:00', endTime: '09:00' }),
    ),
    (e: { errors?: { field: string; message: string }[] }) =>
      e.errors?.[0]?.field === 'endTime' &&
      /taken as after midnight, which would make this session 23 hours long/.test(e.errors[0].message),
  );
});

test(`[${engineName}] a visit that ended long ago cannot be planned, with every other error at once`, async () => {
  const past = { 'date-day': '1', 'date-month': '1', 'date-year': '2020', startTime: '10:00', endTime: '11:00' };
  await assert.rejects(
    services.visits.plan(chloe, buildVisitForm({ ...past, address: null, postcode: null })),
    (e: { errors?: { field: string; message: string }[] }) => {
      assert.deepEqual(e.errors?.map((x) => x.field).sort(), ['address', 'date-day']);
      assert.match(e.errors!.find((x) => x.field === 'date-day')!.message, /already ended/);
      return true;
    },
  );
  // Entered just after it ended (the worker forgot to plan it): still accepted.
  const justNow = new Date(Date.now() - 2 * 3_600_000);
  const [y, m, d] = londonDate(justNow).split('-');
  const start = londonTime(new Date(justNow.getTime() - 3_600_000));
  const end = londonTime(justNow);
  if (start < end)
    await services.visits.plan(
      chloe,
      buildVisitForm({ 'date-day': d!, 'date-month': m!, 'date-year': y!, startTime: start, endTime: end }),
    );
});

test(`[${engineName}] a check-in is a timeline row: the session, the alert and the Purple File read the newest check-in and location from it`, async () => {
  const repos = buildRepositories(db());
  const visitId = await services.visits.plan(chloe, buildVisitForm());
  await services.visits.arrive(chloe, visitId, { lat: 51.1, lng: 0.8 });
  const arrived = (await repos.visits.get(visitId))!;
  assert.deepEqual(arrived.last_location, { lat: 51.1, lng: 0.8 }, 'the arrival location until a check-in shares one');
  await new Promise((r) => setTimeout(r, 5));
  await services.visits.checkIn(chloe, visitId, { lat: 51.2, lng: 0.9 });
  await services.visits.checkIn(chloe, visitId, null);
  const checked = (await repos.visits.get(visitId))!;
  assert.deepEqual(
    checked.last_location,
    { lat: 51.2, lng: 0.9 },
    'the newest location shared, even after a check-in without one',
  );
  assert.ok(new Date(checked.last_check_in_at!).getTime() > new Date(arrived.last_check_in_at!).getTime());
  const rows = await db()
    .selectFrom('timeline_events')
    .select(['type', 'actor_id', 'text'])
    .where('visit_id', '=', visitId)
    .where('type', '=', 'check_in')
    .orderBy('id')
    .execute();
  assert.deepEqual(
    rows.map((r) => [r.actor_id, r.text]),
    [
      [chloe.staffId, 'Checked in, location shared'],
      [chloe.staffId, 'Checked in'],
    ],
  );
  const visitRow = await db()
    .selectFrom('visits')
    .select(['last_check_in_at'])
    .where('id', '=', visitId)
    .executeTakeFirstOrThrow();
  assert.equal(
    new Date(visitRow.last_check_in_at!).getTime(),
    new Date(arrived.last_check_in_at!).getTime(),
    'the visit row itself is not rewritten',
  );

  // Someone with no relation to Chloe cannot check in for her; nobody can on an ended session.
  await assert.rejects(services.visits.checkIn(jamal, visitId, null));
  await expireDeadline(db(), visitId);
  await services.engine.tick();
  const alert = (await alertFor(visitId))!;
  const seen = await services.alerts.view(dev, alert.id);
  assert.deepEqual(seen.alert.last_location, { lat: 51.2, lng: 0.9 });
  assert.equal(new Date(seen.alert.last_check_in_at!).getTime(), new Date(checked.last_check_in_at!).getTime());
  await services.visits.end(chloe, visitId);
  await assert.rejects(services.visits.checkIn(chloe, visitId, null), /not running/);
});
