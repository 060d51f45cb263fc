/**
 * Forms: the GOV.UK pattern on bad input (400, error summary, each error linked to its field, what
 * the user typed kept), CSRF, the sign-in rate limit, security headers and the session cookie.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Agent, csrfFrom, demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { DEMO_PASSWORD } from '../../src/demo/seed.ts';
import { SESSION_COOKIE } from '../../src/web/security.ts';
import { addDays, londonToday } from '../../src/time/london.ts';
import { auditCount, demoIds, errorLinks, inputValue, selectedOption, textareaValue, type DemoIds } from './support.ts';

/**
 * A bad submission re-renders the form: status 400, the error summary, a link to each field that
 * has an error, that field on the page with its error message, and nothing else linked.
 */
function assertFormErrors(res: LightMyRequestResponse, fields: string[]) {
  assert.equal(res.statusCode, 400, `expected 400, got ${res.statusCode}`);
  assert.match(String(res.headers['content-type']), /text\/html/);
  assert.ok(res.body.includes('govuk-error-summary'), 'the page has a GOV.UK error summary');
  assert.match(res.body, /<title>Error: /, 'the title starts with "Error: "');
  const links = errorLinks(res).filter((l) => l !== 'main-content');
  assert.deepEqual([...links].sort(), [...fields].sort(), 'the summary links to exactly the fields with errors');
  for (const field of fields) {
    assert.match(
      res.body,
      new RegExp(`\\bid="${field}"`),
      `the summary links to #${field}, which must exist on the page`,
    );
    assert.match(
      res.body,
      new RegExp(`id="${field}-error" class="govuk-error-message`),
      `#${field} shows its error message`,
    );
  }
}

const longName = 'A'.repeat(121);

describe('forms', () => {
  let t: TestApp;
  let ids: DemoIds;
  let admin: Agent;
  let manager: Agent;

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    [admin, manager] = await Promise.all([t.signIn(demo.admin), t.signIn(demo.teamManager)]);
  });
  after(() => t.close());

  describe('re-render on bad input with an error summary, linked errors and the input kept', () => {
    test('sign-in with a wrong password', async () => {
      const agent = t.agent();
      const res = await agent.submit('/sign-in', '/sign-in', {
        email: demo.worker,
        password: 'not-the-password',
        returnTo: '/people',
      });
      assertFormErrors(res, ['email']);
      assert.ok(res.body.includes('Enter a correct email address and password'));
      assert.equal(inputValue(res.body, 'email'), demo.worker);
      assert.equal(inputValue(res.body, 'password') ?? '', '', 'the password is never sent back');
      assert.ok(!res.body.includes('not-the-password'));
      assert.match(res.body, /name="returnTo" value="\/people"/, 'where to go after signing in is kept');
      assert.ok(!res.cookies.some((c) => c.name === SESSION_COOKIE), 'no session is started');
    });

    test('sign-in with nothing entered', async () => {
      const res = await t.agent().submit('/sign-in', '/sign-in', { email: '', password: '' });
      assertFormErrors(res, ['email', 'password']);
      assert.ok(res.body.includes('Enter your email address') && res.body.includes('Enter your password'));
    });

    test('allocate buddy with a bad id, or a buddy from another team', async () => {
      const { ola, jamal } = ids.person;
      const before = await buddyOf(ola);
      const bad = await manager.submit(`/people/${ola}`, `/people/${ola}/buddy`, { buddyId: 'abc' });
      assertFormErrors(bad, ['buddyId']);
      assert.ok(bad.body.includes('Select a buddy from the list'));

      const otherTeam = await manager.submit(`/people/${ola}`, `/people/${ola}/buddy`, { buddyId: String(jamal) });
      assertFormErrors(otherTeam, ['buddyId']);
      assert.ok(otherTeam.body.includes('The buddy must be from the same team'));
      assert.equal(await buddyOf(ola), before, 'nothing changed');
    });

    test('admin: add and edit a directorate', async () => {
      const empty = await admin.submit('/admin/directorates/new', '/admin/directorates', { name: '' });
      assertFormErrors(empty, ['name']);
      assert.ok(empty.body.includes('Enter the directorate name'));

      const tooLong = await admin.submit('/admin/directorates/new', '/admin/directorates', { name: longName });
      assertFormErrors(tooLong, ['name']);
      assert.equal(inputValue(tooLong.body, 'name'), longName);

      const edit = await admin.submit(
        `/admin/directorates/${ids.directorate}/edit`,
        `/admin/directorates/${ids.directorate}`,
        { name: `${longName} & <b>co</b>` },
      );
      assertFormErrors(edit, ['name']);
      assert.equal(inputValue(edit.body, 'name'), `${longName} & <b>co</b>`, 'kept, and escaped in the HTML');
      assert.ok(!edit.body.includes('<b>co</b>'), 'what the user typed is escaped');
    });

    test('admin: add and edit a service', async () => {
      const res = await admin.submit('/admin/services/new', '/admin/services', {
        name: 'Fostering',
        directorateId: '',
      });
      assertFormErrors(res, ['directorateId']);
      assert.equal(inputValue(res.body, 'name'), 'Fostering');

      const { childrenInCare } = ids.service;
      const edit = await admin.submit(`/admin/services/${childrenInCare}/edit`, `/admin/services/${childrenInCare}`, {
        name: '',
        directorateId: String(ids.directorate),
      });
      assertFormErrors(edit, ['name']);
      assert.equal(selectedOption(edit.body, 'directorateId'), String(ids.directorate));
    });

    test('admin: add and edit a team', async () => {
      const res = await admin.submit('/admin/teams/new', '/admin/teams', {
        name: 'Canterbury Children in Care',
        serviceId: '',
        managerId: String(ids.person.aisha),
      });
      assertFormErrors(res, ['serviceId']);
      assert.equal(inputValue(res.body, 'name'), 'Canterbury Children in Care');
      assert.equal(selectedOption(res.body, 'managerId'), String(ids.person.aisha));

      const { ashford } = ids.team;
      const edit = await admin.submit(`/admin/teams/${ashford}/edit`, `/admin/teams/${ashford}`, {
        name: 'Swale Early Help',
        serviceId: String(ids.service.childrenInCare),
        managerId: '',
      });
      assertFormErrors(edit, ['name']);
      assert.ok(edit.body.includes('There is already a team called Swale Early Help'));
      assert.equal(inputValue(edit.body, 'name'), 'Swale Early Help');
      assert.equal(selectedOption(edit.body, 'serviceId'), String(ids.service.childrenInCare));
    });

    test('admin: add and edit a member of staff', async () => {
      const fields = {
        employeeNumber: 'E9001',
        givenName: 'Sam',
        familyName: 'Taylor',
        email: 'not-an-email',
        jobRole: 'youth_worker',
        teamId: String(ids.team.swale),
        lineManagerId: '',
        workMobile: '123',
        personalMobile: '',
        outOfHoursPhone: '',
        baseBuildingId: String(ids.building.gateway),
        active: 'true',
      };
      const res = await admin.submit('/admin/staff/new', '/admin/staff', fields);
      assertFormErrors(res, ['email', 'workMobile']);
      assert.equal(inputValue(res.body, 'email'), 'not-an-email');
      assert.equal(inputValue(res.body, 'givenName'), 'Sam');
      assert.equal(inputValue(res.body, 'familyName'), 'Taylor');
      assert.equal(inputValue(res.body, 'workMobile'), '123');
      assert.equal(selectedOption(res.body, 'jobRole'), 'youth_worker');
      assert.equal(selectedOption(res.body, 'teamId'), String(ids.team.swale));
      assert.equal(selectedOption(res.body, 'baseBuildingId'), String(ids.building.gateway));

      const { ola } = ids.person;
      const edit = await admin.submit(`/admin/staff/${ola}/edit`, `/admin/staff/${ola}`, {
        ...fields,
        employeeNumber: 'E1001',
        email: 'ola.adeyemi@harbour.example',
        workMobile: '',
        teamId: String(ids.team.ashford),
      });
      assertFormErrors(edit, ['employeeNumber']);
      assert.ok(edit.body.includes('Another person already has that employee number'));
      assert.equal(inputValue(edit.body, 'employeeNumber'), 'E1001');
      assert.equal(inputValue(edit.body, 'givenName'), 'Sam');
    });

    test('admin: add and edit a building', async () => {
      const fields = {
        name: 'Canterbury Office',
        address: '3 Rose Lane\nCanterbury',
        postcode: 'nope',
        sitePhone: '01632 960 111',
        facilitiesHelpdeskPhone: '',
        communitySafetyPhone: '',
        buildingManagerId: '',
      };
      const res = await admin.submit('/admin/buildings/new', '/admin/buildings', fields);
      assertFormErrors(res, ['postcode']);
      assert.equal(inputValue(res.body, 'name'), 'Canterbury Office');
      assert.equal(inputValue(res.body, 'postcode'), 'nope');
      assert.equal(inputValue(res.body, 'sitePhone'), '01632 960 111');
      assert.equal(textareaValue(res.body, 'address'), '3 Rose Lane\nCanterbury');

      const { civic } = ids.building;
      const edit = await admin.submit(`/admin/buildings/${civic}/edit`, `/admin/buildings/${civic}`, {
        ...fields,
        name: 'Sittingbourne Gateway',
        postcode: 'TN23 1PL',
      });
      assertFormErrors(edit, ['name']);
      assert.equal(inputValue(edit.body, 'name'), 'Sittingbourne Gateway');
    });

    test('admin: a building can be saved with no key holders ticked', async () => {
      // A browser sends nothing at all for a group of checkboxes with none ticked.
      const res = await admin.submit('/admin/buildings/new', '/admin/buildings', {
        name: 'No Keys House',
        address: '4 Rose Lane',
        postcode: 'CT1 2AA',
        sitePhone: '',
        facilitiesHelpdeskPhone: '',
        communitySafetyPhone: '',
        buildingManagerId: '',
      });
      assert.equal(res.statusCode, 303);
    });

    test('admin: a member of staff can be marked as left (the "currently employed" box unticked)', async () => {
      const { ben } = ids.person;
      const staff = await t.repos.db.selectFrom('staff').selectAll().where('id', '=', ben).executeTakeFirstOrThrow();
      const res = await admin.submit(`/admin/staff/${ben}/edit`, `/admin/staff/${ben}`, {
        employeeNumber: staff.employee_number,
        givenName: staff.given_name,
        familyName: staff.family_name,
        email: staff.email,
        jobRole: staff.job_role,
        teamId: String(staff.team_id),
        lineManagerId: String(staff.line_manager_id),
        workMobile: staff.work_mobile ?? '',
        personalMobile: staff.personal_mobile ?? '',
        outOfHoursPhone: '',
        baseBuildingId: String(staff.base_building_id),
      });
      assert.equal(res.statusCode, 303);
      const after = await t.repos.db
        .selectFrom('staff')
        .select('active')
        .where('id', '=', ben)
        .executeTakeFirstOrThrow();
      assert.equal(after.active, false);
    });

    test('admin: add a sign-in account', async () => {
      const res = await admin.submit('/admin/accounts/new', '/admin/accounts', {
        email: 'sam.taylor@harbour.example',
        displayName: 'Sam Taylor',
        staffId: String(ids.person.ola),
        password: 'short',
      });
      assertFormErrors(res, ['password', 'roles']);
      assert.ok(res.body.includes('Password must be 12 characters or more'));
      assert.ok(res.body.includes('Select at least one role'));
      assert.equal(inputValue(res.body, 'email'), 'sam.taylor@harbour.example');
      assert.equal(inputValue(res.body, 'displayName'), 'Sam Taylor');
      assert.equal(selectedOption(res.body, 'staffId'), String(ids.person.ola));
      assert.ok(!res.body.includes('value="short"'), 'the password is never sent back');

      const kept = await admin.submit('/admin/accounts/new', '/admin/accounts', {
        email: demo.worker,
        displayName: 'Chloe again',
        staffId: '',
        password: 'long-enough-password',
        roles: ['worker', 'team_manager'],
      });
      assertFormErrors(kept, ['email']);
      assert.ok(kept.body.includes('An account with that email address already exists'));
      assert.match(kept.body, /value="team_manager" checked/, 'ticked roles stay ticked');
      assert.doesNotMatch(kept.body, /value="admin" checked/);
    });

    test('admin: roles with none ticked', async () => {
      const account = ids.account(demo.noBuddyWorker);
      const res = await admin.submit(`/admin/accounts/${account}/roles`, `/admin/accounts/${account}/roles`, {});
      assertFormErrors(res, ['roles']);
      assert.ok(res.body.includes('Select at least one role'));
    });

    test('create an API token', async () => {
      const worker = await t.signIn(demo.worker);
      const res = await worker.submit('/account/tokens', '/account/tokens', { name: '', expiresInDays: 'abc' });
      assertFormErrors(res, ['name', 'expiresInDays']);
      assert.ok(res.body.includes('Enter a name for the token') && res.body.includes('Enter a whole number of days'));
      assert.equal(inputValue(res.body, 'expiresInDays'), 'abc');

      const tooLong = await worker.submit('/account/tokens', '/account/tokens', {
        name: 'Case system',
        expiresInDays: '400',
      });
      assertFormErrors(tooLong, ['expiresInDays']);
      assert.equal(inputValue(tooLong.body, 'name'), 'Case system');
      assert.equal(inputValue(tooLong.body, 'expiresInDays'), '400');
    });

    test('import with no file chosen', async () => {
      const res = await admin.upload('/admin/import', await admin.csrf('/admin/import'), '', '');
      assertFormErrors(res, ['file']);
    });
  });

  describe('a success banner after every change', () => {
    /** Follows the redirect of a form that worked, and returns the page it lands on. */
    async function landing(agent: Agent, res: LightMyRequestResponse) {
      assert.equal(res.statusCode, 303, res.body.slice(0, 300));
      const page = await agent.get(String(res.headers.location));
      assert.equal(page.statusCode, 200);
      return page;
    }
    const banner = (html: string) =>
      /govuk-notification-banner--success[\s\S]*?<p class="govuk-notification-banner__heading">\s*([^<]*?)\s*<\/p>/.exec(
        html,
      )?.[1];

    test('adding and changing a team, directorate, service and building say so', async () => {
      const team = await landing(
        admin,
        await admin.submit('/admin/teams/new', '/admin/teams', {
          name: 'Banner Test Team',
          serviceId: String(ids.service.earlyHelp),
          managerId: '',
        }),
      );
      assert.equal(banner(team.body), 'Team added');
      const teamId =
        /\/teams\/(\d+)/.exec(team.body)?.[1] ??
        (
          await t.repos.db
            .selectFrom('teams')
            .select('id')
            .where('name', '=', 'Banner Test Team')
            .executeTakeFirstOrThrow()
        ).id;
      const changed = await landing(
        admin,
        await admin.submit(`/admin/teams/${teamId}/edit`, `/admin/teams/${teamId}`, {
          name: 'Banner Test Team Two',
          serviceId: String(ids.service.earlyHelp),
          managerId: '',
        }),
      );
      assert.equal(banner(changed.body), 'Changes to the team saved');
      const directorate = await landing(
        admin,
        await admin.submit('/admin/directorates/new', '/admin/directorates', { name: 'Banner Directorate' }),
      );
      assert.equal(banner(directorate.body), 'Directorate added');
      const service = await landing(
        admin,
        await admin.submit('/admin/services/new', '/admin/services', {
          name: 'Banner Service',
          directorateId: String(ids.directorate),
          safeguardingLeadId: '',
        }),
      );
      assert.equal(banner(service.body), 'Service added');
      assert.equal(
        banner((await admin.get('/admin?done=nonsense')).body),
        undefined,
        'no banner for an unknown change',
      );
      assert.equal((await admin.get('/admin?done=a&done=b')).statusCode, 200);
    });

    test('a buddy allocated, a visit planned and sign-in accounts turned off and on say so', async () => {
      const buddy = await landing(
        manager,
        await manager.submit(`/people/${ids.person.ola}`, `/people/${ids.person.ola}/buddy`, {
          buddyId: String(ids.person.dev),
        }),
      );
      assert.equal(banner(buddy.body), 'Buddy allocated');
      const jamal = String(ids.account(demo.otherServiceWorker));
      const off = await landing(admin, await admin.submit('/admin/accounts', `/admin/accounts/${jamal}/disable`, {}));
      assert.match(banner(off.body) ?? '', /^Account turned off/);
      const on = await landing(admin, await admin.submit('/admin/accounts', `/admin/accounts/${jamal}/enable`, {}));
      assert.equal(banner(on.body), 'Account turned on');
      const chloe = await t.signIn(demo.worker);
      const [y, m, d] = addDays(londonToday(), 2).split('-');
      const planned = await landing(
        chloe,
        await chloe.submit('/visits/new', '/visits', {
          kind: 'visit',
          'date-day': d!,
          'date-month': m!,
          'date-year': y!,
          startTime: '10:00',
          endTime: '11:00',
          address: '1 Banner Street',
          postcode: 'ME14 1XX',
        }),
      );
      assert.equal(banner(planned.body), 'Visit planned');
    });
  });

  describe('planning a visit: the past and the small hours', () => {
    test('a visit on 1 January 2020 is refused, with the other errors at once', async () => {
      const chloe = await t.signIn(demo.worker);
      const res = await chloe.submit('/visits/new', '/visits', {
        kind: 'visit',
        'date-day': '1',
        'date-month': '1',
        'date-year': '2020',
        startTime: '10:00',
        endTime: '11:00',
        address: '',
        postcode: '',
      });
      assert.equal(res.statusCode, 400);
      assert.deepEqual(
        errorLinks(res)
          .filter((l) => l !== 'main-content')
          .sort(),
        ['address', 'date-day'],
      );
      assert.match(res.body, /id="date-error" class="govuk-error-message/, 'the date shows its error');
      assert.ok(res.body.includes('That visit has already ended'));
    });

    test('an end before the start is read as after midnight, as the hint says, and too long a night says why', async () => {
      const chloe = await t.signIn(demo.worker);
      const [y, m, d] = addDays(londonToday(), 3).split('-');
      const base = {
        kind: 'visit',
        'date-day': d!,
        'date-month': m!,
        'date-year': y!,
        address: '2 Late Road',
        postcode: 'ME14 1XX',
      };
      const late = await chloe.submit('/visits/new', '/visits', { ...base, startTime: '22:00', endTime: '01:00' });
      assert.equal(late.statusCode, 303, 'a 22:00 to 01:00 session ends after midnight');
      const tooLong = await chloe.submit('/visits/new', '/visits', { ...base, startTime: '10:00', endTime: '09:00' });
      assertFormErrors(tooLong, ['endTime']);
      assert.ok(
        tooLong.body.includes('taken as after midnight, which would make this session 23 hours long'),
        'the message agrees with the hint',
      );
    });
  });

  describe('CSRF', () => {
    const directorateCount = async () => (await t.repos.db.selectFrom('directorates').select('id').execute()).length;

    test('a form posted without a token, or with a wrong one, gets 403 and changes nothing', async () => {
      const count = await directorateCount();
      const audit = await auditCount(t.repos.db);
      const forms: Record<string, string>[] = [
        { name: 'No token directorate' },
        { name: 'Wrong token directorate', _csrf: 'x'.repeat(43) },
        { name: 'Empty token directorate', _csrf: '' },
      ];
      for (const form of forms) {
        const res = await admin.post('/admin/directorates', form);
        assert.equal(res.statusCode, 403, JSON.stringify(form));
        assert.ok(res.body.includes('Your form has expired'), 'the page says what happened');
      }
      assert.equal(await directorateCount(), count);
      assert.equal(await auditCount(t.repos.db), audit);
    });

    test('another session’s token is not accepted', async () => {
      const { ola, ben } = ids.person;
      const before = await buddyOf(ola);
      const othersToken = await admin.csrf('/');
      const res = await manager.post(`/people/${ola}/buddy`, {
        _csrf: othersToken,
        buddyId: String(ben === before ? ids.person.dev : ben),
      });
      assert.equal(res.statusCode, 403);
      assert.equal(await buddyOf(ola), before);
    });

    test('signing in needs the token too', async () => {
      const agent = t.agent();
      await agent.get('/sign-in');
      const res = await agent.post('/sign-in', { email: demo.worker, password: DEMO_PASSWORD });
      assert.equal(res.statusCode, 403);
      assert.ok(!res.cookies.some((c) => c.name === SESSION_COOKIE && c.value), 'no session is started');
    });

    test('signing out needs the token', async () => {
      const agent = await t.signIn(demo.worker);
      assert.equal((await agent.post('/sign-out', {})).statusCode, 403);
      assert.equal((await agent.get('/')).statusCode, 200, 'still signed in');
    });

    test('an upload without the right token gets 403 and imports nothing', async () => {
      const csv =
        'employee_number,given_name,family_name,email,job_role,team,service,line_manager_employee_number,buddy_employee_number,work_mobile,personal_mobile,out_of_hours_phone,base_building,active\n' +
        'X7001,Csrf,Test,csrf.test@harbour.example,Social worker,Ashford Children in Care,Children in Care,,,,,,Civic Centre,yes\n';
      const res = await admin.upload('/admin/import', 'wrong-token', 'staff.csv', csv);
      assert.equal(res.statusCode, 403);
      const row = await t.repos.db
        .selectFrom('staff')
        .select('id')
        .where('employee_number', '=', 'X7001')
        .executeTakeFirst();
      assert.equal(row, undefined);
    });
  });

  describe('security headers and the session cookie', () => {
    test('pages carry a CSP with a script nonce that matches the page, and the other security headers', async () => {
      for (const [agent, url] of [
        [t.agent(), '/sign-in'],
        [admin, '/admin'],
        [t.agent(), '/no-such-page'],
      ] as const) {
        const res = await agent.get(url);
        const csp = String(res.headers['content-security-policy'] ?? '');
        const nonce = /script-src [^;]*'nonce-([^']+)'/.exec(csp)?.[1];
        assert.ok(nonce, `${url}: CSP has a script nonce: ${csp}`);
        assert.match(csp, /default-src 'self'/);
        assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
        assert.ok(res.body.includes(`nonce="${nonce}"`), `${url}: the page's inline script uses the header's nonce`);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.match(String(res.headers['strict-transport-security']), /max-age=\d{7,}/);
        assert.ok(res.headers['x-frame-options'] || /frame-ancestors 'none'/.test(csp), `${url}: framing is refused`);
        assert.match(String(res.headers['referrer-policy']), /no-referrer|same-origin|strict-origin/);
      }
      const [a, b] = await Promise.all([t.agent().get('/sign-in'), t.agent().get('/sign-in')]);
      assert.notEqual(
        a.headers['content-security-policy'],
        b.headers['content-security-policy'],
        'a new nonce for each response',
      );
    });

    test('the session cookie is HttpOnly and SameSite=Lax', async () => {
      const page = await t.agent().get('/sign-in');
      const pre = page.cookies.find((c) => c.name === 'harbour_presession');
      assert.ok(pre?.httpOnly, 'the pre-sign-in CSRF cookie is HttpOnly');
      const cookie = cookieHeader(page);
      const res = await t.app.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: csrfFrom(page.body),
          email: demo.worker,
          password: DEMO_PASSWORD,
        }).toString(),
      });
      assert.equal(res.statusCode, 303);
      const setCookie = [res.headers['set-cookie']].flat().find((c) => String(c).startsWith(`${SESSION_COOKIE}=`));
      assert.ok(setCookie, 'a session cookie is set');
      assert.match(setCookie, /;\s*HttpOnly/i);
      assert.match(setCookie, /;\s*SameSite=Lax/i);
      assert.match(setCookie, /;\s*Path=\//i);
    });

    test('signing out ends the session: the old cookie no longer works', async () => {
      const page = await t.agent().get('/sign-in');
      const signIn = await t.app.inject({
        method: 'POST',
        url: '/sign-in',
        headers: { cookie: cookieHeader(page), 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          _csrf: csrfFrom(page.body),
          email: demo.worker,
          password: DEMO_PASSWORD,
        }).toString(),
      });
      const session = signIn.cookies.find((c) => c.name === SESSION_COOKIE)!.value;
      const cookie = `${SESSION_COOKIE}=${session}`;
      const home = await t.app.inject({ url: '/', headers: { cookie } });
      assert.equal(home.statusCode, 200);

      const out = await t.app.inject({
        method: 'POST',
        url: '/sign-out',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfFrom(home.body) }).toString(),
      });
      assert.equal(out.statusCode, 303);
      assert.equal(out.headers.location, '/sign-in');
      assert.ok(
        out.cookies.some(
          (c) => c.name === SESSION_COOKIE && (c.value === '' || (c.expires && c.expires.getTime() < Date.now())),
        ),
        'the cookie is cleared',
      );

      const again = await t.app.inject({ url: '/', headers: { cookie } });
      assert.equal(again.statusCode, 303, 'the old cookie is refused');
      assert.match(String(again.headers.location), /^\/sign-in/);
      const replay = await t.app.inject({
        method: 'POST',
        url: `/people/${ids.person.ola}/buddy`,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ _csrf: csrfFrom(home.body), buddyId: '' }).toString(),
      });
      assert.equal(replay.statusCode, 403, 'the old session’s CSRF token is no longer valid');
    });
  });

  async function buddyOf(id: number) {
    return (await t.repos.db.selectFrom('staff').select('buddy_id').where('id', '=', id).executeTakeFirstOrThrow())
      .buddy_id;
  }
});

describe('sign-in rate limit', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ seed: false, signInRateLimit: 3 });
  });
  after(() => t.close());

  test('after 3 failed attempts from one address the next gets 429 with a clear page', async () => {
    const agent = t.agent();
    for (let i = 1; i <= 3; i++) {
      const res = await agent.submit('/sign-in', '/sign-in', {
        email: 'someone@harbour.example',
        password: `guess-${i}`,
      });
      assert.equal(res.statusCode, 400, `attempt ${i} is answered normally`);
    }
    const res = await agent.submit('/sign-in', '/sign-in', { email: 'someone@harbour.example', password: 'guess-4' });
    assert.equal(res.statusCode, 429);
    assert.match(String(res.headers['content-type']), /text\/html/);
    assert.match(res.body, /Too many attempts\. Wait 15 minutes and try again\./);
    assert.ok(res.body.includes('govuk-heading-l'), 'a GOV.UK page, not a bare error');
    assert.ok(res.headers['retry-after'], 'says when to try again');
    assert.equal((await agent.get('/sign-in')).statusCode, 200, 'the sign-in page itself still loads');
  });
});

/** The Cookie header a browser would send back after this response. */
function cookieHeader(res: LightMyRequestResponse): string {
  return res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}
