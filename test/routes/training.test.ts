/**
 * Training and readiness (issue 19) with CSRF on: /readiness for managers (their line only, team
 * counts, filters, CSV and ODS), the training import (every row error at once, all or nothing),
 * a manager recording a report's training, refresher training advised, the team policy, courses
 * kept by administrators, and what the home page shows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { demoIds, errorLinks, inputValue, type DemoIds } from './support.ts';
import { addDays, londonToday } from '../../src/time/london.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';

const uk = (iso: string) => iso.split('-').reverse().join('/');

describe('training and readiness', () => {
  let t: TestApp;
  let ids: DemoIds;
  let aisha: Agent, helen: Agent, priya: Agent, chloe: Agent, mark: Agent, admin: Agent, fiona: Agent;

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    [aisha, helen, priya, chloe, mark, admin, fiona] = await Promise.all([
      t.signIn(demo.teamManager),
      t.signIn(demo.serviceManager),
      t.signIn(demo.assistantDirector),
      t.signIn(demo.worker),
      t.signIn(demo.otherTeamManager),
      t.signIn(demo.admin),
      t.signIn(demo.healthAndSafety),
    ]);
  });
  after(() => t.close());

  const rowOf = (html: string, name: string) => {
    const i = html.indexOf(`>${name}</a>`);
    assert.ok(i > 0, `${name} is on the page`);
    return html.slice(i, html.indexOf('</tr>', i));
  };

  test('a team manager sees one row per person in their team, and why each is not ready', async () => {
    const res = await aisha.get('/readiness');
    assert.equal(res.statusCode, 200);
    for (const name of ['Ben Carter', 'Chloe Davies', 'Dev Patel', 'Emma Green', 'Ola Adeyemi']) rowOf(res.body, name);
    assert.ok(!res.body.includes('Nadia Hussain'), 'not another team');
    assert.ok(!res.body.includes('>Aisha Khan</a>'), 'not herself');
    const ola = rowOf(res.body, 'Ola Adeyemi');
    assert.match(ola, /Not ready/);
    assert.match(ola, /E Learning Lone Working, KSCMP Personal Safety – Lone Worker/);
    assert.match(rowOf(res.body, 'Dev Patel'), /KSCMP Personal Safety – Lone Worker/);
    // Nobody in the demo has set a duress PIN or emergency details, so nobody is ready yet: 0 of 5.
    assert.match(
      res.body,
      /Ashford Children in Care<\/a><\/td>\s*<td class="govuk-table__cell govuk-table__cell--numeric">0 of 5/,
    );
    const notReady = await aisha.get(`/readiness?team=${ids.team.ashford}&show=ready`);
    assert.match(notReady.body, /Showing 0 of 5 people/);
  });

  test('the service manager and assistant director see their whole line; a worker is refused', async () => {
    const h = await helen.get('/readiness');
    assert.equal(h.statusCode, 200);
    for (const name of ['Chloe Davies', 'Nadia Hussain', 'Aisha Khan', 'Mark Evans']) rowOf(h.body, name);
    assert.ok(!h.body.includes('Jamal Brown'));
    const p = await priya.get('/readiness');
    for (const name of ['Chloe Davies', 'Nadia Hussain', 'Helen Ward']) rowOf(p.body, name);
    assert.ok(!p.body.includes('Jamal Brown'), 'Swale is under another assistant director');
    assert.equal((await chloe.get('/readiness')).statusCode, 403);
    assert.equal((await chloe.get('/readiness.csv')).statusCode, 403);
  });

  test('CSV and ODS exports of the filtered rows', async () => {
    const csv = await aisha.get('/readiness.csv?show=not_ready');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /text\/csv/);
    const lines = csv.body.trim().split(/\r?\n/);
    assert.match(lines[0]!, /^Name,Employee number,Team,Job role,Ready to work alone,Buddy allocated/);
    assert.equal(lines.length, 6);
    assert.ok(lines.some((l) => l.startsWith('Ola Adeyemi,') && l.includes(',No,No,No,No,No,')));
    const ods = await aisha.get('/readiness.ods');
    assert.equal(ods.statusCode, 200);
    assert.equal(ods.rawPayload.subarray(0, 2).toString(), 'PK');
  });

  test('an import with problems lists every one at once and writes nothing', async () => {
    const before = await t.repos.db
      .selectFrom('training_records')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const csv =
      'employee_number,course,completed_on,expires_on\nE1010,e learning lone working,2026-13-01,\nE9999,Basket weaving,2025-01-01,\nE1013,E Learning Lone Working,01/02/2025,\n';
    const res = await aisha.upload('/training/import', await aisha.csrf('/training/import'), 'training.csv', csv);
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /The file has 4 problems. Nothing was imported./);
    assert.match(res.body, /completed_on &quot;2026-13-01&quot; is not a date|completed_on "2026-13-01" is not a date/);
    assert.match(res.body, /employee E9999 is not in Harbour/);
    assert.match(res.body, /Basket weaving/);
    assert.match(res.body, /employee E1013 is not one of the people you manage/);
    const afterCount = await t.repos.db
      .selectFrom('training_records')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(afterCount.n, before.n);
  });

  test('an imported file changes readiness', async () => {
    const ola = await t.repos.db
      .selectFrom('staff')
      .select('employee_number')
      .where('id', '=', ids.person.ola)
      .executeTakeFirstOrThrow();
    const today = londonToday();
    const csv = `employee_number,course,completed_on,expires_on\n${ola.employee_number},e-learning LONE working,${addDays(today, -3)},\n${ola.employee_number},KSCMP personal safety - lone worker,${uk(addDays(today, -2))},${uk(addDays(today, 700))}\n`;
    const res = await aisha.upload('/training/import', await aisha.csrf('/training/import'), 'ola.csv', csv);
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    assert.match(res.body, /2 completions imported for 1 person/);
    const row = rowOf((await aisha.get('/readiness')).body, 'Ola Adeyemi');
    assert.doesNotMatch(row, /E Learning Lone Working/);
    assert.match(row, /next expiry/);
    const audit = await t.repos.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('action', '=', 'training.import')
      .execute();
    assert.equal(audit.length, 1);
  });

  test('a manager records a report’s training: every field error at once, then saved; not for someone else’s report', async () => {
    const bad = await aisha.submit(`/training/people/${ids.person.dev}`, `/training/people/${ids.person.dev}/records`, {
      courseId: '',
      'completedOn-day': '31',
      'completedOn-month': '2',
      'completedOn-year': '2026',
      'expiresOn-day': 'x',
      'expiresOn-month': '',
      'expiresOn-year': '',
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      errorLinks(bad)
        .filter((l) => l !== 'main-content')
        .sort(),
      ['completedOn-day', 'courseId', 'expiresOn-day'],
    );
    const courses = await t.services.training.courses();
    const safety = courses.find((c) => c.category === 'personal_safety')!;
    const [y, m, d] = addDays(londonToday(), -1).split('-');
    const ok = await aisha.submit(`/training/people/${ids.person.dev}`, `/training/people/${ids.person.dev}/records`, {
      courseId: String(safety.id),
      'completedOn-day': d!,
      'completedOn-month': m!,
      'completedOn-year': y!,
      evidence: 'CERT-1',
    });
    assert.equal(ok.statusCode, 303);
    assert.doesNotMatch(rowOf((await aisha.get('/readiness')).body, 'Dev Patel'), /KSCMP/);
    const other = await mark.post(`/training/people/${ids.person.dev}/records`, {
      _csrf: await mark.csrf('/'),
      courseId: String(safety.id),
      'completedOn-day': d!,
      'completedOn-month': m!,
      'completedOn-year': y!,
    });
    assert.equal(other.statusCode, 403);
    // People see their own training, not each other's.
    assert.equal((await chloe.get('/training')).statusCode, 200);
    assert.equal((await chloe.get(`/training/people/${ids.person.dev}`)).statusCode, 403);
    assert.doesNotMatch((await chloe.get('/training')).body, /Record training completed/);
  });

  test('refresher training advised is a due item for the person, shown to them and their manager', async () => {
    const courses = await t.services.training.courses();
    const lone = courses.find((c) => c.category === 'lone_working')!;
    const bad = await aisha.submit(
      `/training/people/${ids.person.ben}`,
      `/training/people/${ids.person.ben}/refresher`,
      { courseId: String(lone.id), reason: '', incidentId: 'abc' },
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      errorLinks(bad)
        .filter((l) => l !== 'main-content')
        .sort(),
      ['incidentId', 'reason'],
    );
    // From an incident's page the form comes filled in with the incident.
    const prefilled = await aisha.get(`/training/people/${ids.person.ben}?incident=42`);
    assert.equal(inputValue(prefilled.body, 'incidentId'), '42');
    assert.equal(inputValue(prefilled.body, 'reason'), 'Incident debrief');
    const ok = await aisha.submit(
      `/training/people/${ids.person.ben}`,
      `/training/people/${ids.person.ben}/refresher`,
      { courseId: String(lone.id), reason: 'Incident debrief', incidentId: '' },
    );
    assert.equal(ok.statusCode, 303);
    const ben = await t.signIn('ben.carter@harbour.example');
    assert.match((await ben.get('/')).body, /E Learning Lone Working: refresher advised \(Incident debrief\)/);
    assert.match((await aisha.get('/')).body, /Ben Carter[\s\S]*refresher advised/);
  });

  test('home: a person sees what they lack; the manager sees what falls due in the next 30 days', async () => {
    const home = await chloe.get('/');
    assert.match(home.body, /E Learning Lone Working: expires on/);
    const manager = await aisha.get('/');
    assert.match(manager.body, /Chloe Davies[\s\S]*E Learning Lone Working: expires on/);
  });

  test('the team’s manager sets its policy; another team’s manager cannot', async () => {
    const bad = await aisha.submit('/readiness', `/readiness/teams/${ids.team.ashford}/policy`, {
      policy: 'sometimes',
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      errorLinks(bad).filter((l) => l !== 'main-content'),
      [`policy-${ids.team.ashford}`],
    );
    const ok = await aisha.submit('/readiness', `/readiness/teams/${ids.team.ashford}/policy`, { policy: 'require' });
    assert.equal(ok.statusCode, 303);
    const row = await t.repos.db
      .selectFrom('team_training_policies')
      .selectAll()
      .where('team_id', '=', ids.team.ashford)
      .executeTakeFirstOrThrow();
    assert.equal(row.policy, 'require');
    assert.equal(
      (await mark.post(`/readiness/teams/${ids.team.ashford}/policy`, { _csrf: await mark.csrf('/'), policy: 'warn' }))
        .statusCode,
      403,
    );
    assert.equal(
      (await helen.submit('/readiness', `/readiness/teams/${ids.team.ashford}/policy`, { policy: 'warn' })).statusCode,
      303,
    );
  });

  test('administrators keep the courses; names clash ignoring case and punctuation', async () => {
    const page = await admin.get('/training/courses');
    assert.equal(page.statusCode, 200);
    for (const name of [
      'E Learning Lone Working',
      'KSCMP Personal Safety – Lone Worker',
      'Team Teach Level 2',
      'Team Teach basic (1 day)',
      'Key holder training',
    ])
      assert.ok(page.body.includes(name), name);
    const bad = await admin.submit('/training/courses/new', '/training/courses', {
      name: 'e-learning lone working',
      category: 'lone_working',
      validityMonths: '0',
    });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      errorLinks(bad)
        .filter((l) => l !== 'main-content')
        .sort(),
      ['validityMonths'],
    );
    const clash = await admin.submit('/training/courses/new', '/training/courses', {
      name: 'e-learning lone working',
      category: 'lone_working',
      validityMonths: '12',
    });
    assert.equal(clash.statusCode, 400);
    assert.deepEqual(
      errorLinks(clash).filter((l) => l !== 'main-content'),
      ['name'],
    );
    const ok = await admin.submit('/training/courses/new', '/training/courses', {
      name: 'Conflict resolution',
      category: 'other',
      validityMonths: '24',
      jobRoles: ['social_worker', 'youth_worker'],
      teamIds: String(ids.team.swale),
    });
    assert.equal(ok.statusCode, 303);
    const c = (await t.services.training.courses()).find((x) => x.name === 'Conflict resolution')!;
    assert.deepEqual(
      [c.job_roles, c.team_ids, c.validity_months],
      [['social_worker', 'youth_worker'], [ids.team.swale], 24],
    );
    assert.equal((await fiona.get('/training/courses')).statusCode, 403);
    assert.equal((await aisha.get(`/training/courses/${c.id}`)).statusCode, 403);
  });
  test('a team that requires training gets the gate it asked for: an AMBER lone visit without it cannot start', async () => {
    // A new lone-working course everyone needs, which nobody has done yet.
    assert.equal(
      (
        await admin.submit('/training/courses/new', '/training/courses', {
          name: 'Lone working update 2026',
          category: 'lone_working',
          validityMonths: '12',
          everyone: 'yes',
        })
      ).statusCode,
      303,
    );
    const worker = await actorFor(t.repos.db, demo.worker);
    const visit = await t.services.visits.plan(worker, buildVisitForm({ referralType: 'new_referral' }));
    const arrive = () => chloe.submit(`/visits/${visit}`, `/visits/${visit}/arrive`, {});
    const setPolicy = (policy: string) =>
      aisha.submit('/readiness', `/readiness/teams/${ids.team.ashford}/policy`, { policy });
    const gateMessage =
      /This team requires lone-working training for AMBER visits: Lone working update 2026 is missing or expired/;
    assert.equal((await setPolicy('warn')).statusCode, 303);
    // 'warn': the session page says what is missing, to Chloe and to her manager; it does not stop her.
    for (const who of [chloe, aisha]) {
      const page = await who.get(`/visits/${visit}`);
      assert.match(
        page.body,
        /Lone-working training missing or expired: Lone working update 2026\. Arrange it with your manager/,
      );
    }
    const warned = await arrive();
    assert.doesNotMatch(warned.body, gateMessage);
    assert.equal((await setPolicy('require')).statusCode, 303);
    assert.match((await chloe.get(`/visits/${visit}`)).body, /Your team requires it/);
    const refused = await arrive();
    assert.equal(refused.statusCode, 400);
    assert.match(refused.body, gateMessage);
    const v = await t.repos.db.selectFrom('visits').select('state').where('id', '=', visit).executeTakeFirstOrThrow();
    assert.equal(v.state, 'planned');
    // The risk page offers her manager the approval the policy allows; Chloe cannot give it herself.
    const riskPage = await aisha.get(`/visits/${visit}/risk`);
    assert.match(riskPage.body, /Lone-working training/);
    assert.match(riskPage.body, /Approve lone visit/);
    assert.doesNotMatch((await chloe.get(`/visits/${visit}/risk`)).body, /Approve lone visit/);
    const noReason = await aisha.submit(`/visits/${visit}/risk`, `/visits/${visit}/risk/control`, {
      control: 'manager_approval',
      approvalNote: '',
    });
    assert.equal(noReason.statusCode, 400);
    assert.equal(
      (
        await aisha.submit(`/visits/${visit}/risk`, `/visits/${visit}/risk/control`, {
          control: 'manager_approval',
          approvalNote: 'Training booked for next week; visit with phone check-ins every 30 minutes',
        })
      ).statusCode,
      303,
    );
    assert.doesNotMatch((await arrive()).body, gateMessage, 'the manager’s approval lets it through the training gate');
    await t.repos.db.deleteFrom('visit_risk_controls').where('visit_id', '=', visit).execute();
    assert.match((await arrive()).body, gateMessage, 'and without it, refused again');
    // A joint visit is allowed through the training gate (the AMBER precautions still apply).
    await t.repos.db.updateTable('visits').set({ joint_partner_id: ids.person.dev }).where('id', '=', visit).execute();
    assert.doesNotMatch((await arrive()).body, gateMessage);
    assert.equal((await setPolicy('warn')).statusCode, 303);
  });
});
