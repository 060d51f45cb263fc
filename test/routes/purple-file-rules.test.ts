/**
 * Issue 14: the Purple File follows the break-glass rule. Over HTTP with CSRF on: a call only about
 * a worker the responder covers (or by a duty officer); starting one raises a silent alarm if none
 * is open; every call action refused to someone who does not cover the worker; the person list
 * shows only covered workers, open alarms first and marked; the police pack needs a real reason and
 * stays open for the call, every showing audited; the call links every open alarm and closing it
 * can close them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm, expireDeadline } from '../helpers/lone-working.ts';
import { unescapeHtml } from './support.ts';

let t: TestApp;
let emma: Agent, mark: Agent, sophie: Agent;

before(async () => {
  t = await startTestApp();
  [emma, mark, sophie] = (await Promise.all(
    [demo.businessSupport, demo.otherTeamManager, 'sophie.turner@harbour.example'].map((e) => t.signIn(e)),
  )) as [Agent, Agent, Agent];
});
after(() => t.close());

const db = () => t.repos.db;
const text = (html: string) => unescapeHtml(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
const openAlerts = async (workerId: number) =>
  db()
    .selectFrom('alerts')
    .select(['id', 'kind', 'status'])
    .where('worker_id', '=', workerId)
    .where('status', '<>', 'resolved')
    .orderBy('id')
    .execute();
async function closeAll() {
  const helen = await actorFor(db(), demo.serviceManager);
  for (const a of await db().selectFrom('alerts').select('id').where('status', '<>', 'resolved').execute())
    await t.services.alerts.resolve(helen, String(a.id), 'false_alarm', 'test tidy');
}
const breakGlassAudits = async () =>
  Number(
    (
      await db()
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('action', '=', 'emergency_pack.break_glass')
        .executeTakeFirstOrThrow()
    ).n,
  );

test('someone who does not cover the worker can neither start nor act on a call about them, nor see them listed', async () => {
  const chloe = (await actorFor(db(), demo.worker)).staffId!;
  const callId = await t.services.duress.startCall(await actorFor(db(), demo.businessSupport), chloe);
  for (const [who, agent] of [
    ['Mark (another team’s manager)', mark],
    ['Sophie (another team’s business support)', sophie],
  ] as const) {
    const list = await agent.get('/purple-file');
    assert.equal(list.statusCode, 200, who);
    assert.doesNotMatch(list.body, /Chloe Davies/, `${who}: Chloe is not listed, nor her call`);
    assert.doesNotMatch(list.body, /12 Example Road/, `${who}: no visit addresses of people they do not cover`);
    const token = await agent.csrf('/purple-file');
    const before = await db()
      .selectFrom('purple_file_calls')
      .select(['answers', 'status', 'pack_reason', 'managers_notified_at'])
      .where('id', '=', callId)
      .executeTakeFirstOrThrow();
    const start = await agent.post('/purple-file', { _csrf: token, workerId: String(chloe) });
    assert.equal(start.statusCode, 403, `${who}: start a call about Chloe`);
    assert.match(unescapeHtml(start.body), /only about someone you cover/);
    assert.equal((await agent.get(`/purple-file/${callId}`)).statusCode, 403, `${who}: see the call`);
    for (const [path, body] of [
      ['answers', { question: 'at_address', answer: 'yes' }],
      ['callback', {}],
      ['callback/cancel', {}],
      ['pack', { reason: 'The police asked for her car' }],
      ['notify', {}],
      ['close', { outcome: 'false_alarm' }],
    ] as const) {
      const res = await agent.post(`/purple-file/${callId}/${path}`, { _csrf: token, ...body });
      assert.equal(res.statusCode, 403, `${who}: ${path}`);
    }
    assert.deepEqual(
      await db()
        .selectFrom('purple_file_calls')
        .select(['answers', 'status', 'pack_reason', 'managers_notified_at'])
        .where('id', '=', callId)
        .executeTakeFirstOrThrow(),
      before,
      `${who}: nothing changed`,
    );
  }
  await closeAll();
});

test('starting a call raises a silent alarm if none is open, so the worker’s chain knows at once; the list shows open alarms first, marked', async () => {
  const chloe = (await actorFor(db(), demo.worker)).staffId!;
  await closeAll();
  const token = await emma.csrf('/purple-file');
  const start = await emma.post('/purple-file', { _csrf: token, workerId: String(chloe) });
  assert.equal(start.statusCode, 303);
  const alerts = await openAlerts(chloe);
  assert.deepEqual(
    alerts.map((a) => a.kind),
    ['duress'],
  );
  const alarm = await db()
    .selectFrom('duress_alarms')
    .select('via')
    .where('alert_id', '=', alerts[0]!.id)
    .executeTakeFirstOrThrow();
  assert.equal(alarm.via, 'purple_file');
  await t.services.engine.tick();
  const told = await db()
    .selectFrom('notifications as n')
    .innerJoin('staff as s', 's.id', 'n.recipient_id')
    .select('s.given_name')
    .where('n.alert_id', '=', alerts[0]!.id)
    .execute();
  assert.ok(
    told.some((x) => x.given_name === 'Aisha'),
    'her line manager is told at once',
  );
  const call = await db()
    .selectFrom('purple_file_calls')
    .select(['id', 'alert_id'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  assert.equal(String(call.alert_id), String(alerts[0]!.id));
  // A second call while it is open raises nothing more.
  await emma.post('/purple-file', { _csrf: token, workerId: String(chloe) });
  assert.equal((await openAlerts(chloe)).length, 1);

  const list = text((await emma.get('/purple-file')).body);
  const firstPerson =
    /People with an open alarm are listed first, then people on a visit now (.*?) Silent alarm open since/.exec(list);
  assert.ok(firstPerson, 'Chloe is marked with her open alarm');
  assert.match(firstPerson[1]!, /^Chloe Davies\s*$/, 'and listed first');
  await closeAll();
});

test('the police pack needs a real reason, then stays open for the call with every showing audited; the call links every open alarm and closing it closes them', async () => {
  const chloeActor = await actorFor(db(), demo.worker);
  const chloe = chloeActor.staffId!;
  await closeAll();
  await t.services.emergency.save(chloeActor, {
    name: 'Chloe Davies',
    dateOfBirth: null,
    address: null,
    homePhone: null,
    mobilePhone: '07700 900 123',
    homeEmail: null,
    workEmail: null,
    description: 'Tall, red coat',
    car: { makeModel: 'Ford Fiesta', colour: 'Red', registration: 'AB12 CDE' },
    contacts: [
      { name: 'Sam Davies', relationship: 'Partner', homePhone: null, mobilePhone: '07700 900 456', workPhone: null },
    ],
    preferredContact: 1,
    medical: { conditions: null, medication: null, adviceIfUnwell: null },
  } as Parameters<typeof t.services.emergency.save>[1]);
  // Two alarms about Chloe: a missed check-in, then the silent alarm the call raises.
  const visitId = await t.services.visits.plan(chloeActor, buildVisitForm());
  await t.services.visits.arrive(chloeActor, visitId);
  await expireDeadline(db(), visitId);
  await t.services.engine.tick();
  const callId = await t.services.duress.startCall(await actorFor(db(), demo.businessSupport), chloe);
  const alerts = await openAlerts(chloe);
  assert.deepEqual(
    alerts.map((a) => a.kind),
    ['overdue', 'duress'],
  );

  let page = await emma.get(`/purple-file/${callId}`);
  for (const a of alerts) assert.ok(page.body.includes(`href="/alerts/${a.id}"`), `the call links alert ${a.id}`);
  assert.match(text(page.body), /Car Recorded – open to read out/);
  assert.doesNotMatch(text(page.body), /Car Not recorded/);
  assert.equal(/id="reason"[^>]*value="[^"]+"/.test(page.body), false, 'no reason filled in for them');

  const token = await emma.csrf(`/purple-file/${callId}`);
  for (const reason of ['', 'pack', 'Purple File call: police information pack']) {
    const res = await emma.post(`/purple-file/${callId}/pack`, { _csrf: token, reason });
    assert.equal(res.statusCode, 400, `reason "${reason}"`);
    assert.match(unescapeHtml(res.body), /own words|Enter why/);
  }
  const audits = await breakGlassAudits();
  const open = await emma.post(`/purple-file/${callId}/pack`, {
    _csrf: token,
    reason: 'Police asked for her car and description',
  });
  assert.equal(open.statusCode, 303);
  page = await emma.get(String(open.headers.location));
  assert.match(text(page.body), /Red Ford Fiesta, registration AB12 CDE/);
  assert.match(text(page.body), /Tall, red coat/);
  // The next action does not close it again.
  await emma.post(`/purple-file/${callId}/answers`, { _csrf: token, question: 'at_address', answer: 'yes' });
  page = await emma.get(`/purple-file/${callId}`);
  assert.match(text(page.body), /Red Ford Fiesta/);
  assert.equal(await breakGlassAudits(), audits + 2, 'each showing is audited');

  const close = await emma.post(`/purple-file/${callId}/close`, { _csrf: token, outcome: 'safe', closeAlarms: 'yes' });
  assert.equal(close.statusCode, 303);
  assert.deepEqual(await openAlerts(chloe), [], 'both alarms closed with the call');
  const closed = await db()
    .selectFrom('alerts')
    .select(['outcome', 'outcome_notes'])
    .where(
      'id',
      'in',
      alerts.map((a) => a.id),
    )
    .execute();
  assert.deepEqual(
    closed.map((c) => c.outcome),
    ['safe', 'safe'],
  );
  assert.match(closed[0]!.outcome_notes ?? '', /Purple File call: The worker is safe/);
  page = await emma.get(`/purple-file/${callId}`);
  assert.doesNotMatch(text(page.body), /Red Ford Fiesta/, 'closed: the pack is shut');
});
