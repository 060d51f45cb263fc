/**
 * Issue 14: a worker's home is their day. Over HTTP with CSRF on: the running session first, with
 * its deadline and one-tap "Visit over, I'm safe", "Extend" and the disguised control; then the next
 * planned visit with "I've arrived"; then "Plan a visit" starting now. The session page says what
 * happens after the deadline and carries what public/session.js needs to turn overdue live.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { inputValue, unescapeHtml } from './support.ts';
import { londonDate, londonTime } from '../../src/time/london.ts';

let t: TestApp;
let chloe: Agent;

before(async () => {
  t = await startTestApp();
  chloe = await t.signIn(demo.worker);
});
after(() => t.close());

const db = () => t.repos.db;
const text = (html: string) => unescapeHtml(html.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

test('home: the running session first with one-tap actions, then the next visit with "I’ve arrived", then planning one', async () => {
  const actor = await actorFor(db(), demo.worker);
  const running = await t.services.visits.plan(actor, buildVisitForm({ description: 'Running visit' }));
  await t.services.visits.arrive(actor, running);
  // Soon, so that it is still today however late the test runs (3 hours ahead fell tomorrow after 21:00).
  const later = new Date(Date.now() + 5 * 60_000);
  const [y, m, d] = londonDate(later).split('-');
  const next = await t.services.visits.plan(
    actor,
    buildVisitForm({
      description: 'Next visit',
      'date-day': d!,
      'date-month': m!,
      'date-year': y!,
      startTime: londonTime(later),
      endTime: londonTime(new Date(later.getTime() + 3600_000)),
    }),
  );

  const home = await chloe.get('/');
  assert.equal(home.statusCode, 200);
  const body = home.body;
  const order = [
    'Your visit now: Running visit',
    `action="/visits/${running}/end"`,
    `action="/visits/${running}/extend"`,
    `action="/visits/${running}/request-file"`,
    'Next visit:',
    `action="/visits/${next}/arrive"`,
    'Plan a visit',
  ].map((s) => body.indexOf(s));
  assert.ok(
    order.every((i) => i >= 0),
    `all there: ${order.join(', ')}`,
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
    'in that order',
  );
  assert.match(text(body), /Due to check in by \d{1,2}:\d{2}/);
  assert.match(body, /data-due="[^"]+" data-state="in_progress"/);
  assert.match(body, /<input type="hidden" name="minutes" value="30">/);
  assert.match(
    body,
    /class="harbour-link-button harbour-file-request__button"/,
    'the covert control has its larger target',
  );
  assert.match(body, /src="\/public\/session.js"/);
  assert.match(body, /src="\/public\/visit-extras.js"/);

  // One tap from home ends the visit.
  const token = /name="_csrf" value="([^"]+)"/.exec(body)![1]!;
  const end = await chloe.post(`/visits/${running}/end`, { _csrf: token });
  assert.equal(end.statusCode, 303);
  assert.equal(
    (await db().selectFrom('visits').select('state').where('id', '=', running).executeTakeFirstOrThrow()).state,
    'completed',
  );
  // Then "I've arrived" on the next one, from home.
  const arrive = await chloe.post(`/visits/${next}/arrive`, { _csrf: token });
  assert.equal(arrive.statusCode, 303);
  assert.equal(
    (await db().selectFrom('visits').select('state').where('id', '=', next).executeTakeFirstOrThrow()).state,
    'in_progress',
  );
  await t.services.visits.end(actor, next);
});

test('"Plan a visit" shortcuts start now, with the chosen length', async () => {
  const page = await chloe.get('/visits/new?minutes=60');
  assert.equal(page.statusCode, 200);
  const start = inputValue(page.body, 'startTime')!;
  const end = inputValue(page.body, 'endTime')!;
  assert.match(start, /^\d{2}:\d{2}$/);
  const mins = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
  assert.equal((mins(end) - mins(start) + 1440) % 1440, 60);
});

test('the session page says what happens after the deadline, and is marked for turning overdue live', async () => {
  const actor = await actorFor(db(), demo.worker);
  const id = await t.services.visits.plan(actor, buildVisitForm());
  await t.services.visits.arrive(actor, id);
  const page = await chloe.get(`/visits/${id}`);
  assert.match(page.body, /data-state="in_progress"/);
  assert.match(
    text(page.body),
    /Harbour reminds you at the deadline, then alerts Buddy at \d{1,2}:\d{2}, then Line manager at \d{1,2}:\d{2} unless you say you are safe or extend/,
  );
  assert.match(page.body, /class="govuk-body govuk-!-font-weight-bold harbour-countdown__now" role="status"/);
  await t.services.visits.end(actor, id);
});
