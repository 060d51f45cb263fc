import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openTestDatabase, engineName } from '../helpers/database.ts';
import { actorFor } from '../helpers/lone-working.ts';
import { buildRepositories, buildServices } from '../../src/composition.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { buildCalendarService, type CalendarService } from '../../src/features/calendar/index.ts';
import { buildRefreshSubscriptionsJob } from '../../src/features/calendar/refresh-job.ts';
import { ValidationError } from '../../src/errors.ts';
import type { Actor } from '../../src/features/auth/actor.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ics/${name}`, import.meta.url), 'utf8');

let database: Awaited<ReturnType<typeof openTestDatabase>>;
let services: ReturnType<typeof buildServices>;
let calendar: CalendarService;
/** The calendar service's clock: each test sets it so the fixtures' 2026 dates fall in the window. */
let now = new Date('2026-03-15T12:00:00Z');
let chloe: Actor;
let ola: Actor;

before(async () => {
  database = await openTestDatabase();
  const repos = buildRepositories(database.db);
  await seedDemo(database.db, repos.audit);
  services = buildServices(repos);
  calendar = buildCalendarService({
    db: database.db,
    visits: services.visits,
    audit: repos.audit,
    now: () => now,
    fetchPolicy: { allowLoopback: true, timeoutMs: 1500 },
  });
  chloe = await actorFor(database.db, 'chloe.davies@harbour.example');
  ola = await actorFor(database.db, 'ola.adeyemi@harbour.example');
});
after(() => database.drop());

const visitsOf = (staffId: number, source = 'ical') =>
  database.db
    .selectFrom('visits')
    .selectAll()
    .where('worker_id', '=', staffId)
    .where('source', '=', source)
    .orderBy('starts_at')
    .execute();
const iso = (d: Date | string) => new Date(d).toISOString().replace('.000Z', 'Z');

/** Uploads a fixture and chooses every event that can be chosen, as a visit with its default description. */
async function importAll(actor: Actor, file: string) {
  const preview = await calendar.preview(actor, fixture(file), file);
  const choices = preview.items
    .filter((i) => !i.problem)
    .map((i) => ({ index: i.index, kind: 'visit', description: i.description }));
  return { preview, result: await calendar.confirm(actor, preview.id, choices) };
}

describe(`[${engineName}] importing an uploaded calendar`, () => {
  test('Google: a weekly 09:00 series becomes visits at the right UTC instants across the March clock change', async () => {
    now = new Date('2026-03-15T12:00:00Z');
    const { preview, result } = await importAll(chloe, 'google-calendar.ics');
    assert.deepEqual(
      preview.items.filter((i) => i.problem).map((i) => [i.summary, i.problem]),
      [['Training day', 'All-day events cannot be imported as visits']],
    );
    assert.deepEqual(result, { added: 4, skipped: 0 });
    const visits = await visitsOf(chloe.staffId!);
    assert.deepEqual(
      visits.map((v) => [iso(v.starts_at), iso(v.ends_at)]),
      [
        ['2026-03-16T09:00:00Z', '2026-03-16T10:00:00Z'],
        ['2026-03-23T09:00:00Z', '2026-03-23T10:00:00Z'],
        ['2026-03-30T13:00:00Z', '2026-03-30T14:00:00Z'],
        ['2026-04-13T08:00:00Z', '2026-04-13T09:00:00Z'],
      ],
    );
    const first = visits[0]!;
    assert.equal(first.kind, 'visit');
    assert.equal(first.description, 'weekly contact');
    assert.equal(first.address, 'Maidstone Family Hub, 5 Week Street, Maidstone ME14 1QW, UK');
    assert.equal(first.postcode, 'ME14 1QW');
    assert.equal(first.risk_rating, null);
    assert.equal(first.referral_type, null);
    assert.equal(first.state, 'planned');
    assert.equal(first.ical_uid, '7kukuqrfedlm2f9t0vbfjsnlgk@google.com#2026-03-16T09:00:00.000Z');
    assert.equal(visits[2]!.description, 'weekly contact (afternoon)');
    const timeline = await database.db
      .selectFrom('timeline_events')
      .select('text')
      .where('visit_id', '=', first.id)
      .execute();
    assert.match(timeline[0]!.text, /Imported from a calendar/);
  });

  test('importing the same file again adds nothing, and the preview says they are already imported', async () => {
    const before = (await visitsOf(chloe.staffId!)).length;
    const preview = await calendar.preview(chloe, fixture('google-calendar.ics'), 'again.ics');
    const imported = preview.items.filter((i) => i.imported);
    assert.equal(imported.length, 4);
    assert.ok(imported.every((i) => i.problem === 'Already imported'));
    assert.equal(preview.selectable, 0);
    // Choosing them anyway (a stale page) is harmless.
    const result = await calendar.confirm(
      chloe,
      preview.id,
      imported.map((i) => ({ index: i.index, kind: 'visit', description: i.description })),
    );
    assert.deepEqual(result, { added: 0, skipped: 4 });
    assert.equal((await visitsOf(chloe.staffId!)).length, before);
  });

  test('the same file imported by two people gives each their own visits', async () => {
    now = new Date('2026-03-15T12:00:00Z');
    const { result } = await importAll(ola, 'google-calendar.ics');
    assert.deepEqual(result, { added: 4, skipped: 0 });
  });

  test('Outlook ("GMT Standard Time"): 09:00 each Wednesday across the October change, the moved one at 11:30, Berlin 10:00 is 09:00 here', async () => {
    now = new Date('2026-10-10T09:00:00Z');
    const { result } = await importAll(chloe, 'outlook-desktop.ics');
    assert.deepEqual(result, { added: 5, skipped: 0 });
    const visits = (await visitsOf(chloe.staffId!)).filter((v) => iso(v.starts_at) >= '2026-10');
    assert.deepEqual(
      visits.map((v) => `${iso(v.starts_at)} ${v.description}`),
      [
        '2026-10-14T08:00:00Z Contact session (supervised)',
        '2026-10-20T08:00:00Z Fallbesprechung (Teams)',
        '2026-10-21T10:30:00Z Contact session (supervised) - later start',
        '2026-10-28T09:00:00Z Contact session (supervised)',
        '2026-11-11T09:00:00Z Contact session (supervised)',
      ],
    );
    assert.equal(visits[0]!.postcode, 'TN23 5RN');
    assert.equal(visits[1]!.postcode, null, 'a Teams meeting has no postcode');
  });

  test('Apple: a daily 08:00 visit is 08:00 UTC before the change and 07:00 UTC from the day of it; coordinates are kept', async () => {
    now = new Date('2026-03-26T12:00:00Z');
    const preview = await calendar.preview(chloe, fixture('apple-icloud.ics'), 'Work.ics');
    const daily = preview.items.filter((i) => i.summary === 'Visit: morning check-in');
    const meeting = preview.items.find((i) => i.summary === 'Strategy meeting')!;
    await calendar.confirm(
      chloe,
      preview.id,
      [...daily, meeting].map((i) => ({
        index: i.index,
        kind: i === meeting ? 'office' : 'visit',
        description: i.description,
      })),
    );
    const visits = (await visitsOf(chloe.staffId!)).filter((v) => /^(5B0D2E4A|E3C1A2B4)/.test(v.ical_uid!));
    assert.deepEqual(
      visits.map((v) => iso(v.starts_at)),
      [
        '2026-03-27T08:00:00Z',
        '2026-03-28T08:00:00Z',
        '2026-03-29T07:00:00Z',
        '2026-03-30T07:00:00Z',
        '2026-03-31T07:00:00Z',
        '2026-04-01T13:00:00Z',
      ],
    );
    assert.equal(visits[0]!.latitude, 51.150342);
    assert.equal(visits[0]!.longitude, 0.882931);
    assert.equal(visits[0]!.postcode, 'TN24 8JZ');
    assert.equal(visits.at(-1)!.kind, 'office');
  });

  test('two imports of the same events at once still make one visit each', async () => {
    now = new Date('2026-10-20T12:00:00Z');
    const dave = await actorFor(database.db, 'dev.patel@harbour.example');
    const [a, b] = await Promise.all([
      calendar.preview(dave, fixture('google-calendar.ics'), 'a.ics'),
      calendar.preview(dave, fixture('google-calendar.ics'), 'b.ics'),
    ]);
    const choose = (p: typeof a) =>
      p.items.filter((i) => !i.problem).map((i) => ({ index: i.index, kind: 'visit', description: i.description }));
    const results = await Promise.all([
      calendar.confirm(dave, a.id, choose(a)),
      calendar.confirm(dave, b.id, choose(b)),
    ]);
    assert.equal(results[0].added + results[1].added, 3);
    assert.equal((await visitsOf(dave.staffId!)).length, 3);
  });
});

describe(`[${engineName}] what the import refuses`, () => {
  const fieldsOf = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof ValidationError) return e.errors.map((x) => x.field);
      throw e;
    }
    assert.fail('expected a ValidationError');
  };

  test('a file that is not a calendar, an empty file, a calendar with nothing in the window', async () => {
    now = new Date('2026-03-15T12:00:00Z');
    assert.deepEqual(await fieldsOf(calendar.preview(chloe, 'employee_number,given_name\n', 'staff.csv')), ['file']);
    assert.deepEqual(await fieldsOf(calendar.preview(chloe, '   ', 'empty.ics')), ['file']);
    now = new Date('2028-01-01T12:00:00Z');
    assert.deepEqual(await fieldsOf(calendar.preview(chloe, fixture('google-calendar.ics'), 'old.ics')), ['file']);
  });

  test('nothing chosen; no location for a visit; a description that is too long; an all-day event', async () => {
    now = new Date('2026-10-19T12:00:00Z');
    const preview = await calendar.preview(ola, fixture('outlook-published.ics'), 'published.ics');
    const noAddress = preview.items.find((i) => i.summary === 'Visit: no address given')!;
    const withAddress = preview.items.find((i) => i.summary === 'Team meeting')!;
    assert.deepEqual(await fieldsOf(calendar.confirm(ola, preview.id, [])), ['events']);
    assert.deepEqual(
      await fieldsOf(calendar.confirm(ola, preview.id, [{ index: noAddress.index, kind: 'visit', description: 'x' }])),
      [`kind-${noAddress.index}`],
    );
    assert.deepEqual(
      await fieldsOf(
        calendar.confirm(ola, preview.id, [{ index: withAddress.index, kind: 'visit', description: 'x'.repeat(121) }]),
      ),
      [`description-${withAddress.index}`],
    );
    assert.deepEqual(
      await fieldsOf(
        calendar.confirm(ola, preview.id, [{ index: withAddress.index, kind: 'lunch', description: 'x' }]),
      ),
      [`kind-${withAddress.index}`],
    );
    assert.deepEqual(
      await fieldsOf(calendar.confirm(ola, preview.id, [{ index: 999, kind: 'visit', description: 'x' }])),
      ['events'],
    );
    // Home working needs no address.
    assert.deepEqual(
      await calendar.confirm(ola, preview.id, [
        { index: noAddress.index, kind: 'home_working', description: 'Calls from home' },
      ]),
      { added: 1, skipped: 0 },
    );
    now = new Date('2026-10-10T09:00:00Z');
    const outlook = await calendar.preview(ola, fixture('outlook-desktop.ics'), 'o.ics');
    const leave = outlook.items.find((i) => i.summary === 'Annual leave')!;
    assert.deepEqual(
      await fieldsOf(calendar.confirm(ola, outlook.id, [{ index: leave.index, kind: 'visit', description: 'x' }])),
      ['events'],
    );
  });

  test('a preview is only its owner’s, only for an hour, and only once', async () => {
    now = new Date('2026-10-19T12:00:00Z');
    const preview = await calendar.preview(chloe, fixture('outlook-published.ics'), 'published.ics');
    const choice = [{ index: preview.items.find((i) => !i.problem)!.index, kind: 'visit', description: 'x' }];
    assert.deepEqual(await fieldsOf(calendar.confirm(ola, preview.id, choice)), ['file'], 'someone else’s preview');
    now = new Date('2026-10-19T13:00:01Z');
    assert.deepEqual(await fieldsOf(calendar.confirm(chloe, preview.id, choice)), ['file'], 'expired after an hour');
    now = new Date('2026-10-19T12:30:00Z');
    await calendar.confirm(chloe, preview.id, choice);
    assert.deepEqual(await fieldsOf(calendar.confirm(chloe, preview.id, choice)), ['file'], 'used up');
  });
});

describe(`[${engineName}] calendar subscriptions and the refresh job`, () => {
  let server: Server;
  let base: string;
  const feeds = new Map<string, { body: string; etag?: string }>();
  const requests: { path: string; ifNoneMatch: string | undefined }[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      requests.push({ path: req.url ?? '', ifNoneMatch: req.headers['if-none-match'] });
      if (req.url === '/slow.ics') return; // never answers
      if (req.url === '/moved.ics') return void res.writeHead(302, { location: '/outlook.ics' }).end();
      const feed = feeds.get(req.url ?? '');
      if (!feed) return void res.writeHead(404).end('Not found');
      if (feed.etag && req.headers['if-none-match'] === feed.etag) return void res.writeHead(304).end();
      res
        .writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', ...(feed.etag ? { etag: feed.etag } : {}) })
        .end(feed.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    feeds.set('/outlook.ics', { body: fixture('outlook-published.ics'), etag: '"v1"' });
    feeds.set('/big.ics', {
      body: `BEGIN:VCALENDAR\r\n${'X-PADDING:0123456789012345678901234567890123456789012345678901234567890123\r\n'.repeat(40_000)}END:VCALENDAR\r\n`,
    });
    feeds.set('/not-a-calendar.ics', { body: '<html>Sign in</html>' });
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  const subscriptionOf = async (id: number) =>
    database.db.selectFrom('calendar_subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  test('the job imports the events marked as visits, once, across the October change', async () => {
    const owen = await actorFor(database.db, 'owen.jones@harbour.example');
    now = new Date('2026-10-19T09:00:00Z');
    const id = await calendar.subscribe(owen, `${base}/outlook.ics`);
    const job = buildRefreshSubscriptionsJob({ calendar });
    assert.equal(job.cron, '*/15 * * * *');
    const first = await job.perform({});
    assert.equal(first.added, 4);
    const visits = await visitsOf(owen.staffId!);
    assert.deepEqual(
      visits.map((v) => `${iso(v.starts_at)} ${v.description}`),
      [
        '2026-10-21T08:00:00Z supervised contact',
        '2026-10-22T12:30:00Z Home visit - R family',
        '2026-10-28T09:00:00Z supervised contact',
        '2026-11-04T09:00:00Z supervised contact',
      ],
    );
    assert.ok(visits.every((v) => v.source === 'ical' && v.kind === 'visit'));
    const sub = await subscriptionOf(id);
    assert.equal(sub.last_error, null);
    assert.equal(sub.etag, '"v1"');
    assert.match(sub.last_result!, /4 visits added/);
    assert.match(sub.last_result!, /1 marked as a visit but with no location/);

    // Not due again for 10 minutes.
    now = new Date('2026-10-19T09:05:00Z');
    assert.equal((await job.perform({})).checked, 0);

    // Unchanged (304, the same day): nothing added, no error.
    now = new Date('2026-10-19T09:20:00Z');
    requests.length = 0;
    assert.deepEqual(await job.perform({}), { checked: 1, added: 0, failed: 0 });
    assert.equal(requests[0]!.ifNoneMatch, '"v1"');

    // Changed: only the new event is added.
    const extra =
      'BEGIN:VEVENT\r\nUID:extra-visit-1\r\nDTSTAMP:20261019T000000Z\r\nSUMMARY:Visit: new referral\r\nDTSTART;TZID=GMT Standard Time:20261027T100000\r\nDTEND;TZID=GMT Standard Time:20261027T110000\r\nLOCATION:3 Park Street\\, Ashford TN24 8DF\r\nEND:VEVENT\r\n';
    feeds.set('/outlook.ics', {
      body: fixture('outlook-published.ics').replace('END:VCALENDAR', `${extra}END:VCALENDAR`),
      etag: '"v2"',
    });
    now = new Date('2026-10-19T09:40:00Z');
    assert.deepEqual(await job.perform({}), { checked: 1, added: 1, failed: 0 });
    assert.equal((await visitsOf(owen.staffId!)).length, 5);
    assert.match((await subscriptionOf(id)).last_result!, /1 visit added; 4 already imported/);

    // The next day the window has moved: the feed is read in full again (no If-None-Match), and nothing is duplicated.
    now = new Date('2026-10-20T09:00:00Z');
    requests.length = 0;
    assert.equal((await job.perform({})).added, 0);
    assert.equal(requests[0]!.ifNoneMatch, undefined);
    assert.equal((await visitsOf(owen.staffId!)).length, 5);
  });

  test('a redirect is followed; failures are recorded on the subscription without stopping the others', async () => {
    const katie = await actorFor(database.db, 'katie.wilson@harbour.example');
    now = new Date('2026-10-21T06:00:00Z');
    const ids = {
      moved: await calendar.subscribe(katie, `${base}/moved.ics`),
      missing: await calendar.subscribe(katie, `${base}/gone.ics`),
      big: await calendar.subscribe(katie, `${base}/big.ics`),
      html: await calendar.subscribe(katie, `${base}/not-a-calendar.ics`),
      slow: await calendar.subscribe(katie, `${base}/slow.ics`),
    };
    const result = await calendar.refreshSubscriptions();
    assert.equal(result.failed, 4);
    assert.ok(result.added >= 1);
    assert.equal((await subscriptionOf(ids.moved)).last_error, null);
    assert.match((await subscriptionOf(ids.missing)).last_error!, /answered 404/);
    assert.match((await subscriptionOf(ids.big)).last_error!, /larger than 2MB/);
    assert.match((await subscriptionOf(ids.html)).last_error!, /iCalendar/);
    assert.match((await subscriptionOf(ids.slow)).last_error!, /did not answer within/);
  });

  test('adding: https only (http here only because the test allows loopback), no duplicates, at most five; removing is the owner’s only', async () => {
    const dev = await actorFor(database.db, 'dev.patel@harbour.example');
    const production = buildCalendarService({
      db: database.db,
      visits: services.visits,
      audit: buildRepositories(database.db).audit,
    });
    const problem = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        if (e instanceof ValidationError) return e.errors[0]!.message;
        throw e;
      }
      return null;
    };
    assert.match((await problem(production.subscribe(dev, `${base}/outlook.ics`)))!, /https/);
    assert.match(
      (await problem(production.subscribe(dev, 'https://127.0.0.1/calendar.ics')))!,
      /cannot be used|not on this server/,
    );
    const id = await production.subscribe(dev, 'webcal://p52-caldav.icloud.com/published/2/SECRET-TOKEN-123');
    const listed = await production.subscriptions(dev);
    assert.equal(listed.length, 1);
    assert.ok(!listed[0]!.shownUrl.includes('SECRET-TOKEN-123'), 'the secret part of the address is not shown');
    assert.match(
      (await problem(production.subscribe(dev, 'https://p52-caldav.icloud.com/published/2/SECRET-TOKEN-123')))!,
      /already added/,
    );
    for (let i = 0; i < 4; i++) await production.subscribe(dev, `https://calendar.example.org/${i}.ics`);
    assert.match((await problem(production.subscribe(dev, 'https://calendar.example.org/5.ics')))!, /up to 5/);
    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'detail'])
      .where('action', '=', 'calendar.subscribe')
      .where('entity_id', '=', String(id))
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      audit.detail,
      { host: 'p52-caldav.icloud.com' },
      'the audit trail has the host, not the secret address',
    );
    await assert.rejects(production.unsubscribe(chloe, id), /not found/);
    await production.unsubscribe(dev, id);
    assert.equal((await production.subscriptions(dev)).length, 4);
  });
});
