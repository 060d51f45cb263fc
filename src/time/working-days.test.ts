import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLED_BANK_HOLIDAYS, mergeBankHolidays, parseBankHolidayFile } from './bank-holidays.ts';
import { WorkingDayCalendar, complaintsCalendar, foiCalendar } from './working-days.ts';
import { ValidationError } from '../errors.ts';

const complaints = complaintsCalendar(BUNDLED_BANK_HOLIDAYS);
const foi = foiCalendar(BUNDLED_BANK_HOLIDAYS);

test('weekends are never working days', () => {
  const plain = new WorkingDayCalendar([]);
  assert.equal(plain.isWorkingDay('2026-11-21'), false); // Saturday
  assert.equal(plain.isWorkingDay('2026-11-22'), false); // Sunday
  assert.equal(plain.isWorkingDay('2026-11-23'), true);
});

test('seed 003: a request sent on Saturday 4 February 2012 counts from Monday 6 February and is due Monday 5 March 2012', () => {
  const received = foi.nextWorkingDay('2012-02-04', true);
  assert.equal(received, '2012-02-06');
  assert.equal(foi.addWorkingDays(received, 20), '2012-03-05');
});

test('complaints: Christmas, Boxing Day, Good Friday and England and Wales bank holidays are not working days', () => {
  for (const d of [
    '2025-12-25',
    '2025-12-26',
    '2026-04-03',
    '2026-04-06',
    '2026-05-04',
    '2026-05-25',
    '2026-08-31',
    '2026-12-28',
  ]) {
    assert.equal(complaints.isWorkingDay(d), false, d);
  }
  // Substitute days: Christmas 2021 fell on a Saturday.
  assert.equal(complaints.isWorkingDay('2021-12-27'), false);
  assert.equal(complaints.isWorkingDay('2021-12-28'), false);
  // One-off holidays since 2010.
  for (const d of ['2011-04-29', '2012-06-05', '2022-06-03', '2022-09-19', '2023-05-08'])
    assert.equal(complaints.isWorkingDay(d), false, d);
});

test('complaints use only England and Wales: St Andrew’s Day and the Scottish summer holiday are working days', () => {
  assert.equal(complaints.isWorkingDay('2026-11-30'), true); // St Andrew's Day, Monday
  assert.equal(complaints.isWorkingDay('2026-08-03'), true); // Scottish summer bank holiday
  assert.equal(complaints.isWorkingDay('2026-03-17'), true); // St Patrick's Day, Tuesday
});

test('FOI counts bank holidays in any part of the UK', () => {
  assert.equal(foi.isWorkingDay('2026-11-30'), false); // Scotland
  assert.equal(foi.isWorkingDay('2026-03-17'), false); // Northern Ireland
  assert.equal(foi.isWorkingDay('2026-07-13'), false); // Battle of the Boyne, substitute for Sunday 12 July
  assert.equal(foi.isWorkingDay('2026-01-02'), false); // 2nd January, Scotland
  assert.equal(foi.isWorkingDay('2026-08-03'), false); // Scottish summer holiday
});

test('a stage 1 complaint received the Friday before Christmas 2026 is due 10 working days later, skipping the holidays', () => {
  // Fri 18 Dec 2026: 21,22,23,24 (4), 25 Christmas, 28 Boxing Day substitute, 29,30,31 (7), 1 Jan holiday, 4,5,6 (10).
  assert.equal(complaints.addWorkingDays('2026-12-18', 10), '2027-01-06');
  assert.equal(complaints.workingDaysBetween('2026-12-18', '2027-01-06'), 10);
});

test('addWorkingDays(0) is the day itself and negative counts are refused', () => {
  assert.equal(complaints.addWorkingDays('2026-11-23', 0), '2026-11-23');
  assert.throws(() => complaints.addWorkingDays('2026-11-23', -1), RangeError);
});

test('the bundled copy starts in 2010 and covers every division', () => {
  for (const division of ['england-and-wales', 'scotland', 'northern-ireland'] as const) {
    assert.equal(BUNDLED_BANK_HOLIDAYS[division].events[0]!.date.slice(0, 4), '2010');
  }
  assert.ok(
    BUNDLED_BANK_HOLIDAYS['england-and-wales'].events.some(
      (e) => e.date === '2010-12-27' && e.title === 'Christmas Day',
    ),
  );
});

test('an updated file replaces the years it covers and keeps the others', () => {
  const empty = { division: 'scotland' as const, events: [] };
  const update = parseBankHolidayFile({
    'england-and-wales': {
      division: 'england-and-wales',
      events: [{ title: 'Extra holiday', date: '2027-06-07', notes: '', bunting: true }],
    },
    scotland: empty,
    'northern-ireland': { division: 'northern-ireland', events: [] },
  });
  const merged = complaintsCalendar(mergeBankHolidays(BUNDLED_BANK_HOLIDAYS, update));
  assert.equal(merged.isWorkingDay('2027-06-07'), false);
  assert.equal(
    merged.isWorkingDay('2027-05-31'),
    true,
    '2027 now comes from the update, which lacks the spring holiday',
  );
  assert.equal(merged.isWorkingDay('2027-12-25'), false, 'Christmas Day is never a working day');
  assert.equal(merged.isWorkingDay('2026-05-25'), false, '2026 keeps the bundled dates');
});

test('a file not in GOV.UK format is refused with the reason', () => {
  assert.throws(
    () => parseBankHolidayFile({ scotland: {} }),
    (e: unknown) => e instanceof ValidationError && /england-and-wales/.test(e.message),
  );
  assert.throws(
    () =>
      parseBankHolidayFile({
        ...BUNDLED_BANK_HOLIDAYS,
        scotland: { division: 'scotland', events: [{ title: 'x', date: '2026-02-30' }] },
      }),
    (e: unknown) => e instanceof ValidationError,
  );
});
