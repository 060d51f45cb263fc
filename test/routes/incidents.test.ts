/**
 * Incident reporting (HS157) and the manager's response with CSRF on: drafts keep what was typed,
 * a bad submission re-renders with 400 and the error summary, reporting on someone's behalf waits
 * for them to confirm, the debrief window is enforced, and only the people involved, their
 * management chain and health and safety can see a report.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { auditCount, errorLinks, inputValue, selectedOption, textareaValue, unescapeHtml } from './support.ts';
import { londonDate } from '../../src/time/london.ts';

function assertFormErrors(res: LightMyRequestResponse, fields: string[]) {
  assert.equal(res.statusCode, 400, `expected 400, got ${res.statusCode}`);
  assert.ok(res.body.includes('govuk-error-summary'));
  assert.match(res.body, /<title>Error: /);
  const links = errorLinks(res).filter((l) => l !== 'main-content');
  assert.deepEqual([...links].sort(), [...fields].sort());
  for (const field of fields)
    assert.match(res.body, new RegExp(`\\bid="${field}"`), `#${field} must exist on the page`);
}

const idFrom = (res: LightMyRequestResponse) => Number(/\/incidents\/(\d+)/.exec(String(res.headers.location))![1]);

/** Date boxes and time for an instant, in London. */
function when(prefix: string, at: Date): Record<string, string> {
  const [y, m, d] = londonDate(at).split('-');
  const time = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return {
    [`${prefix}-day`]: String(Number(d)),
    [`${prefix}-month`]: String(Number(m)),
    [`${prefix}-year`]: y!,
    [`${prefix}-time`]: time,
  };
}

const twoDaysAgo = () => new Date(Math.floor((Date.now() - 2 * 86_400_000) / 60_000) * 60_000);

function report(o: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    ...when('occurred', twoDaysAgo()),
    location: '12 Park Road, Ashford TN23 1AA',
    loneWorking: 'yes',
    categories: ['physical_assault', 'verbal_abuse'],
    verbalChannel: 'face_to_face',
    perpetratorType: 'parent_carer',
    perpetratorCaseSystem: 'liberi',
    perpetratorCaseId: 'lib-9001',
    witnesses: 'Neighbour at number 14',
    injured: 'yes',
    injuryNature: 'Bruising',
    injuryBodyPart: 'Left arm',
    firstAid: 'yes',
    hospital: 'no',
    daysOff: '0',
    narrative: 'The parent pushed me against the door frame while shouting.',
    action: 'submit',
    ...o,
  };
}

describe('incident pages', () => {
  let t: TestApp;
  let chloe: Agent, aisha: Agent, helen: Agent, fiona: Agent, gareth: Agent, jamal: Agent, dev: Agent, mark: Agent;
  let chloeId: number;

  before(async () => {
    t = await startTestApp();
    [chloe, aisha, helen, fiona, gareth, jamal, dev, mark] = await Promise.all([
      t.signIn(demo.worker),
      t.signIn(demo.teamManager),
      t.signIn(demo.serviceManager),
      t.signIn(demo.healthAndSafety),
      t.signIn(demo.complaints),
      t.signIn(demo.otherServiceWorker),
      t.signIn('dev.patel@harbour.example'),
      t.signIn(demo.otherTeamManager),
    ]);
    chloeId = (await actorFor(t.repos.db, demo.worker)).staffId!;
  });
  after(() => t.close());

  test('the form lists every category, the verbal abuse channel and the RIDDOR note', async () => {
    const res = await chloe.get('/incidents/new');
    assert.equal(res.statusCode, 200);
    const body = unescapeHtml(res.body);
    for (const text of [
      'Physical assault',
      'Verbal abuse or harassment',
      'Threats of violence to staff or their families',
      'Sexual harassment',
      'Racial harassment',
      'Disability harassment',
      'Homophobic or transphobic harassment',
      'Religion or belief harassment',
      'Age harassment',
      'Other discriminatory behaviour',
      'Attack by an animal incited by its owner',
      'Damage to council property',
      'Damage to personal property',
      'Unplanned physical intervention (restraint)',
      'Weapon involved or suspected',
      'Social media',
      'Letter',
      'Partner-agency worker',
    ])
      assert.ok(body.includes(text), text);
    assert.ok(body.includes('Verbal abuse and threats are never reportable'));
  });

  test('a bad submission: 400, the error summary linking each field, and what was typed kept', async () => {
    const before = await auditCount(t.repos.db);
    const res = await chloe.submit(
      '/incidents/new',
      '/incidents',
      report({
        categories: ['verbal_abuse'],
        verbalChannel: '',
        location: '',
        'occurred-time': '25:00',
        injuryNature: '',
        narrative: 'Shouted at me',
      }),
    );
    assertFormErrors(res, ['location', 'occurred-time', 'verbalChannel', 'injuryNature']);
    assert.equal(textareaValue(res.body, 'narrative'), 'Shouted at me');
    assert.equal(inputValue(res.body, 'occurred-time'), '25:00');
    assert.equal(selectedOption(res.body, 'perpetratorCaseSystem'), 'liberi');
    assert.match(res.body, /name="categories" type="checkbox" value="verbal_abuse" checked/);
    assert.equal(await auditCount(t.repos.db), before, 'nothing written');
  });

  test('a narrative far too long is reported with every other error at once, each naming its field; the time message reads as English', async () => {
    const res = await chloe.submit(
      '/incidents/new',
      '/incidents',
      report({ categories: [], location: '', 'occurred-time': '', narrative: 'x'.repeat(20_000) }),
    );
    assertFormErrors(res, ['narrative', 'categories', 'location', 'occurred-time']);
    assert.ok(res.body.includes('Narrative must be 10,000 characters or fewer'), 'names the field');
    assert.ok(res.body.includes('Enter the time of the incident using the 24-hour clock'), 'no "time of the date of"');
    assert.ok(!res.body.includes('time of the date'));
  });

  test('a draft keeps everything typed, even what would not pass, and submits later', async () => {
    const draft = await chloe.submit('/incidents/new', '/incidents', {
      location: 'Half-typed pla',
      'occurred-time': '9:7',
      categories: 'threats',
      action: 'draft',
    });
    assert.equal(draft.statusCode, 303);
    const id = idFrom(draft);
    const page = await chloe.get(String(draft.headers.location));
    assert.equal(page.statusCode, 200);
    assert.equal(textareaValue(page.body, 'location'), 'Half-typed pla');
    assert.equal(inputValue(page.body, 'occurred-time'), '9:7');
    assert.match(page.body, /value="threats" checked/);
    assert.ok(unescapeHtml(page.body).includes('Draft saved'));
    // Nobody else sees a draft, not even the manager.
    assert.equal((await aisha.get(`/incidents/${id}`)).statusCode, 404);
    const submitted = await chloe.submit(
      `/incidents/${id}`,
      `/incidents/${id}`,
      report({ categories: 'threats', verbalChannel: '' }),
    );
    assert.equal(submitted.statusCode, 303);
    assert.equal(submitted.headers.location, `/incidents/${id}?done=submitted`);
    const row = await t.repos.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'open');
    assert.deepEqual(row.categories, ['threats']);
    // Threats: the manager meets within 24 hours.
    assert.equal(row.meeting_due_at!.getTime() - row.occurred_at!.getTime(), 24 * 3_600_000);
    // Once submitted it cannot be edited.
    assert.equal(
      (await chloe.post(`/incidents/${id}`, { _csrf: await chloe.csrf('/incidents'), ...report() })).statusCode,
      403,
    );
  });

  test('visible to the people involved, their management chain and health and safety only', async () => {
    const res = await chloe.submit('/incidents/new', '/incidents', report());
    assert.equal(res.statusCode, 303);
    const id = idFrom(res);
    for (const [who, agent] of [
      ['chloe', chloe],
      ['aisha', aisha],
      ['helen', helen],
      ['fiona', fiona],
    ] as const) {
      assert.equal((await agent.get(`/incidents/${id}`)).statusCode, 200, `${who} sees it`);
      assert.ok((await agent.get('/incidents')).body.includes(`/incidents/${id}"`), `${who} has it in the list`);
    }
    for (const [who, agent] of [
      ['gareth (complaints)', gareth],
      ['jamal', jamal],
      ['dev (buddy)', dev],
      ['mark (another team manager)', mark],
    ] as const) {
      assert.equal((await agent.get(`/incidents/${id}`)).statusCode, 404, `${who} must not see it`);
      assert.ok(
        !(await agent.get('/incidents')).body.includes(`/incidents/${id}"`),
        `${who} must not have it in the list`,
      );
    }
  });

  test("a manager reports on an employee's behalf and the employee confirms", async () => {
    const form = await aisha.get('/incidents/new');
    assert.equal(form.statusCode, 200);
    assert.match(form.body, new RegExp(`<option value="${chloeId}"`), 'a manager may choose someone they manage');
    const res = await aisha.submit(
      '/incidents/new',
      '/incidents',
      report({ employeeId: String(chloeId), categories: 'council_property_damage', injured: 'no' }),
    );
    assert.equal(res.statusCode, 303);
    const id = idFrom(res);
    assert.equal(res.headers.location, `/incidents/${id}?done=behalf`);
    const asChloe = await chloe.get(`/incidents/${id}`);
    assert.ok(unescapeHtml(asChloe.body).includes('I confirm this report is right'));
    // Only Chloe may confirm.
    assert.equal(
      (await aisha.post(`/incidents/${id}/confirm`, { _csrf: await aisha.csrf(`/incidents/${id}`) })).statusCode,
      403,
    );
    const confirmed = await chloe.post(`/incidents/${id}/confirm`, { _csrf: await chloe.csrf(`/incidents/${id}`) });
    assert.equal(confirmed.headers.location, `/incidents/${id}?done=confirmed`);
    const row = await t.repos.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(row.status, 'open');
    assert.ok(row.confirmed_at);
    // Property damage only: 3 days.
    assert.equal(row.meeting_due_at!.getTime() - row.occurred_at!.getTime(), 3 * 86_400_000);
    // Someone not in Aisha's reports cannot be reported for.
    const jamalId = (await actorFor(t.repos.db, demo.otherServiceWorker)).staffId!;
    assertFormErrors(await aisha.submit('/incidents/new', '/incidents', report({ employeeId: String(jamalId) })), [
      'employeeId',
    ]);
  });

  test('the manager records the response; a debrief outside 48 hours to 2 weeks is refused with the reason', async () => {
    const occurred = twoDaysAgo();
    const id = idFrom(await chloe.submit('/incidents/new', '/incidents', report({ ...when('occurred', occurred) })));
    const page = await aisha.get(`/incidents/${id}`);
    assert.ok(page.body.includes(`action="/incidents/${id}/response"`));
    assert.ok(
      !(await chloe.get(`/incidents/${id}`)).body.includes(`action="/incidents/${id}/response"`),
      'the employee does not respond to their own incident',
    );
    const tooSoon = await aisha.submit(`/incidents/${id}`, `/incidents/${id}/response`, {
      ...when('meeting', new Date(occurred.getTime() + 3_600_000)),
      'support-support_line': 'accepted',
      'support-gp': 'declined',
      ...when('debrief', new Date(occurred.getTime() + 24 * 3_600_000)),
      notes: 'Agreed joint visits only',
    });
    assertFormErrors(tooSoon, ['debrief-day']);
    assert.match(unescapeHtml(tooSoon.body), /at least 48 hours after the incident/);
    assert.equal(textareaValue(tooSoon.body, 'notes'), 'Agreed joint visits only');
    assert.match(tooSoon.body, /name="support-support_line" type="radio" value="accepted" checked/);
    const ok = await aisha.submit(`/incidents/${id}`, `/incidents/${id}/response`, {
      ...when('meeting', new Date(occurred.getTime() + 3_600_000)),
      'support-support_line': 'accepted',
      'support-gp': 'declined',
      'support-trade_union': 'offered',
      ...when('debrief', new Date(occurred.getTime() + 5 * 86_400_000)),
      ...when('policeTold', new Date(occurred.getTime() + 3_600_000)),
      notes: 'Agreed joint visits only',
    });
    assert.equal(ok.statusCode, 303);
    const row = await t.repos.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(row.support, { support_line: 'accepted', gp: 'declined', trade_union: 'offered' });
    assert.ok(row.debrief_at && row.police_right_told_at && row.meeting_held_at);
    // Health and safety see it but do not record the manager's response.
    assert.equal(
      (await fiona.post(`/incidents/${id}/response`, { _csrf: await fiona.csrf(`/incidents/${id}`), notes: 'x' }))
        .statusCode,
      403,
    );
  });

  test('starting from a visit fills in the place and time', async () => {
    const visit = await t.services.visits.plan(
      await actorFor(t.repos.db, demo.worker),
      buildVisitForm({ address: '3 Mill Lane, Ashford', postcode: 'TN23 4QQ' }),
    );
    const res = await chloe.get(`/incidents/new?visitId=${visit}`);
    assert.equal(res.statusCode, 200);
    assert.equal(textareaValue(res.body, 'location'), '3 Mill Lane, Ashford, TN23 4QQ');
    assert.match(res.body, new RegExp(`name="visitId" value="${visit}"`));
    // Someone who cannot see the visit gets a blank form.
    assert.equal(textareaValue((await jamal.get(`/incidents/new?visitId=${visit}`)).body, 'location'), '');
  });
});
