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
        employeeId: i % 10 === 0 ? ids.person.ben : ids.person.chloe, occurredAt: new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toISOString(),
        categories: ['verbal_abuse'], status: i % 7 === 0 ? 'closed' : 'open',
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
    for (const odd of ['/incidents?page=abc', '/incidents?status=nonsense', '/incidents?page=99999', `/incidents?q=${'%25'.repeat(50)}`]) {
      assert.equal((await fiona.get(odd)).statusCode, 200, odd);
    }
  });

  test('a manager\'s list counts only the incidents of the people in their line', async () => {
    const ids = await demoIds(t.repos.db);
    const line = (await t.repos.staff.reports(ids.person.aisha)).map((r) => r.id);
    const expected = line.length ? (await t.repos.db.selectFrom('incidents').select('id').where('status', '<>', 'draft').where('employee_id', 'in', line).execute()).length : 0;
    assert.ok(expected > 50, `Aisha's line has ${expected} incidents`);
    const aisha = await t.signIn(demo.teamManager);
    const page = await aisha.get('/incidents');
    assert.match(page.body, new RegExp(`Showing 1 to 50 of ${expected.toLocaleString('en-GB')} incidents`));
  });
});
