/**
 * Issue 14: responders cannot miss an alarm, and the rules that protect the worker. Over HTTP with
 * CSRF on: the alarm bar on every page (without JavaScript) and its live stream; the subject of an
 * alarm cannot act on it (a duress alarm's subject gets the 404 its page gives); "Escalate now"
 * never escalates to the person who pressed it; acknowledge and escalate say when the next step
 * fires; "Finished and safe" is refused while a session runs or an alarm is open; a team manager
 * cannot allocate her own buddy; the board counts people.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm, expireDeadline, expireNextStep } from '../helpers/lone-working.ts';
import { unescapeHtml } from './support.ts';

let t: TestApp;
let chloe: Agent, aisha: Agent, emma: Agent, fiona: Agent, dev: Agent;

before(async () => {
  t = await startTestApp();
  [chloe, aisha, emma, fiona, dev] = (await Promise.all(
    [demo.worker, demo.teamManager, demo.businessSupport, demo.healthAndSafety, 'dev.patel@harbour.example'].map((e) =>
      t.signIn(e),
    ),
  )) as [Agent, Agent, Agent, Agent, Agent];
});
after(() => t.close());

const db = () => t.repos.db;
async function runningVisit(email = demo.worker) {
  const actor = await actorFor(db(), email);
  const id = await t.services.visits.plan(actor, buildVisitForm());
  await t.services.visits.arrive(actor, id);
  return id;
}
async function duressAlarm() {
  const visitId = await runningVisit();
  const alertId = await t.services.duress.raise(await actorFor(db(), demo.worker), {
    workerId: (await actorFor(db(), demo.worker)).staffId!,
    visitId,
    via: 'control',
    location: null,
  });
  await t.services.engine.tick();
  return { visitId, alertId };
}
async function overdueAlert() {
  const visitId = await runningVisit();
  await expireDeadline(db(), visitId);
  await t.services.engine.tick();
  const a = await db().selectFrom('alerts').select('id').where('visit_id', '=', visitId).executeTakeFirstOrThrow();
  return { visitId, alertId: String(a.id) };
}
async function closeAll() {
  const helen = await actorFor(db(), demo.serviceManager);
  for (const a of await db().selectFrom('alerts').select('id').where('status', '<>', 'resolved').execute())
    await t.services.alerts.resolve(helen, String(a.id), 'false_alarm', 'test tidy');
}
const text = (html: string) => unescapeHtml(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

test('the alarm bar: every page of the people who cover the worker shows a new alarm, without JavaScript; never the worker’s or someone who only sees everyone', async () => {
  const { alertId } = await duressAlarm();
  for (const [who, agent] of [
    ['Aisha (line manager)', aisha],
    ['Emma (team business support)', emma],
    ['Dev (buddy)', dev],
  ] as const) {
    for (const url of ['/', '/people', '/incidents', '/registers']) {
      const res = await agent.get(url);
      assert.equal(res.statusCode, 200, `${who} ${url}`);
      assert.match(res.body, /class="harbour-alarm-bar"/, `${who} sees the alarm bar on ${url}`);
      assert.match(text(res.body), /1 person needs a response now/);
      assert.match(
        text(res.body),
        /Chloe Davies ?: duress alarm since \d{1,2}:\d{2}, 12 Example Road, Ashford, TN23 1AA/,
      );
      assert.ok(res.body.includes(`href="/alerts/${alertId}"`), 'one link to act');
    }
    const home = await agent.get('/');
    assert.match(home.body, /data-nav-count="alerts">1</, `${who}: the count on Alerts`);
  }
  for (const [who, agent] of [
    ['Chloe (the worker)', chloe],
    ['Fiona (health and safety sees everyone but covers nobody)', fiona],
  ] as const) {
    const res = await agent.get('/');
    assert.doesNotMatch(res.body, /harbour-alarm-bar"|duress|silent alarm/i, who);
    assert.match(res.body, /data-nav-count="alerts" hidden>0</, `${who}: no count`);
  }
  // The live stream sends the same bar.
  const stream = await aisha.get('/live/events?once=1');
  assert.equal(stream.statusCode, 200);
  assert.match(String(stream.headers['content-type']), /text\/event-stream/);
  const event = JSON.parse(/data: (.*)\n/.exec(stream.body)![1]!) as {
    html: string;
    alarms: { id: string; text: string }[];
  };
  assert.deepEqual(
    event.alarms.map((a) => a.id),
    [alertId],
  );
  assert.match(event.html, /harbour-alarm-bar/);
  const chloeStream = await chloe.get('/live/events?once=1');
  assert.doesNotMatch(chloeStream.body, /Chloe|duress/i, 'the worker’s own stream says nothing');
  await closeAll();
});

test('every action on a duress alarm by its subject gets the 404 its page gives, and changes nothing', async () => {
  const { alertId } = await duressAlarm();
  const before = await db()
    .selectFrom('alerts')
    .select(['status', 'next_step', 'acknowledged_at'])
    .where('id', '=', alertId)
    .executeTakeFirstOrThrow();
  const token = await chloe.csrf('/');
  assert.equal((await chloe.get(`/alerts/${alertId}`)).statusCode, 404);
  for (const [path, body] of [
    ['acknowledge', {}],
    ['escalate', {}],
    ['safe', {}],
    ['resolve', { outcome: 'false_alarm', notes: 'it was me' }],
  ] as const) {
    const res = await chloe.post(`/alerts/${alertId}/${path}`, { _csrf: token, ...body });
    assert.equal(res.statusCode, 404, path);
    assert.doesNotMatch(res.body, /duress|alarm/i, `${path}: the 404 page says nothing about an alarm`);
  }
  const after = await db()
    .selectFrom('alerts')
    .select(['status', 'next_step', 'acknowledged_at'])
    .where('id', '=', alertId)
    .executeTakeFirstOrThrow();
  assert.deepEqual(after, before);
  await closeAll();
});

test('the worker an overdue alert is about cannot answer it for the responders (403 with the reason)', async () => {
  const { alertId } = await overdueAlert();
  const token = await chloe.csrf('/');
  for (const path of ['acknowledge', 'escalate', 'safe']) {
    const res = await chloe.post(`/alerts/${alertId}/${path}`, { _csrf: token });
    assert.equal(res.statusCode, 403, path);
    assert.match(unescapeHtml(res.body), /end or extend your session/);
  }
  await closeAll();
});

test('"Escalate now" pressed by the line manager skips the step that would tell only her; acknowledge and escalate confirm when the next step fires', async () => {
  const { alertId } = await overdueAlert();
  await expireNextStep(db(), alertId);
  await t.services.engine.tick(); // step 2: the buddy (Dev)
  const token = await aisha.csrf(`/alerts/${alertId}`);
  const res = await aisha.post(`/alerts/${alertId}/escalate`, { _csrf: token });
  assert.equal(res.statusCode, 303);
  assert.equal(res.headers.location, `/alerts/${alertId}?done=escalated`);
  const aishaId = (await actorFor(db(), demo.teamManager)).staffId!;
  const helenId = (await actorFor(db(), demo.serviceManager)).staffId!;
  const told = await db()
    .selectFrom('notifications')
    .select(['step', 'recipient_id'])
    .where('alert_id', '=', alertId)
    .where('step', '>=', 2)
    .orderBy('step')
    .execute();
  assert.ok(!told.some((n) => n.recipient_id === aishaId), 'Aisha is never told about her own escalation');
  assert.ok(
    told.some((n) => n.step === 3 && n.recipient_id === helenId),
    'the service manager is told at once',
  );
  const page = text((await aisha.get(String(res.headers.location))).body);
  assert.match(
    page,
    /Escalated: the next people on the route have been told\. The next step \(Assistant director\) fires at \d{1,2}:\d{2}/,
  );
  assert.match(page, /Line manager would only have told Aisha Khan: escalated to the next step/);

  const ack = await aisha.post(`/alerts/${alertId}/acknowledge`, { _csrf: token });
  assert.equal(ack.headers.location, `/alerts/${alertId}?done=acknowledged`);
  assert.match(
    text((await aisha.get(String(ack.headers.location))).body),
    /You are handling it\. The next step \(Assistant director\) fires at \d{1,2}:\d{2} unless the alert is closed/,
  );
  await closeAll();
});

test('the alert page: a visit’s deadline for a missed check-in, "raised at" for a duress alarm, one personal mobile with its source', async () => {
  const { alertId: overdue } = await overdueAlert();
  const page = text((await aisha.get(`/alerts/${overdue}`)).body);
  assert.match(page, /Visit due to end by \d{1,2}:\d{2}/);
  assert.equal(page.match(/Personal mobile/g)?.length, 1);
  const { alertId: duress } = await duressAlarm();
  const dpage = text((await aisha.get(`/alerts/${duress}`)).body);
  assert.match(dpage, /Raised at \d{1,2}:\d{2}/);
  assert.doesNotMatch(dpage, /Was due by/);
  await closeAll();
});

test('"Finished and safe" is refused while a session runs or an alarm is open, and never names a silent alarm', async () => {
  const visitId = await runningVisit();
  const running = await chloe.submit('/visits', '/day/finish', {});
  assert.equal(running.statusCode, 400);
  assert.match(unescapeHtml(running.body), /A session is still running/);
  await t.services.visits.end(await actorFor(db(), demo.worker), visitId);

  // Duress PIN: the session ended as usual, but the alarm is open.
  const { visitId: v2 } = await duressAlarm();
  await t.services.visits.end(await actorFor(db(), demo.worker), v2);
  const alarm = await chloe.submit('/visits', '/day/finish', {});
  assert.equal(alarm.statusCode, 400);
  assert.match(unescapeHtml(alarm.body), /Harbour cannot record that yet/);
  assert.doesNotMatch(alarm.body, /duress|alarm/i);
  const confirmed = await db()
    .selectFrom('day_confirmations')
    .select('confirmed_at')
    .where('worker_id', '=', (await actorFor(db(), demo.worker)).staffId!)
    .where('confirmed_at', 'is not', null)
    .execute();
  assert.equal(confirmed.length, 0);
  await closeAll();
  const ok = await chloe.submit('/visits', '/day/finish', {});
  assert.equal(ok.statusCode, 303);
});

test('a team manager cannot allocate her own buddy', async () => {
  const aishaId = (await actorFor(db(), demo.teamManager)).staffId!;
  const before = await db().selectFrom('staff').select('buddy_id').where('id', '=', aishaId).executeTakeFirstOrThrow();
  const res = await aisha.submit('/', `/people/${aishaId}/buddy`, {
    buddyId: String((await actorFor(db(), demo.worker)).staffId),
  });
  assert.equal(res.statusCode, 403);
  assert.match(unescapeHtml(res.body), /allocated by your own manager/);
  assert.deepEqual(
    await db().selectFrom('staff').select('buddy_id').where('id', '=', aishaId).executeTakeFirstOrThrow(),
    before,
  );
});

test('the board counts people, not alerts, and lists them with links', async () => {
  await duressAlarm();
  await overdueAlert(); // two of Chloe's sessions, two alarms: one person
  const html = (await aisha.get('/board')).body;
  assert.match(text(html), /1 person needs a response now Chloe Davies/);
  assert.match(html, /<li><a href="\/alerts\/\d+">Chloe Davies<\/a><\/li>/);
  const stream = await aisha.get('/board/events?once=1');
  assert.equal((JSON.parse(/data: (.*)\n/.exec(stream.body)![1]!) as { alarms: number }).alarms, 1);
  await closeAll();
});

test('a running lockdown shows in the alarm bar of the people it alerted, until the all clear', async () => {
  const helen = await actorFor(db(), demo.serviceManager);
  const civic = (
    await db().selectFrom('buildings').select('id').where('name', '=', 'Civic Centre').executeTakeFirstOrThrow()
  ).id;
  const id = await t.services.lockdown.start(helen, { buildingId: civic, location: 'outside', details: null });
  const page = text((await chloe.get('/people')).body);
  assert.match(
    page,
    /Building lockdown Lockdown at Civic Centre since \d{1,2}:\d{2} \(incident outside the building\)\. Open the lockdown/,
  );
  assert.doesNotMatch(
    text((await t.signIn('jamal.brown@harbour.example').then((a) => a.get('/'))).body),
    /Lockdown at Civic Centre/,
    'not someone based elsewhere',
  );
  await t.services.lockdown.allClear(helen, id, {
    policeAttended: 'no',
    policeAllClear: false,
    reason: null,
    note: null,
  });
  assert.doesNotMatch(text((await chloe.get('/people')).body), /Lockdown at Civic Centre/);
});

/** The one event a stream sends first (?once=1), parsed. */
async function streamOf(agent: Agent) {
  const res = await agent.get('/live/events?once=1');
  assert.equal(res.statusCode, 200);
  return JSON.parse(/data: (.*)\n/.exec(res.body)![1]!) as {
    html: string;
    alarms: { id: string }[];
    inbox: number;
    mine: string;
  };
}
/** The element with this id, up to its own closing tag (same-named tags inside counted). */
function regionOf(html: string, id: string): string {
  const at = html.indexOf(`id="${id}"`);
  assert.ok(at >= 0, `no #${id}`);
  const start = html.lastIndexOf('<', at);
  const tag = /^<(\w+)/.exec(html.slice(start))![1]!;
  const re = new RegExp(`<${tag}[\\s>]|</${tag}>`, 'g');
  re.lastIndex = start + 1;
  let depth = 1;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return html.slice(start, m.index);
  }
  throw new Error(`#${id} is not closed`);
}
const mineOnPage = (html: string) => unescapeHtml(/data-live-mine="([^"]*)"/.exec(html)?.[1] ?? 'none');

test('issue 13 in the bar: "Not reached by text or email: <name>" on every page and in the live stream, until someone is reached', async () => {
  const { alertId } = await overdueAlert();
  await expireNextStep(db(), alertId);
  await t.services.engine.tick(); // step 2: Dev Patel, Chloe's buddy
  assert.doesNotMatch(text((await aisha.get('/people')).body), /Not reached/);
  const before = await t.services.alarms.version();
  // Every external channel to Dev has failed.
  await db()
    .updateTable('notifications')
    .set({ unreached_since: new Date(), cycles: 1, channel: 'sms' })
    .where('alert_id', '=', alertId)
    .where('step', '=', 1)
    .execute();
  assert.notEqual(
    await t.services.alarms.version(),
    before,
    'the live poll sees the change (so open streams send the bar again)',
  );
  for (const url of ['/', '/people', `/alerts/${alertId}`]) {
    assert.match(
      text((await aisha.get(url)).body),
      /Chloe Davies ?: missed check-in since \d{1,2}:\d{2}[^.]*\. Respond[^.]*Not reached by text or email: Dev Patel\./,
      url,
    );
  }
  assert.match(text((await streamOf(aisha)).html), /Not reached by text or email: Dev Patel\./);
  // A text reaches him: the warning goes from the bar too.
  await db()
    .updateTable('notifications')
    .set({ accepted_at: new Date(), unreached_since: null, status: 'sent' })
    .where('alert_id', '=', alertId)
    .where('step', '=', 1)
    .execute();
  assert.doesNotMatch(text((await aisha.get('/people')).body), /Not reached/);
  assert.doesNotMatch((await streamOf(aisha)).html, /Not reached/);
  await closeAll();
});

test('the inbox and a worker’s visit pages are live: the stream’s fingerprint of one’s own pages changes with a new message or a change to one’s visit, never for a silent alarm about oneself', async () => {
  // The pages mark what is fetched again; a worker's tap forms are never inside a live region.
  const visitId = await runningVisit();
  for (const [url, ids] of [
    ['/inbox', ['inbox-messages']],
    [`/visits/${visitId}`, ['visit-facts', 'visit-timeline']],
    ['/visits', ['visits-overdue', 'visits-today']],
  ] as const) {
    const html = (await chloe.get(url)).body;
    for (const id of ids) {
      assert.match(html, new RegExp(`id="${id}" data-live-refresh`), `${url}: ${id}`);
      assert.doesNotMatch(regionOf(html, id), /data-offline-action/, `${url}: no tap form inside ${id}`);
    }
  }
  // The page carries the fingerprint the stream starts from, so the first event changes nothing.
  const start = await streamOf(chloe);
  assert.equal(mineOnPage((await chloe.get('/inbox')).body), start.mine);

  // A silent alarm about Chloe: her fingerprint does not move (nothing on her screen may change).
  const aishaBefore = (await streamOf(aisha)).mine;
  await t.services.duress.raise(await actorFor(db(), demo.worker), {
    workerId: (await actorFor(db(), demo.worker)).staffId!,
    visitId,
    via: 'control',
    location: null,
  });
  await t.services.engine.tick();
  assert.equal((await streamOf(chloe)).mine, start.mine, 'a silent alarm about her changes nothing she is sent');
  // Aisha, told of it at once, has a new message: her fingerprint moves, as her inbox page's does.
  const aishaAfter = await streamOf(aisha);
  assert.notEqual(aishaAfter.mine, aishaBefore, 'a new message for Aisha changes her fingerprint');
  assert.equal(mineOnPage((await aisha.get('/inbox')).body), aishaAfter.mine);
  await closeAll();
  const overdue = await overdueAlert();
  // Chloe's own visit went overdue (state and timeline): hers moves too.
  assert.notEqual((await streamOf(chloe)).mine, start.mine, 'her overdue visit changes her fingerprint');
  const timeline = (await chloe.get(`/visits/${overdue.visitId}`)).body;
  assert.match(text(regionOf(timeline, 'visit-timeline')), /No check-in by the deadline/);
  await closeAll();
});

test('a visit’s page open for a manager follows that visit: the stream watches its timeline as the viewer may read it (a check-in moves it), and gives nothing for a visit the viewer may not see', async () => {
  const visitId = await runningVisit();
  const watch = async (agent: Agent, q = `?visit=${visitId}&once=1`) => {
    const res = await agent.get(`/live/events${q}`);
    assert.equal(res.statusCode, 200, q);
    return (JSON.parse(/data: (.*)\n/.exec(res.body)![1]!) as { visit: string }).visit;
  };
  assert.match(
    (await aisha.get(`/visits/${visitId}`)).body,
    new RegExp(`data-live-visit="${visitId}"`),
    'the page asks to watch its visit',
  );
  const before = await watch(aisha);
  assert.match(before, /^\d+:\d+$/);
  await t.services.visits.checkIn(await actorFor(db(), demo.worker), visitId, null);
  assert.notEqual(await watch(aisha), before, 'Chloe’s check-in moves what Aisha’s open page watches');
  // Mark manages another team: nothing of Chloe's visit, however he asks.
  assert.equal(await watch(await t.signIn(demo.otherTeamManager)), '0:');
  for (const q of ['?visit=abc&once=1', '?visit=99999999999&once=1', '?once=1'])
    assert.equal(await watch(aisha, q), '', q);
  assert.equal(
    await watch(aisha, `?visit=${visitId}&visit=${visitId}&once=1`),
    await watch(aisha),
    'a repeated parameter is read once',
  );
  await closeAll();
});
