import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { demo, startTestApp, type Agent, type TestApp } from '../helpers/app.ts';
import { errorLinks as allLinks, inputValue, unescapeHtml } from './support.ts';

/** A calendar in the import window: a visit tomorrow 10:00–11:00 UK time, a weekly series, an all-day event, an event with no location. */
function calendarFile(tag: string): string {
  const day = (n: number) => DateTime.now().setZone('Europe/London').plus({ days: n }).toFormat('yyyyMMdd');
  const event = (lines: string[]) => ['BEGIN:VEVENT', 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'];
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Google Inc//Google Calendar 70.9054//EN',
    'X-WR-TIMEZONE:Europe/London',
    ...event([
      `UID:${tag}-single@google.com`,
      `DTSTART;TZID=Europe/London:${day(1)}T100000`,
      `DTEND;TZID=Europe/London:${day(1)}T110000`,
      `SUMMARY:Home visit ${tag} <b>`,
      'LOCATION:12 High Street\\, Ashford TN23 1AA\\, UK',
    ]),
    ...event([
      `UID:${tag}-weekly@google.com`,
      `DTSTART;TZID=Europe/London:${day(2)}T140000`,
      `DTEND;TZID=Europe/London:${day(2)}T150000`,
      'RRULE:FREQ=WEEKLY;COUNT=3',
      `SUMMARY:Weekly contact ${tag}`,
      'LOCATION:Family Hub\\, 5 Week Street\\, Maidstone ME14 1QW',
    ]),
    ...event([
      `UID:${tag}-leave@google.com`,
      `DTSTART;VALUE=DATE:${day(3)}`,
      `DTEND;VALUE=DATE:${day(4)}`,
      `SUMMARY:Annual leave ${tag}`,
    ]),
    ...event([
      `UID:${tag}-nowhere@google.com`,
      `DTSTART;TZID=Europe/London:${day(5)}T090000`,
      `DTEND;TZID=Europe/London:${day(5)}T093000`,
      `SUMMARY:Phone calls ${tag}`,
    ]),
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** The checkbox value of the event whose title contains `summary`. */
function eventValue(html: string, summary: string): string {
  const at = html.indexOf(summary);
  assert.ok(at > 0, `${summary} is not on the page`);
  const values = [...html.slice(0, at).matchAll(/name="events" type="checkbox" value="(\d+)"/g)];
  assert.ok(values.length, `no checkbox before ${summary}`);
  return values.at(-1)![1]!;
}
/** The error summary's links (the skip link left out). */
const errorLinks = (res: Parameters<typeof allLinks>[0]) => allLinks(res).filter((l) => l !== 'main-content');
const previewIdOf = (html: string) => /name="previewId" value="([^"]+)"/.exec(html)![1]!;

describe('calendar import pages', () => {
  let t: TestApp;
  let chloe: Agent;
  let csrf: string;
  let chloeId: number;

  before(async () => {
    t = await startTestApp();
    chloe = await t.signIn(demo.worker);
    csrf = await chloe.csrf('/visits/import');
    chloeId = (
      await t.repos.db.selectFrom('staff').select('id').where('email', '=', demo.worker).executeTakeFirstOrThrow()
    ).id;
  });
  after(() => t.close());

  test('the upload page is a GOV.UK file upload form', async () => {
    const res = await chloe.get('/visits/import');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<h1 class="govuk-heading-l">Import visits from a calendar<\/h1>/);
    assert.match(res.body, /class="govuk-file-upload[^"]*"[^>]*id="file"|id="file"[^>]*class="govuk-file-upload/);
    assert.match(res.body, /enctype="multipart\/form-data"/);
    assert.match(res.body, /href="\/visits\/calendar-subscriptions"/);
  });

  test('upload → preview → confirm creates the chosen visits; importing again adds nothing', async () => {
    const ics = calendarFile('r1');
    const preview = await chloe.upload('/visits/import', csrf, 'calendar.ics', ics);
    assert.equal(preview.statusCode, 200);
    const html = preview.body;
    assert.match(html, /Choose which events are visits/);
    assert.match(html, /govuk-warning-text/);
    assert.match(html, /sensitive detail/);
    assert.match(html, /10:00 to 11:00/, 'times are shown in UK time');
    assert.match(html, /Home visit r1 &lt;b&gt;/, 'titles are escaped');
    assert.match(html, /12 High Street, Ashford TN23 1AA, UK/);
    assert.match(html, /Events that cannot be imported[\s\S]*Annual leave r1[\s\S]*All-day events cannot be imported/);
    assert.equal(
      [...html.matchAll(/name="events" type="checkbox"/g)].length,
      5,
      'one single, three weekly, one with no location',
    );
    const single = eventValue(html, 'Home visit r1');
    assert.equal(
      inputValue(html, `description-${single}`),
      'Home visit r1 <b>',
      'the title is offered as the description',
    );

    // Nothing chosen: the same page, 400, with the error linked to the checkboxes.
    const none = await chloe.post('/visits/import/confirm', { _csrf: csrf, previewId: previewIdOf(html) });
    assert.equal(none.statusCode, 400);
    assert.deepEqual(errorLinks(none), ['events']);
    assert.match(none.body, /Select the events that are visits/);
    assert.match(none.body, /Choose which events are visits/);

    // A description over 120 characters: 400, linked to that field, what was typed kept.
    const tooLong = await chloe.post('/visits/import/confirm', {
      _csrf: csrf,
      previewId: previewIdOf(html),
      events: [single],
      [`kind-${single}`]: 'visit',
      [`description-${single}`]: 'x'.repeat(121),
    });
    assert.equal(tooLong.statusCode, 400);
    assert.deepEqual(errorLinks(tooLong), [`description-${single}`]);
    assert.equal(inputValue(tooLong.body, `description-${single}`), 'x'.repeat(121));
    assert.match(
      tooLong.body,
      new RegExp(`id="events-?\\d*" name="events" type="checkbox" value="${single}" checked`),
      'the choice is kept',
    );

    // The event with no location as a visit: refused; as home working: fine.
    const nowhere = eventValue(html, 'Phone calls r1');
    const noLocation = await chloe.post('/visits/import/confirm', {
      _csrf: csrf,
      previewId: previewIdOf(html),
      events: [nowhere],
      [`kind-${nowhere}`]: 'visit',
      [`description-${nowhere}`]: 'Calls',
    });
    assert.equal(noLocation.statusCode, 400);
    assert.deepEqual(errorLinks(noLocation), [`kind-${nowhere}`]);

    const weekly = [...html.matchAll(/name="events" type="checkbox" value="(\d+)"/g)]
      .map((m) => m[1]!)
      .filter((v) => v !== single && v !== nowhere);
    const done = await chloe.post('/visits/import/confirm', {
      _csrf: csrf,
      previewId: previewIdOf(html),
      events: [single, nowhere, ...weekly],
      [`kind-${single}`]: 'visit',
      [`description-${single}`]: 'Visit to the family',
      [`kind-${nowhere}`]: 'home_working',
      [`description-${nowhere}`]: 'Calls from home',
      ...Object.fromEntries(
        weekly.flatMap((w) => [
          [`kind-${w}`, 'visit'],
          [`description-${w}`, 'Weekly contact'],
        ]),
      ),
    });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/visits/import?added=5&skipped=0');
    const banner = await chloe.get(String(done.headers.location));
    assert.match(banner.body, /5 visits added from your calendar/);

    const visits = await t.repos.db
      .selectFrom('visits')
      .selectAll()
      .where('worker_id', '=', chloeId)
      .where('source', '=', 'ical')
      .orderBy('starts_at')
      .execute();
    assert.equal(visits.length, 5);
    const first = visits[0]!;
    assert.equal(first.description, 'Visit to the family');
    assert.equal(first.postcode, 'TN23 1AA');
    assert.equal(DateTime.fromJSDate(new Date(first.starts_at), { zone: 'Europe/London' }).toFormat('HH:mm'), '10:00');
    assert.equal(visits.find((v) => v.kind === 'home_working')!.address, null);

    // The preview is used up.
    const again = await chloe.post('/visits/import/confirm', {
      _csrf: csrf,
      previewId: previewIdOf(html),
      events: [single],
    });
    assert.equal(again.statusCode, 400);
    assert.match(again.body, /expired or was already imported/);

    // Uploading the same file again: everything is already imported, nothing to choose.
    const second = await chloe.upload('/visits/import', csrf, 'calendar.ics', ics);
    assert.equal(second.statusCode, 200);
    assert.equal([...second.body.matchAll(/name="events" type="checkbox"/g)].length, 0);
    assert.equal([...second.body.matchAll(/Already imported/g)].length, 5);
  });

  test('bad files are refused with the error summary and status 400', async () => {
    const cases: [string, string, string, RegExp][] = [
      ['not a calendar', 'staff.csv', 'employee_number,given_name\n1,Ann\n', /must be an iCalendar \(\.ics\) file/],
      ['empty', 'empty.ics', '', /The selected file is empty/],
      ['no file chosen', '', '', /Select an iCalendar \(\.ics\) file/],
      [
        'too big',
        'big.ics',
        `BEGIN:VCALENDAR\r\n${'X-PAD:0123456789012345678901234567890123456789\r\n'.repeat(25_000)}END:VCALENDAR\r\n`,
        /smaller than 1MB/,
      ],
      [
        'nothing in the next 8 weeks',
        'old.ics',
        'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:old\r\nDTSTART:20200101T100000Z\r\nDTEND:20200101T110000Z\r\nSUMMARY:Old\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
        /has no events between/,
      ],
    ];
    for (const [what, name, content, message] of cases) {
      const res = await chloe.upload('/visits/import', csrf, name, content);
      assert.equal(res.statusCode, 400, what);
      assert.deepEqual(errorLinks(res), ['file'], what);
      assert.match(unescapeHtml(res.body), message, what);
      assert.match(res.body, /govuk-error-summary/, what);
      assert.match(res.body, /<title>Error: /, what);
    }
  });

  test('an upload without the CSRF token is refused', async () => {
    const count = async () => (await t.repos.db.selectFrom('calendar_previews').select('id').execute()).length;
    const before = await count();
    const res = await chloe.upload('/visits/import', 'not-the-token', 'calendar.ics', calendarFile('csrf'));
    assert.equal(res.statusCode, 403);
    assert.equal(await count(), before, 'nothing was kept');
  });

  test('someone else’s preview cannot be confirmed', async () => {
    const preview = await chloe.upload('/visits/import', csrf, 'calendar.ics', calendarFile('r2'));
    const ola = await t.signIn(demo.noBuddyWorker);
    const olaCsrf = await ola.csrf('/visits/import');
    const res = await ola.post('/visits/import/confirm', {
      _csrf: olaCsrf,
      previewId: previewIdOf(preview.body),
      events: [eventValue(preview.body, 'Home visit r2')],
    });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /expired or was already imported/);
  });
});

describe('calendar subscription pages', () => {
  let t: TestApp;
  let chloe: Agent;
  let csrf: string;

  before(async () => {
    t = await startTestApp();
    chloe = await t.signIn(demo.worker);
    csrf = await chloe.csrf('/visits/calendar-subscriptions');
  });
  after(() => t.close());

  test('the page explains which events are imported', async () => {
    const res = await chloe.get('/visits/calendar-subscriptions');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<strong>Visit:<\/strong>/);
    assert.match(res.body, /<strong>Harbour visit<\/strong>/);
    assert.match(res.body, /You have not added a calendar/);
  });

  test('add, list (without the secret part of the address) and remove', async () => {
    const secret = 'private-8f14e45fceea167a5a36dedd4bea2543';
    const added = await chloe.post('/visits/calendar-subscriptions', {
      _csrf: csrf,
      url: `webcal://calendar.google.com/calendar/ical/chloe%40example.org/${secret}/basic.ics`,
    });
    assert.equal(added.statusCode, 303);
    assert.equal(added.headers.location, '/visits/calendar-subscriptions?done=added');
    const page = await chloe.get('/visits/calendar-subscriptions?done=added');
    assert.match(page.body, /Calendar added/);
    assert.match(page.body, /calendar\.google\.com/);
    assert.match(page.body, /https:\/\/calendar\.google\.com\/…\/basic\.ics/);
    assert.ok(!page.body.includes(secret), 'the secret address is not shown');
    assert.match(page.body, /Not read yet/);

    const id = /action="\/visits\/calendar-subscriptions\/(\d+)\/remove"/.exec(page.body)![1]!;
    const other = await t.signIn(demo.noBuddyWorker);
    const notTheirs = await other.post(`/visits/calendar-subscriptions/${id}/remove`, {
      _csrf: await other.csrf('/visits/calendar-subscriptions'),
    });
    assert.equal(notTheirs.statusCode, 404);

    const removed = await chloe.post(`/visits/calendar-subscriptions/${id}/remove`, { _csrf: csrf });
    assert.equal(removed.statusCode, 303);
    assert.match((await chloe.get('/visits/calendar-subscriptions')).body, /You have not added a calendar/);
  });

  test('an http or private address is refused with the error summary and what was typed', async () => {
    for (const url of [
      'http://calendar.example.org/feed.ics',
      'https://192.168.1.20/feed.ics',
      'https://localhost/feed.ics',
      'not a web address',
    ]) {
      const res = await chloe.post('/visits/calendar-subscriptions', { _csrf: csrf, url });
      assert.equal(res.statusCode, 400, url);
      assert.deepEqual(errorLinks(res), ['url'], url);
      assert.equal(inputValue(res.body, 'url'), url, url);
    }
  });
});
