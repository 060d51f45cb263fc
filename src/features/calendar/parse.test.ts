import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { CalendarFormatError, defaultWindow, parseCalendar, type CalendarEvent } from './parse.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/ics/${name}`, import.meta.url), 'utf8');
const YEAR_2026 = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };
const london = (d: Date) => DateTime.fromJSDate(d, { zone: 'Europe/London' }).toFormat('yyyy-MM-dd HH:mm');
const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const named = (events: CalendarEvent[], prefix: string) => events.filter((e) => e.summary.startsWith(prefix));

/** A minimal calendar around some VEVENT lines. */
const calendar = (body: string, head = '') =>
  `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n${head}${body}END:VCALENDAR\r\n`;
const vevent = (lines: string) =>
  `BEGIN:VEVENT\r\nUID:test-1\r\nDTSTAMP:20260101T000000Z\r\n${lines
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .join('\r\n')}\r\nEND:VEVENT\r\n`;

describe('Outlook desktop export (Windows time-zone names)', () => {
  const { events, warnings, name } = parseCalendar(fixture('outlook-desktop.ics'), YEAR_2026);

  test('reads the calendar without warnings', () => {
    assert.equal(name, 'Calendar');
    assert.deepEqual(warnings, []);
  });

  test('"GMT Standard Time" is London time: 09:30 stays 09:30 when the clocks go forward on 29 March', () => {
    const visits = named(events, 'Home visit - M family');
    assert.deepEqual(
      visits.map((e) => london(e.start)),
      ['2026-03-25 09:30', '2026-04-01 09:30'],
    );
    assert.deepEqual(
      visits.map((e) => iso(e.start)),
      ['2026-03-25T09:30:00Z', '2026-04-01T08:30:00Z'],
    );
    assert.deepEqual(
      visits.map((e) => london(e.end)),
      ['2026-03-25 10:30', '2026-04-01 10:30'],
    );
  });

  test('a weekly series across 25 October: 09:00 London each week, the EXDATE left out and the moved occurrence at its new time', () => {
    const sessions = named(events, 'Contact session');
    assert.deepEqual(
      sessions.map((e) => `${london(e.start)} ${iso(e.start)}`),
      [
        '2026-10-14 09:00 2026-10-14T08:00:00Z',
        '2026-10-21 11:30 2026-10-21T10:30:00Z',
        '2026-10-28 09:00 2026-10-28T09:00:00Z',
        '2026-11-11 09:00 2026-11-11T09:00:00Z',
      ],
    );
    const moved = sessions[1]!;
    assert.equal(moved.summary, 'Contact session (supervised) - later start');
    assert.equal(
      moved.recurrenceId,
      '2026-10-21T08:00:00.000Z',
      'the override keeps the original slot as its recurrence id',
    );
    assert.ok(!sessions.some((e) => london(e.start).startsWith('2026-11-04')), '4 November is an EXDATE');
  });

  test('"W. Europe Standard Time" is Berlin time: 10:00 there is 09:00 in London', () => {
    const [teams] = named(events, 'Fallbesprechung');
    assert.equal(iso(teams!.start), '2026-10-20T08:00:00Z');
    assert.equal(london(teams!.start), '2026-10-20 09:00');
    assert.equal(teams!.recurrenceId, null);
  });

  test('all-day events are marked all day, London midnight to midnight', () => {
    const [leave] = named(events, 'Annual leave');
    assert.equal(leave!.allDay, true);
    assert.equal(london(leave!.start), '2026-10-30 00:00');
    assert.equal(london(leave!.end), '2026-10-31 00:00');
  });

  test('folded lines are unfolded and escaped commas read as commas', () => {
    const [visit] = named(events, 'Home visit');
    assert.match(visit!.uid, /^040000008200E00074C5B7101A82E008[0-9A-F]+$/);
    assert.equal(visit!.uid.length, 112);
    assert.equal(visit!.location, '14 Beaver Road, Ashford TN23 7RR');
  });
});

describe('Google Calendar export', () => {
  const { events, name } = parseCalendar(fixture('google-calendar.ics'), YEAR_2026);
  const weekly = named(events, 'Visit: weekly contact');

  test('a weekly 09:00 series stays at 09:00 London across the March change, with its EXDATE and RECURRENCE-ID', () => {
    assert.equal(name, 'Chloe work');
    assert.deepEqual(
      weekly.map((e) => `${london(e.start)} ${iso(e.start)} ${e.summary}`),
      [
        '2026-03-16 09:00 2026-03-16T09:00:00Z Visit: weekly contact',
        '2026-03-23 09:00 2026-03-23T09:00:00Z Visit: weekly contact',
        '2026-03-30 14:00 2026-03-30T13:00:00Z Visit: weekly contact (afternoon)',
        '2026-04-13 09:00 2026-04-13T08:00:00Z Visit: weekly contact',
      ],
    );
  });

  test('every occurrence carries the series UID and its own recurrence id', () => {
    assert.ok(weekly.every((e) => e.uid === '7kukuqrfedlm2f9t0vbfjsnlgk@google.com'));
    assert.deepEqual(
      weekly.map((e) => e.recurrenceId),
      ['2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z', '2026-03-30T08:00:00.000Z', '2026-04-13T08:00:00.000Z'],
    );
  });

  test('UNTIL (in UTC) ends the series: nothing on 20 April', () => {
    assert.ok(!weekly.some((e) => london(e.start).startsWith('2026-04-20')));
  });

  test('a Thursday series across the October change stays at 09:30 London', () => {
    const review = named(events, 'Review visit');
    assert.deepEqual(
      review.map((e) => london(e.start)),
      ['2026-10-22 09:30', '2026-10-29 09:30', '2026-11-05 09:30'],
    );
    assert.deepEqual(
      review.map((e) => iso(e.start)),
      ['2026-10-22T08:30:00Z', '2026-10-29T09:30:00Z', '2026-11-05T09:30:00Z'],
    );
  });

  test('cancelled events are left out; all-day events are kept and marked', () => {
    assert.equal(named(events, 'Cancelled').length, 0);
    const [training] = named(events, 'Training day');
    assert.equal(training!.allDay, true);
    assert.equal(training!.location, null, 'an empty LOCATION is no location');
  });
});

describe('Apple iCloud export', () => {
  const { events, name, warnings } = parseCalendar(fixture('apple-icloud.ics'), YEAR_2026);

  test('a daily 08:00 series stays at 08:00 London on the day the clocks change and after', () => {
    assert.equal(name, 'Work');
    assert.deepEqual(warnings, []);
    const daily = named(events, 'Visit: morning check-in');
    assert.deepEqual(
      daily.map((e) => london(e.start)),
      ['2026-03-27 08:00', '2026-03-28 08:00', '2026-03-29 08:00', '2026-03-30 08:00', '2026-03-31 08:00'],
    );
    assert.deepEqual(
      daily.map((e) => e.start.getUTCHours()),
      [8, 8, 7, 7, 7],
    );
  });

  test('line breaks in an Apple location become commas; the structured location gives coordinates', () => {
    const [first] = named(events, 'Visit: morning check-in');
    assert.equal(first!.location, 'Flat 3, 21 Canterbury Road, Ashford, TN24 8JZ, England');
    assert.deepEqual(first!.geo, { lat: 51.150342, lng: 0.882931 });
  });

  test('a UTC ("Z") event is read as UTC and shown in London time', () => {
    const [meeting] = named(events, 'Strategy meeting');
    assert.equal(iso(meeting!.start), '2026-04-01T13:00:00Z');
    assert.equal(london(meeting!.start), '2026-04-01 14:00');
  });

  test('a multi-day all-day event spans its dates', () => {
    const [holiday] = named(events, 'Easter school holidays');
    assert.equal(holiday!.allDay, true);
    assert.equal(london(holiday!.start), '2026-04-01 00:00');
    assert.equal(london(holiday!.end), '2026-04-03 00:00');
  });

  test('the day after the clocks go back, 09:30 London is 09:30 UTC', () => {
    const [joint] = named(events, 'Joint visit with police');
    assert.equal(iso(joint!.start), '2026-10-26T09:30:00Z');
  });
});

describe('the window', () => {
  test('only occurrences overlapping the window are listed, with the same recurrence ids as in a wider window', () => {
    const from = new Date('2026-03-28T00:00:00Z');
    const to = new Date('2026-04-10T00:00:00Z');
    const { events } = parseCalendar(fixture('google-calendar.ics'), { from, to });
    assert.deepEqual(
      events.map((e) => `${london(e.start)} ${e.summary}`),
      ['2026-03-30 14:00 Visit: weekly contact (afternoon)'],
    );
    assert.equal(events[0]!.recurrenceId, '2026-03-30T08:00:00.000Z');
  });

  test('an event already under way at the start of the window is included', () => {
    const { events } = parseCalendar(fixture('apple-icloud.ics'), {
      from: new Date('2026-04-02T12:00:00Z'),
      to: new Date('2026-04-03T00:00:00Z'),
    });
    assert.deepEqual(
      events.map((e) => e.summary),
      ['Easter school holidays'],
    );
  });

  test('by default, from the start of today in London to eight weeks on', () => {
    const { from, to } = defaultWindow(new Date('2026-07-01T23:30:00Z'));
    assert.equal(london(from), '2026-07-02 00:00', '23:30 UTC on 1 July is already 2 July in London');
    assert.equal(london(to), '2026-08-27 00:00');
  });

  test('the list is capped; the earliest occurrences are kept', () => {
    const ics = calendar(
      vevent(`
      DTSTART;TZID=Europe/London:20260105T090000
      DTEND;TZID=Europe/London:20260105T093000
      RRULE:FREQ=DAILY
      SUMMARY:Daily`),
    );
    const { events, truncated } = parseCalendar(ics, { ...YEAR_2026, maxOccurrences: 10 });
    assert.equal(events.length, 10);
    assert.equal(truncated, true);
    assert.equal(london(events[0]!.start), '2026-01-05 09:00');
    assert.equal(london(events[9]!.start), '2026-01-14 09:00');
  });

  test('a rule with an enormous number of occurrences stops with a warning instead of running on', () => {
    const ics = calendar(
      vevent(`
      DTSTART:19900101T000000Z
      DTEND:19900101T000001Z
      RRULE:FREQ=SECONDLY
      SUMMARY:Every second`),
    );
    const started = Date.now();
    const { events, warnings } = parseCalendar(ics, YEAR_2026);
    assert.equal(events.length, 0);
    assert.equal(warnings.length, 1);
    assert.ok(Date.now() - started < 5000);
  });
});

describe('time zones and clock changes', () => {
  test('a time that does not exist (01:30 when the clocks go forward) is read with the offset before the gap', () => {
    const { events } = parseCalendar(
      calendar(
        vevent(`
      DTSTART;TZID=Europe/London:20260329T013000
      DTEND;TZID=Europe/London:20260329T030000
      SUMMARY:Night shift`),
      ),
      YEAR_2026,
    );
    assert.equal(iso(events[0]!.start), '2026-03-29T01:30:00Z');
    assert.equal(london(events[0]!.start), '2026-03-29 02:30');
  });

  test('a time that happens twice (01:30 when the clocks go back) is the first one', () => {
    const { events } = parseCalendar(
      calendar(
        vevent(`
      DTSTART;TZID=Europe/London:20261025T013000
      DTEND;TZID=Europe/London:20261025T030000
      SUMMARY:Night shift`),
      ),
      YEAR_2026,
    );
    assert.equal(iso(events[0]!.start), '2026-10-25T00:30:00Z');
    assert.equal(iso(events[0]!.end), '2026-10-25T03:00:00Z');
  });

  test('a Windows TZID without its VTIMEZONE still follows British Summer Time', () => {
    const { events, warnings } = parseCalendar(
      calendar(
        vevent(`
      DTSTART;TZID=GMT Standard Time:20260323T090000
      DTEND;TZID=GMT Standard Time:20260323T100000
      RRULE:FREQ=WEEKLY;COUNT=2
      SUMMARY:Weekly`),
      ),
      YEAR_2026,
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      events.map((e) => iso(e.start)),
      ['2026-03-23T09:00:00Z', '2026-03-30T08:00:00Z'],
    );
  });

  test('an unrecognised TZID uses the VTIMEZONE in the file', () => {
    const zone =
      'BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0200\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n';
    const { events, warnings } = parseCalendar(
      calendar(
        zone +
          vevent(`
      DTSTART;TZID="Customized Time Zone":20260610T120000
      DTEND;TZID="Customized Time Zone":20260610T130000
      SUMMARY:Custom`),
      ),
      YEAR_2026,
    );
    assert.deepEqual(warnings, []);
    assert.equal(iso(events[0]!.start), '2026-06-10T10:00:00Z');
  });

  test('an unrecognised TZID with no VTIMEZONE is read as UK time, with a warning', () => {
    const { events, warnings } = parseCalendar(
      calendar(
        vevent(`
      DTSTART;TZID=Somewhere Standard Time:20260610T120000
      DTEND;TZID=Somewhere Standard Time:20260610T130000
      SUMMARY:Unknown zone`),
      ),
      YEAR_2026,
    );
    assert.equal(london(events[0]!.start), '2026-06-10 12:00');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /Somewhere Standard Time/);
  });

  test('floating times are in the calendar’s X-WR-TIMEZONE, or London if it has none', () => {
    const body = vevent(`
      DTSTART:20260610T120000
      DTEND:20260610T130000
      SUMMARY:Floating`);
    assert.equal(iso(parseCalendar(calendar(body), YEAR_2026).events[0]!.start), '2026-06-10T11:00:00Z');
    assert.equal(
      iso(parseCalendar(calendar(body, 'X-WR-TIMEZONE:Europe/Paris\r\n'), YEAR_2026).events[0]!.start),
      '2026-06-10T10:00:00Z',
    );
  });

  test('an EXDATE in UTC removes the matching local occurrence of a London series', () => {
    const { events } = parseCalendar(
      calendar(
        vevent(`
      DTSTART;TZID=Europe/London:20260323T090000
      DTEND;TZID=Europe/London:20260323T100000
      RRULE:FREQ=WEEKLY;COUNT=3
      EXDATE:20260330T080000Z
      SUMMARY:Weekly`),
      ),
      YEAR_2026,
    );
    assert.deepEqual(
      events.map((e) => london(e.start)),
      ['2026-03-23 09:00', '2026-04-06 09:00'],
    );
  });

  test('DURATION instead of DTEND, and a cancelled occurrence of a series', () => {
    const ics = calendar(
      vevent(`
      DTSTART;TZID=Europe/London:20260323T090000
      DURATION:PT45M
      RRULE:FREQ=WEEKLY;COUNT=3
      SUMMARY:Weekly`) +
        vevent(`
      RECURRENCE-ID;TZID=Europe/London:20260330T090000
      DTSTART;TZID=Europe/London:20260330T090000
      DTEND;TZID=Europe/London:20260330T094500
      STATUS:CANCELLED
      SUMMARY:Weekly`),
    );
    const { events } = parseCalendar(ics, YEAR_2026);
    assert.deepEqual(
      events.map((e) => `${london(e.start)}-${london(e.end).slice(11)}`),
      ['2026-03-23 09:00-09:45', '2026-04-06 09:00-09:45'],
    );
  });
});

describe('files that are not calendars', () => {
  test('text that is not iCalendar is refused with a plain message', () => {
    assert.throws(() => parseCalendar('employee_number,given_name\n1,Ann\n', YEAR_2026), CalendarFormatError);
    assert.throws(() => parseCalendar('', YEAR_2026), CalendarFormatError);
  });

  test('a broken iCalendar file is refused, not crashed on', () => {
    assert.throws(() => parseCalendar('BEGIN:VCALENDAR\r\nthis is not a property\r\n', YEAR_2026), CalendarFormatError);
  });

  test('a byte-order mark and bare LF line endings are fine; events without a UID still get one', () => {
    const ics =
      '\uFEFFBEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nDTSTART:20260610T120000Z\nDTEND:20260610T130000Z\nSUMMARY:No UID\nEND:VEVENT\nEND:VCALENDAR\n';
    const { events } = parseCalendar(ics, YEAR_2026);
    assert.equal(events.length, 1);
    assert.ok(events[0]!.uid);
  });
});
