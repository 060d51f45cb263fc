/**
 * Lists that page: no silent cap. The incidents list shows "Showing 1 to 50 of N", pages through
 * every row, and narrows by search and status; the same for a manager, who sees only their line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { buildIncident } from '../helpers/foi.ts';
import { demoIds } from './support.ts';

describe('incidents list pages, searches and filters', () => {
  let t: TestApp;
  const TOTAL = 560;

  before(async () => {
    t = await startTestApp();
    const ids = await demoIds(t.repos.db);
    for (let i = 0; i < TOTAL; i++) {
      await buildIncident(t.repos.db, {
        employeeId: i % 10 === 0 ? ids.person.ben : ids.person.chloe,
        occurredAt: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(),
        categories: ['verbal_abuse'],
        status: i % 7 === 0 ? 'closed' : 'open',
      });
    }
  });
  after(() => t.close());

  const count = (html: string) => (html.match(/<a class="govuk-link" href="\/incidents\/\d+">/g) ?? []).length;

  test('more than 500 incidents: every one is reachable, page by page, and the total is shown', async () => {
    const fiona = await t.signIn(demo.healthAndSafety);
    const first = await fiona.get('/incidents');
    assert.equal(first.statusCode, 200);
    const total = Number(/of ([\d,]+) incidents/.exec(first.body)![1]!.replace(/,/g, ''));
    assert.ok(total >= TOTAL, `total ${total}`);
    assert.match(first.body, new RegExp(`Showing 1 to 50 of ${total.toLocaleString('en-GB')} incidents`));
    assert.equal(count(first.body), 50);
    assert.match(first.body, /govuk-pagination/);
    const lastPage = Math.ceil(total / 50);
    const last = await fiona.get(`/incidents?page=${lastPage}`);
    assert.equal(count(last.body), total - (lastPage - 1) * 50);
    assert.match(last.body, new RegExp(`to ${total.toLocaleString('en-GB')} of`));
  });

  test('search by name and filter by status narrow the list and keep the filters in the page links', async () => {
    const fiona = await t.signIn(demo.healthAndSafety);
    const ben = await fiona.get('/incidents?q=Ben+Carter');
    assert.match(ben.body, /Showing 1 to 50 of 56 incidents/);
    assert.ok(ben.body.includes('href="/incidents?q=Ben+Carter&amp;page=2"'), 'the next page keeps the search');
    const closed = await fiona.get('/incidents?status=closed');
    assert.match(closed.body, /of 80 incidents/);
    const none = await fiona.get('/incidents?q=nobody-at-all');
    assert.match(none.body, /No incidents/);
    for (const odd of [
      '/incidents?page=abc',
      '/incidents?status=nonsense',
      '/incidents?page=99999',
      `/incidents?q=${'%25'.repeat(50)}`,
    ]) {
      assert.equal((await fiona.get(odd)).statusCode, 200, odd);
    }
  });

  test("a manager's list counts only the incidents of the people in their line", async () => {
    const ids = await demoIds(t.repos.db);
    const line = (await t.repos.staff.reports(ids.person.aisha)).map((r) => r.id);
    const expected = line.length
      ? (
          await t.repos.db
            .selectFrom('incidents')
            .select('id')
            .where('status', '<>', 'draft')
            .where('employee_id', 'in', line)
            .execute()
        ).length
      : 0;
    assert.ok(expected > 50, `Aisha's line has ${expected} incidents`);
    const aisha = await t.signIn(demo.teamManager);
    const page = await aisha.get('/incidents');
    assert.match(page.body, new RegExp(`Showing 1 to 50 of ${expected.toLocaleString('en-GB')} incidents`));
  });
});

/** The 51st row in the list's own order is the first row of page 2; the count is the total. */
const rowsOf = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]!);

describe('people, alerts, warning flags, accounts, risk reviews and lockdowns page and search', () => {
  let t: TestApp;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  const EXTRA = 530;

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    const db = t.repos.db;
    // People in Aisha's team, named so that name order is known: Zz-Listed 0000 … 0529.
    for (let i = 0; i < EXTRA; i++) {
      const n = String(i).padStart(4, '0');
      await db
        .insertInto('staff')
        .values({
          employee_number: `LIST${n}`,
          given_name: `Person${n}`,
          family_name: 'Zzlisted',
          email: `listed${n}@harbour.example`,
          job_role: 'social_worker',
          team_id: ids.team.ashford,
          line_manager_id: ids.person.aisha,
          active: i % 10 !== 0,
        } as never)
        .execute();
    }
    // Open alerts about Chloe (in Aisha's line), an hour apart, and warning flags on distinct postcodes.
    const opened = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 3_600_000);
    for (let i = 0; i < EXTRA; i++) {
      await db
        .insertInto('alerts')
        .values({
          worker_id: ids.person.chloe,
          kind: i % 5 === 0 ? 'end_of_day' : 'overdue',
          work_date: i % 5 === 0 ? new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10) : null,
          policy: '[]',
          opened_at: opened(i),
          deadline_at: opened(i),
        } as never)
        .execute();
      await db
        .insertInto('warning_flags')
        .values({
          postcode: `ME${(i % 9) + 1} ${String(i).padStart(3, '0')[0]}${'ABCDEFGHJK'[i % 10]}${'LMNPQRSTUW'[Math.floor(i / 10) % 10]}`,
          category: i % 2 ? 'dogs' : 'violence',
          description: `Listed flag ${i}`,
          raised_at: opened(i),
          expires_at: i % 4 === 0 ? new Date('2020-01-01') : null,
        } as never)
        .execute();
    }
  });
  after(() => t.close());

  test('people: 50 a page with the total, page 2 starts at the 51st in name order, search and filters narrow, odd pages are page 1', async () => {
    const admin = await t.signIn(demo.admin);
    const all = await t.repos.db
      .selectFrom('staff')
      .select(['given_name', 'family_name'])
      .orderBy('family_name')
      .orderBy('given_name')
      .orderBy('id')
      .execute();
    const first = await admin.get('/people');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, new RegExp(`Showing 1 to 50 of ${all.length.toLocaleString('en-GB')} people`));
    const names = (html: string) => rowsOf(html, /href="\/people\/\d+">([^<]+)<\/a>/g);
    assert.equal(names(first.body).length, 50);
    const second = await admin.get('/people?page=2');
    assert.equal(
      names(second.body)[0],
      `${all[50]!.given_name} ${all[50]!.family_name}`,
      'row 51 is the first on page 2',
    );
    const search = await admin.get('/people?q=zzlisted');
    assert.match(search.body, new RegExp(`of ${EXTRA} people`));
    assert.ok(search.body.includes('href="/people?q=zzlisted&amp;page=2"'), 'the next page keeps the search');
    assert.match(
      (await admin.get('/people?q=zzlisted&status=left')).body,
      new RegExp(`Showing 1 to 50 of ${EXTRA / 10} people`),
    );
    assert.match((await admin.get('/people?q=LIST0007')).body, /Showing 1 person/);
    assert.match((await admin.get(`/people?q=zzlisted&team=${ids.team.swale}`)).body, /No people/);
    for (const odd of [
      '/people?page=abc',
      '/people?page=0',
      '/people?page=-3',
      '/people?q=a&q=b',
      '/people?team=x&status=nonsense',
      '/people?page[]=2',
    ]) {
      const res = await admin.get(odd);
      assert.equal(res.statusCode, 200, odd);
      assert.match(res.body, /Showing 1 to/, odd);
    }
    const past = await admin.get('/people?page=99999');
    assert.match(
      past.body,
      new RegExp(`to ${all.length.toLocaleString('en-GB')} of`),
      'past the end shows the last page',
    );
  });

  test('alerts: every open alert is reachable past 500, newest first, filtered by kind and searched by name', async () => {
    const aisha = await t.signIn(demo.teamManager);
    const open = await t.repos.db
      .selectFrom('alerts')
      .select('id')
      .where('status', '<>', 'resolved')
      .where('worker_id', '=', ids.person.chloe)
      .execute();
    const first = await aisha.get('/alerts');
    assert.equal(first.statusCode, 200);
    const total = Number(/of ([\d,]+) open alerts/.exec(first.body)![1]!.replace(/,/g, ''));
    assert.ok(total >= open.length && open.length >= EXTRA, `total ${total}`);
    const alertIds = (html: string) =>
      rowsOf(html.slice(html.indexOf('id="alerts-list"')), /govuk-!-font-weight-bold" href="\/alerts\/(\d+)"/g);
    assert.equal(alertIds(first.body).length, 50);
    const lastPage = Math.ceil(total / 50);
    const last = await aisha.get(`/alerts?page=${lastPage}`);
    assert.equal(
      alertIds(last.body).length,
      total - (lastPage - 1) * 50,
      'the last page holds the rest: nothing stops at 500',
    );
    const endOfDay = await aisha.get('/alerts?kind=end_of_day&q=chloe');
    assert.match(endOfDay.body, new RegExp(`of ${EXTRA / 5} open alerts`));
    assert.match((await aisha.get('/alerts?q=nobody-at-all')).body, /No open alerts/);
    assert.match((await aisha.get('/alerts?status=closed')).body, /No closed alerts|closed alerts/);
    // Someone who supports nobody with an alert sees none of them, and no count of them.
    const jamal = await t.signIn(demo.otherServiceWorker);
    assert.match((await jamal.get('/alerts')).body, /No open alerts/);
    for (const odd of ['/alerts?page=x', '/alerts?kind=a&kind=b', '/alerts?status[]=closed'])
      assert.equal((await aisha.get(odd)).statusCode, 200, odd);
  });

  test('warning flags: all flags page past 500, live first, search by postcode or words and filter by kind and status', async () => {
    const fiona = await t.signIn(demo.healthAndSafety);
    const total = Number(
      (
        await t.repos.db
          .selectFrom('warning_flags')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const first = await fiona.get('/risk/flags');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, new RegExp(`Showing 1 to 50 of ${total.toLocaleString('en-GB')} warning flags`));
    const last = await fiona.get(`/risk/flags?page=${Math.ceil(total / 50)}`);
    assert.match(last.body, new RegExp(`to ${total.toLocaleString('en-GB')} of`));
    assert.match(
      (await fiona.get('/risk/flags?q=Listed+flag+12')).body,
      /Showing 1 to 11 of 11 warning flags/,
      'flag 12 and 120–129',
    );
    assert.match(
      (await fiona.get('/risk/flags?q=me70cq')).body,
      /Showing 1 warning flag</,
      'postcode without the space',
    );
    const ended = await fiona.get('/risk/flags?q=Listed+flag&status=ended');
    assert.match(ended.body, new RegExp(`of ${Math.ceil(EXTRA / 4)} warning flags`));
    assert.match(
      (await fiona.get('/risk/flags?q=Listed+flag&category=dogs')).body,
      new RegExp(`of ${EXTRA / 2} warning flags`),
    );
    for (const odd of ['/risk/flags?page=0', '/risk/flags?category=nonsense', '/risk/flags?q=a&q=b'])
      assert.equal((await fiona.get(odd)).statusCode, 200, odd);
  });

  test('sign-in accounts: 50 a page with the total, searched by name or email, narrowed by role and status', async () => {
    const admin = await t.signIn(demo.admin);
    await t.repos.db
      .insertInto('accounts')
      .values(
        Array.from({ length: 70 }, (_, n) => ({
          email: `paged${String(n).padStart(3, '0')}@harbour.example`,
          display_name: `Paged Account ${n}`,
          roles: ['worker'],
          staff_id: null,
          password_hash: null,
          oidc_issuer: null,
          oidc_subject: null,
          disabled_at: n % 7 === 0 ? new Date() : null,
          last_sign_in_at: null,
          totp_secret: null,
          totp_enabled_at: null,
          totp_last_step: null,
        })) as never,
      )
      .execute();
    const total = (await t.repos.db.selectFrom('accounts').select('id').execute()).length;
    const first = await admin.get('/admin/accounts');
    assert.equal(first.statusCode, 200);
    assert.match(first.body, new RegExp(`Showing 1 to 50 of ${total} accounts`));
    assert.match((await admin.get('/admin/accounts?q=paged')).body, /Showing 1 to 50 of 70 accounts/);
    assert.match((await admin.get('/admin/accounts?q=PAGED&page=2')).body, /Showing 51 to 70 of 70 accounts/);
    assert.match((await admin.get('/admin/accounts?q=paged&status=off')).body, /of 10 accounts/);
    assert.match((await admin.get('/admin/accounts?q=paged&role=admin')).body, /No accounts/);
    for (const odd of ['/admin/accounts?page=x', '/admin/accounts?role=nonsense&q=a&q=b'])
      assert.equal((await admin.get(odd)).statusCode, 200, odd);
  });

  test('risk reviews and lockdowns show how many there are', async () => {
    const aisha = await t.signIn(demo.teamManager);
    const reviews = await aisha.get('/risk/reviews');
    assert.equal(reviews.statusCode, 200);
    assert.match(
      reviews.body,
      /Showing 1 to \d+ of \d+ risk assessments|Showing 1 risk assessment<|No risk assessments/,
    );
    assert.equal((await aisha.get('/risk/reviews?show=overdue&page=zz')).statusCode, 200);
    const admin = await t.signIn(demo.admin);
    const lockdowns = await admin.get('/lockdowns?status=running&building=x&page=-1');
    assert.equal(lockdowns.statusCode, 200);
    assert.match(lockdowns.body, /No lockdowns|Showing 1 to/);
  });
});
