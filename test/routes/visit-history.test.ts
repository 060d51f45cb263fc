/**
 * Visit history over HTTP, with CSRF on: a paged list ("Showing 1 to 50 of 120 visits") of the
 * visits a person could open, and no others; a period in GOV.UK date boxes (London days), a state
 * and a search, kept in the page links; every date error at once; odd query strings never a 5xx;
 * and no trace of a silent alarm on the list.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { demo, startTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { actorFor, buildVisitForm } from '../helpers/lone-working.ts';
import { demoIds, errorLinks, inputValue, type DemoIds } from './support.ts';

const email = (given: string, family: string) => `${given}.${family}@harbour.example`.toLowerCase();
const HOUR = 3_600_000;
const SEPTEMBER = 'from-day=1&from-month=9&from-year=2021&to-day=30&to-month=9&to-year=2021';

describe('visit history', () => {
  let t: TestApp;
  let ids: DemoIds;
  const agents = new Map<string, Agent>();
  const as = async (who: string) => {
    if (!agents.has(who)) agents.set(who, await t.signIn(who));
    return agents.get(who)!;
  };
  /** The visit ids linked from a page of the list. */
  const linked = (html: string) =>
    [...html.matchAll(/<a class="govuk-link" href="\/visits\/(\d+)">/g)].map((m) => Number(m[1]));
  const errorsOn = (html: Parameters<typeof errorLinks>[0]) => errorLinks(html).filter((f) => f !== 'main-content');
  const showing = (html: string) => /<p class="govuk-body" id="visits-showing"[^>]*>([^<]*)<\/p>/.exec(html)?.[1];

  before(async () => {
    t = await startTestApp();
    ids = await demoIds(t.repos.db);
    const jamal = ids.person.jamal,
      katie = ids.person.katie;
    const nadia = await t.repos.db
      .selectFrom('staff')
      .select('id')
      .where('email', '=', email('Nadia', 'Hussain'))
      .executeTakeFirstOrThrow();
    const visit = (workerId: number, startsAt: Date, extra: Record<string, unknown> = {}) => ({
      worker_id: workerId,
      kind: 'visit',
      starts_at: startsAt,
      ends_at: new Date(startsAt.getTime() + HOUR),
      postcode: 'TN23 1AA',
      state: 'completed',
      ...extra,
    });
    const rows = [];
    // Chloe: 120 visits in September 2021, every 6 hours from 03:00 on the 1st (London, BST); a third cancelled, one in ten in ME14.
    for (let i = 0; i < 120; i++) {
      rows.push(
        visit(ids.person.chloe, new Date(Date.UTC(2021, 8, 1, 2) + i * 6 * HOUR), {
          state: i % 3 === 0 ? 'cancelled' : 'completed',
          postcode: i % 10 === 0 ? 'ME14 1XX' : 'TN23 1AA',
          risk_rating: i % 2 ? 'AMBER' : null,
        }),
      );
    }
    // 23:30 UTC on 14 July is 00:30 on 15 July in London.
    rows.push(visit(ids.person.chloe, new Date(Date.UTC(2021, 6, 14, 23, 30)), { postcode: 'CT21 4AA' }));
    for (let i = 0; i < 5; i++)
      rows.push(visit(ids.person.ben, new Date(Date.UTC(2021, 9, 1 + i, 9)), { state: 'planned' }));
    for (let i = 0; i < 7; i++)
      rows.push(visit(jamal, new Date(Date.UTC(2021, 9, 1 + i, 10)), { joint_partner_id: i === 0 ? katie : null }));
    for (let i = 0; i < 3; i++)
      rows.push(
        visit(nadia.id, new Date(Date.UTC(2021, 9, 1 + i, 11)), {
          kind: 'office',
          postcode: null,
          building_id: ids.building.civic,
        }),
      );
    await t.repos.db.insertInto('visits').values(rows).execute();
  });
  after(() => t.close());

  test("a worker's history pages 50 at a time, with the total, in London time and GOV.UK dates", async () => {
    const chloe = await as(demo.worker);
    const home = await chloe.get('/visits');
    assert.ok(home.body.includes('href="/visits/history"'), 'My visits today links to the history');
    assert.ok((await chloe.get('/help')).body.includes('href="/visits/history"'), 'help points to it');
    const first = await chloe.get(`/visits/history?${SEPTEMBER}`);
    assert.equal(first.statusCode, 200);
    assert.match(first.body, /<h1 class="govuk-heading-l">Visit history<\/h1>/);
    assert.equal(showing(first.body), 'Showing 1 to 50 of 120 visits');
    assert.equal(linked(first.body).length, 50);
    // Newest first: the last of September (30 September, 21:00 London) heads the list.
    assert.match(first.body, /href="\/visits\/\d+">30 September 2021 at 9:00pm<\/a>/);
    assert.match(first.body, /govuk-tag--green">\s*Finished safely/);
    assert.match(first.body, /harbour-rag--amber">\s*AMBER/);
    // The page links keep the period.
    assert.ok(
      first.body.includes(`href="/visits/history?${SEPTEMBER.replace(/&/g, '&amp;')}&amp;page=2"`),
      'the next page keeps the filters',
    );
    const third = await chloe.get(`/visits/history?${SEPTEMBER}&page=3`);
    assert.equal(showing(third.body), 'Showing 101 to 120 of 120 visits');
    assert.equal(linked(third.body).length, 20);
    assert.match(third.body, /1 September 2021 at 3:00am<\/a>/);
    const pages = new Set([
      ...linked(first.body),
      ...linked((await chloe.get(`/visits/history?${SEPTEMBER}&page=2`)).body),
      ...linked(third.body),
    ]);
    assert.equal(pages.size, 120, 'every visit is on exactly one page');
    // Past the end is the last page.
    assert.equal(
      showing((await chloe.get(`/visits/history?${SEPTEMBER}&page=99999`)).body),
      'Showing 101 to 120 of 120 visits',
    );
  });

  test('the period is in London days; the state and the search narrow the list and stay in the page links', async () => {
    const chloe = await as(demo.worker);
    const day = (d: number, m: number) =>
      `from-day=${d}&from-month=${m}&from-year=2021&to-day=${d}&to-month=${m}&to-year=2021`;
    assert.equal(showing((await chloe.get(`/visits/history?${day(15, 7)}`)).body), 'Showing 1 visit');
    assert.equal(showing((await chloe.get(`/visits/history?${day(14, 7)}`)).body), 'No visits');
    assert.equal(showing((await chloe.get(`/visits/history?${day(10, 9)}`)).body), 'Showing 1 to 4 of 4 visits');
    assert.equal(showing((await chloe.get(`/visits/history?${day(1, 9)}`)).body), 'Showing 1 to 4 of 4 visits');
    const open = await chloe.get(`/visits/history?from-day=15&from-month=7&from-year=2021`);
    assert.equal(showing(open.body), 'Showing 1 to 50 of 121 visits', 'from a date onwards');
    assert.equal(inputValue(open.body, 'from-day'), '15', 'the boxes keep what was typed');
    const cancelled = await chloe.get('/visits/history?state=cancelled');
    assert.equal(showing(cancelled.body), 'Showing 1 to 40 of 40 visits');
    assert.match(cancelled.body, /<option value="cancelled" selected>/);
    assert.equal(showing((await chloe.get('/visits/history?state=planned')).body), 'No visits');
    assert.equal(
      showing((await chloe.get('/visits/history?q=me14')).body),
      'Showing 1 to 12 of 12 visits',
      'postcode, any case, any spacing',
    );
    const tn = await chloe.get('/visits/history?q=TN23+1AA&state=completed');
    assert.equal(showing(tn.body), 'Showing 1 to 50 of 72 visits');
    assert.ok(
      tn.body.includes('href="/visits/history?q=TN23+1AA&amp;state=completed&amp;page=2"'),
      'the next page keeps the search and state',
    );
  });

  test("managers see the visits of everyone below them, business support their team's, and search by name", async () => {
    const aisha = await as(demo.teamManager);
    const all = await aisha.get('/visits/history');
    assert.equal(showing(all.body), 'Showing 1 to 50 of 126 visits', "Chloe's 121 and Ben's 5");
    assert.match(all.body, /<th scope="col" class="govuk-table__header">Worker<\/th>/);
    assert.match(all.body, /Name of the member of staff, postcode or building/);
    const ben = await aisha.get('/visits/history?q=ben+carter');
    assert.equal(showing(ben.body), 'Showing 1 to 5 of 5 visits');
    assert.match(ben.body, /Ben Carter/);
    assert.doesNotMatch(ben.body, /Chloe Davies/);
    assert.match(ben.body, /govuk-tag--grey">\s*Planned/);
    // Helen manages Aisha and Mark: the whole line below her, Nadia's office sessions included.
    const helen = await as(demo.serviceManager);
    assert.equal(showing((await helen.get('/visits/history')).body), 'Showing 1 to 50 of 129 visits');
    const nadia = await helen.get('/visits/history?q=Nadia');
    assert.equal(showing(nadia.body), 'Showing 1 to 3 of 3 visits');
    assert.match(nadia.body, /Civic Centre/);
    assert.match(nadia.body, /Lone working in the office/);
    assert.equal(
      showing((await helen.get('/visits/history?q=civic')).body),
      'Showing 1 to 3 of 3 visits',
      'by building',
    );
    const emma = await as(demo.businessSupport);
    assert.equal(
      showing((await emma.get('/visits/history')).body),
      'Showing 1 to 50 of 126 visits',
      "her team's visits",
    );
    const admin = await as(demo.admin);
    assert.equal(showing((await admin.get('/visits/history')).body), 'Showing 1 to 50 of 136 visits');
    // A search for someone outside the person's reach finds nothing.
    assert.equal(showing((await aisha.get('/visits/history?q=Jamal')).body), 'No visits');
    assert.equal(showing((await (await as(demo.worker)).get('/visits/history?q=Ben')).body), 'No visits');
  });

  test("each person's list is exactly the visits they could open, and a worker in another team gets none of these", async () => {
    // Access follows the worker (and the joint partner): one visit of each kind stands for the rest.
    const everyVisit = await t.repos.db.selectFrom('visits').select(['id', 'worker_id', 'joint_partner_id']).execute();
    const groupOf = (v: (typeof everyVisit)[number]) => `${v.worker_id}/${v.joint_partner_id ?? ''}`;
    const representatives = new Map(everyVisit.map((v) => [groupOf(v), v.id]));
    const people = [
      demo.worker,
      demo.teamManager,
      demo.otherTeamManager,
      demo.serviceManager,
      demo.businessSupport,
      demo.otherServiceWorker,
      demo.healthAndSafety,
      demo.foi,
      email('Dev', 'Patel'),
      email('Owen', 'Jones'),
      email('Katie', 'Wilson'),
      email('Grace', 'Lee'),
    ];
    for (const who of people) {
      const actor = await actorFor(t.repos.db, who);
      const groups = new Set<string>();
      for (const [group, id] of representatives) {
        if (
          await t.services.visits.viewable(actor, id).then(
            () => true,
            () => false,
          )
        )
          groups.add(group);
      }
      const mayOpen = everyVisit.filter((v) => groups.has(groupOf(v))).map((v) => v.id);
      const agent = await as(who);
      const listed: number[] = [];
      for (let page = 1; page <= 4; page++)
        listed.push(...linked((await agent.get(`/visits/history?page=${page}`)).body));
      assert.deepEqual(
        [...new Set(listed)].sort((a, b) => a - b),
        mayOpen.sort((a, b) => a - b),
        who,
      );
    }
    const owen = await as(email('Owen', 'Jones'));
    const none = await owen.get('/visits/history');
    assert.equal(showing(none.body), 'No visits');
    assert.match(none.body, /No visits match/);
    // The joint visit partner sees the one visit she goes on.
    assert.equal(showing((await (await as(email('Katie', 'Wilson'))).get('/visits/history')).body), 'Showing 1 visit');
  });

  test('every date error at once, each naming its box; the list stays usable', async () => {
    const chloe = await as(demo.worker);
    const bad = await chloe.get(
      '/visits/history?from-day=31&from-month=2&from-year=2021&to-day=1&to-month=13&to-year=2021&state=cancelled',
    );
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(errorsOn(bad), ['from-day', 'to-day']);
    assert.match(bad.body, /<title>Error: Visit history/);
    assert.match(bad.body, /The date from must be a real date/);
    assert.match(bad.body, /The date to must be a real date/);
    assert.equal(inputValue(bad.body, 'to-month'), '13', 'what was typed stays in the boxes');
    const backwards = await chloe.get(
      '/visits/history?from-day=10&from-month=9&from-year=2021&to-day=1&to-month=9&to-year=2021',
    );
    assert.equal(backwards.statusCode, 400);
    assert.deepEqual(errorsOn(backwards), ['to-day']);
    assert.match(backwards.body, /The date to must be the same as or after 10 September 2021/);
    const partial = await chloe.get('/visits/history?from-day=10&from-year=2021&to-year=21');
    assert.equal(partial.statusCode, 400);
    assert.deepEqual(errorsOn(partial), ['from-day', 'to-day']);
  });

  test('odd query strings give page 1 or a 400, never a 5xx', async () => {
    const aisha = await as(demo.teamManager);
    const cases: [string, number][] = [
      ['/visits/history?page=abc', 200],
      ['/visits/history?page=-1', 200],
      ['/visits/history?page=1&page=2', 200],
      ['/visits/history?page=1e9', 200],
      ['/visits/history?state=nonsense', 200],
      ['/visits/history?state=a&state=b', 200],
      ['/visits/history?q=a&q=b', 200],
      [`/visits/history?q=${'x'.repeat(5000)}`, 200],
      ['/visits/history?q=%00', 400],
      ['/visits/history?q[a]=b', 200],
      ['/visits/history?state[]=planned', 200],
      ['/visits/history?from-day=1&from-day=2&from-month=1&from-year=2021', 0],
      ['/visits/history?from-year=99999&from-month=1&from-day=1', 400],
      ['/visits/history?to-day=%F0%9F%98%80&to-month=1&to-year=2021', 400],
    ];
    // 0: a repeated box may be read as one value or refused, but never a 5xx.
    for (const [url, code] of cases) {
      const status = (await aisha.get(url)).statusCode;
      if (code) assert.equal(status, code, url);
      else assert.ok(status < 500, `${url}: ${status}`);
    }
    assert.equal(showing((await aisha.get('/visits/history?page=abc')).body), 'Showing 1 to 50 of 126 visits');
    // A search is text: LIKE's wildcards match only themselves.
    assert.equal(showing((await aisha.get('/visits/history?q=%25')).body), 'No visits');
    assert.equal(showing((await aisha.get('/visits/history?q=_')).body), 'No visits');
  });

  test('a visit ended with the duress PIN reads on the list exactly as one ended normally', async () => {
    const actor = await actorFor(t.repos.db, demo.worker);
    const plan = async () => {
      const id = await t.services.visits.plan(
        actor,
        buildVisitForm({ postcode: 'CT1 1AA', description: 'Home visit' }),
      );
      await t.services.visits.arrive(actor, id);
      return id;
    };
    const normal = await plan();
    await t.services.visits.end(actor, normal);
    const duress = await plan();
    await t.services.duress.raise(actor, { workerId: actor.staffId!, visitId: duress, via: 'pin', location: null });
    await t.services.visits.end(actor, duress);
    const alarm = await t.repos.db
      .selectFrom('alerts')
      .select('id')
      .where('visit_id', '=', duress)
      .where('kind', '=', 'duress')
      .executeTakeFirst();
    assert.ok(alarm, 'a silent alarm was raised');
    const rowOf = (html: string, id: number) => {
      const at = html.indexOf(`href="/visits/${id}"`);
      assert.ok(at > 0, `visit ${id} is listed`);
      return html
        .slice(html.lastIndexOf('<tr', at), html.indexOf('</tr>', at))
        .replace(/\/visits\/\d+/, '/visits/ID')
        .replace(/\d{1,2}:\d{2}[ap]m/, 'TIME');
    };
    for (const who of [demo.worker, demo.teamManager, email('Dev', 'Patel')]) {
      const page = await (await as(who)).get('/visits/history?q=CT1+1');
      assert.equal(showing(page.body), 'Showing 1 to 2 of 2 visits', who);
      assert.equal(rowOf(page.body, duress), rowOf(page.body, normal), who);
      const table = page.body.slice(
        page.body.indexOf('<form method="get" action="/visits/history"'),
        page.body.indexOf('</table>'),
      );
      assert.doesNotMatch(
        table,
        /duress|alarm|alert/i,
        `${who}: ${/.{80}(duress|alarm|alert).{80}/is.exec(table)?.[0]}`,
      );
    }
  });
});
