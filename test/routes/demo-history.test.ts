/**
 * Issue 15: the demo loads a year of plausible history, so that on first start every dashboard,
 * statistic and role home shows something. Seeds the demo as `npm start` does and opens them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { demo, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { engineName } from '../helpers/database.ts';

/** The lines of the page's "Your work" section: count and text. */
function workLines(body: string): string[] {
  const start = body.indexOf('<h2 class="govuk-heading-m">Your work</h2>');
  if (start < 0) return [];
  const section = body.slice(start, body.indexOf('</div></div>', start));
  return [...section.matchAll(/<a class="govuk-link" href="[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!.trim());
}
const figure = (body: string, label: string) => {
  const m = new RegExp(`${label}\\s*</dt>\\s*<dd class="govuk-summary-list__value">\\s*(\\d+)`).exec(body);
  assert.ok(m, `${label} on the page`);
  return Number(m[1]);
};

describe(`[${engineName}] the demo's year of history`, () => {
  let t: TestApp;
  let seedMs = 0;
  before(async () => {
    t = await startTestApp({ seed: false });
    const started = Date.now();
    assert.equal(await seedDemo(t.repos.db, t.repos.audit, { history: true }), true);
    seedMs = Date.now() - started;
  });
  after(() => t.close());

  test('realistic numbers for a children’s services department, loaded in one quick pass', async (c) => {
    c.diagnostic(`seeded the demo with its history in ${seedMs} ms`);
    const { db } = t.repos;
    const count = async (table: 'staff' | 'incidents' | 'complaints' | 'foi_requests' | 'visits' | 'alerts') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select(sql<number>`count(*)`.as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const staff = await count('staff');
    const incidents = await count('incidents');
    const complaints = await count('complaints');
    const foi = await count('foi_requests');
    const visits = await count('visits');
    assert.ok(staff >= 85 && staff <= 100, `${staff} staff`);
    assert.ok(incidents >= 250 && incidents <= 400, `${incidents} incidents`);
    assert.ok(complaints >= 90 && complaints <= 120, `${complaints} complaints`);
    assert.ok(foi >= 55 && foi <= 70, `${foi} FOI requests`);
    assert.ok(visits > 5_000, `${visits} finished visits`);
    assert.ok((await count('alerts')) >= 5);
    // Every open alert would wake the engine: the history's alerts are all resolved, its visits all over.
    assert.equal(
      Number(
        (
          await db
            .selectFrom('alerts')
            .select(sql<number>`count(*)`.as('n'))
            .where('status', '<>', 'resolved')
            .executeTakeFirstOrThrow()
        ).n,
      ),
      0,
    );
    assert.equal(
      Number(
        (
          await db
            .selectFrom('visits')
            .select(sql<number>`count(*)`.as('n'))
            .where('state', '<>', 'completed')
            .executeTakeFirstOrThrow()
        ).n,
      ),
      0,
    );
    // Everyone new has a buddy and a line manager; only Ola Adeyemi (new) has no buddy, as before.
    const gaps = await db
      .selectFrom('staff')
      .select([
        sql<number>`count(*) FILTER (WHERE buddy_id IS NULL AND job_role NOT IN ('assistant_director','service_manager','health_and_safety_officer','complaints_officer','information_governance_officer','administrator','other'))`.as(
          'b',
        ),
      ])
      .executeTakeFirstOrThrow();
    assert.equal(Number(gaps.b), 1);
    // The same rules as the services: a RIDDOR date only where RIDDOR applies.
    const riddor = await db
      .selectFrom('incidents')
      .select(['riddor_kind', 'riddor_report_by', 'hse_reported_on', 'status'])
      .where('riddor_report_by', 'is not', null)
      .execute();
    assert.ok(riddor.length >= 1 && riddor.length <= 20, `${riddor.length} RIDDOR-reportable incidents`);
    assert.ok(riddor.every((r) => r.riddor_kind === 'over_seven_day' || r.riddor_kind === 'specified_injury'));
    // A year of nightly retention runs is assumed: the first run finds no year-long backlog of sessions, and nothing else due.
    const retention = await t.services.retention.dryRun();
    assert.deepEqual(
      retention.kinds.filter((k) => k.due > 0).map((k) => `${k.kind}: ${k.due}`),
      [],
    );
    assert.ok(seedMs < 30_000, `seeded in ${seedMs} ms`);
  });

  test('the health and safety dashboard, complaint statistics and FOI dashboard have figures', async () => {
    const hs = await t.signIn(demo.healthAndSafety);
    const dashboard = await hs.get('/incidents/dashboard');
    assert.equal(dashboard.statusCode, 200);
    assert.ok(figure(dashboard.body, 'Incidents') >= 250);
    assert.ok(figure(dashboard.body, 'Staff it happened to') >= 40);
    const list = await hs.get('/incidents');
    assert.match(list.body, /of [\d,]{3,}/, 'the incidents list pages through hundreds');

    const co = await t.signIn(demo.complaints);
    const stats = await co.get('/complaints/statistics');
    assert.equal(stats.statusCode, 200);
    const totals =
      /Total<\/th>\s*<td class="govuk-table__cell govuk-table__cell--numeric">\s*(\d+)/.exec(stats.body) ??
      /Total[^]*?numeric">\s*(\d+)/.exec(stats.body);
    assert.ok(totals && Number(totals[1]) >= 50, 'complaints received this year and last');

    const ig = await t.signIn(demo.foi);
    const foi = await ig.get('/foi');
    assert.equal(foi.statusCode, 200);
    assert.ok(Number(/id="overdue">(\d+)</.exec(foi.body)?.[1]) >= 1, 'some FOI requests overdue');
    assert.match(foi.body, /Responded/);
    assert.match(foi.body, /%/, 'percentage answered on time by month');
  });

  test('each role’s home shows its own work', async () => {
    const expectations: [string, RegExp[]][] = [
      [demo.healthAndSafety, [/RIDDOR report/, /incidents? open/]],
      [demo.complaints, [/complaint stages? (past|due)/]],
      [demo.foi, [/requests? overdue/, /on hold/]],
      [demo.teamManager, [/awaiting your response|post-incident meetings? overdue/]],
      [demo.admin, [/no buddy/]],
    ];
    for (const [who, patterns] of expectations) {
      const home = await (await t.signIn(who)).get('/');
      assert.equal(home.statusCode, 200);
      const lines = workLines(home.body);
      assert.ok(lines.length > 0, `${who} has work on their home page`);
      for (const p of patterns)
        assert.ok(
          lines.some((l) => p.test(l)),
          `${who}: ${p} in ${JSON.stringify(lines)}`,
        );
    }
  });

  test('the RIDDOR count on the health and safety home is the reportable incidents not yet reported, not every open incident', async () => {
    const { db } = t.repos;
    const due = Number(
      (
        await db
          .selectFrom('incidents')
          .select(sql<number>`count(*)`.as('n'))
          .where('riddor_report_by', 'is not', null)
          .where('hse_reported_on', 'is', null)
          .where('closed_at', 'is', null)
          .executeTakeFirstOrThrow()
      ).n,
    );
    assert.ok(due >= 1, 'the demo has a RIDDOR report to make');
    const lines = workLines((await (await t.signIn(demo.healthAndSafety)).get('/')).body);
    const riddor = lines.filter((l) => /RIDDOR/.test(l)).map((l) => Number(/^(\d+)/.exec(l)?.[1] ?? 0));
    assert.equal(
      riddor.reduce((a, b) => a + b, 0),
      due,
      JSON.stringify(lines),
    );
  });

  test('readiness lists the manager’s people', async () => {
    const res = await (await t.signIn(demo.serviceManager)).get('/readiness');
    assert.equal(res.statusCode, 200);
    assert.ok((res.body.match(/govuk-table__row/g) ?? []).length > 20, 'a service’s people, not a handful');
  });
});
