/**
 * Issue 15: each person's home shows their own work first, by role, with counts and links they may
 * follow; the buddy and management-chain panels are for people who work alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { orderItems } from '../../src/features/worklist/service.ts';

/** The hrefs of the links in the page's "Your work" section. */
function workLinks(body: string): { href: string; text: string }[] {
  const start = body.indexOf('<h2 class="govuk-heading-m">Your work</h2>');
  if (start < 0) return [];
  const section = body.slice(start, body.indexOf('</div></div>', start));
  return [...section.matchAll(/<a class="govuk-link" href="([^"]+)">([^<]+)<\/a>/g)].map((m) => ({
    href: m[1]!,
    text: m[2]!,
  }));
}

describe('role homes', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  test('empty lines are left out and late ones come first', () => {
    const items = orderItems([
      { count: 2, text: 'due', href: '/a', urgent: false },
      { count: 0, text: 'none', href: '/b', urgent: true },
      { count: 1, text: 'late', href: '/c', urgent: true },
    ]);
    assert.deepEqual(
      items.map((i) => i.text),
      ['late', 'due'],
    );
  });

  test('office officers get their work, not a warning about a buddy they do not need', async () => {
    for (const who of [demo.healthAndSafety, demo.complaints, demo.foi, demo.admin]) {
      const home = await (await t.signIn(who)).get('/');
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Your work/, who);
      assert.ok(!home.body.includes('You do not have a buddy'), `${who} is not told to get a buddy`);
      assert.ok(!home.body.includes('No line manager is recorded'), `${who} is not told about a line manager`);
    }
  });

  test('the counts are the real ones and every link opens for the person', async () => {
    // Two RIDDOR reports to make, one past its date; one serious incident open.
    const { db } = t.repos;
    const chloe = (await db.selectFrom('staff').select('id').where('email', '=', demo.worker).executeTakeFirstOrThrow())
      .id;
    const account = (
      await db.selectFrom('accounts').select('id').where('email', '=', demo.worker).executeTakeFirstOrThrow()
    ).id;
    const base = {
      employee_id: chloe,
      reported_by: chloe,
      reported_by_account: account,
      status: 'open',
      draft: '{}',
      occurred_at: new Date(),
      submitted_at: new Date(),
      categories: [] as string[],
    };
    await db
      .insertInto('incidents')
      .values([
        { ...base, riddor_kind: 'over_7_day', riddor_report_by: '2026-01-10' },
        { ...base, riddor_kind: 'over_7_day', riddor_report_by: '2099-01-10', serious: true },
      ] as never)
      .execute();
    const fiona = await t.signIn(demo.healthAndSafety);
    const home = await fiona.get('/');
    const links = workLinks(home.body);
    assert.ok(
      links.some((l) => l.text === '1 RIDDOR report overdue'),
      JSON.stringify(links),
    );
    assert.ok(links.some((l) => l.text === '1 RIDDOR report to make'));
    assert.ok(links.some((l) => l.text === '1 serious incident open'));
    assert.ok(
      home.body.indexOf('RIDDOR report overdue') < home.body.indexOf('RIDDOR report to make'),
      'the late line first',
    );
    for (const l of links) assert.equal((await fiona.get(l.href)).statusCode, 200, l.href);

    // Aisha manages Chloe: both reports await her response.
    const aisha = await t.signIn(demo.teamManager);
    const hers = workLinks((await aisha.get('/')).body);
    assert.ok(
      hers.some((l) => l.text === '2 incident reports awaiting your response'),
      JSON.stringify(hers),
    );
    for (const l of hers) assert.equal((await aisha.get(l.href)).statusCode, 200, l.href);

    for (const who of [demo.complaints, demo.foi, demo.admin]) {
      const agent = await t.signIn(who);
      for (const l of workLinks((await agent.get('/')).body))
        assert.equal((await agent.get(l.href)).statusCode, 200, `${who} ${l.href}`);
    }
    const admin = workLinks((await (await t.signIn(demo.admin)).get('/')).body);
    const noManager = Number(
      (
        await db
          .selectFrom('staff')
          .select(db.fn.countAll().as('n'))
          .where('active', '=', true)
          .where('line_manager_id', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
    assert.ok(
      admin.some((l) => l.text === `${noManager} members of staff have no line manager`),
      JSON.stringify(admin),
    );
  });

  test("a worker's management chain links only to the pages she may open", async () => {
    const chloe = await t.signIn(demo.worker);
    const home = await chloe.get('/');
    assert.match(home.body, /My buddy/);
    assert.match(home.body, /My management chain/);
    const chain = home.body.slice(
      home.body.indexOf('My management chain'),
      home.body.indexOf('</ol>', home.body.indexOf('My management chain')),
    );
    assert.match(chain, /Helen Ward/, 'her service manager is named');
    for (const m of chain.matchAll(/href="(\/people\/\d+)"/g))
      assert.equal((await chloe.get(m[1]!)).statusCode, 200, m[1]);
    assert.ok(!/href="\/people\/\d+">Helen Ward/.test(chain), 'no link to a page that answers 403');
  });
});
