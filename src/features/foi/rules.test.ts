import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLED_BANK_HOLIDAYS } from '../../time/bank-holidays.ts';
import { complaintsCalendar, foiCalendar } from '../../time/working-days.ts';
import {
  answeredOnTime,
  costLimit,
  deadlines,
  formatReference,
  onTimeByMonth,
  refusalWording,
  reminderDue,
  reviewDue,
  reviewRequestBy,
  statutoryDue,
  type ClockEvent,
} from './rules.ts';

const cal = foiCalendar(BUNDLED_BANK_HOLIDAYS);

test('seed 003, council reading: sent Saturday 4 February 2012, received Monday 6 February, due Monday 5 March 2012', () => {
  const d = deadlines('2012-02-04', [], cal, 'council');
  assert.equal(d.dayZero, '2012-02-06');
  assert.equal(d.due, '2012-03-05');
  assert.equal(d.responseDue, '2012-03-05');
  assert.equal(statutoryDue('2012-02-04', cal, 'council'), '2012-03-05');
});

test('seed 003, ICO reading: day 1 is Monday 6 February, so day 20 is Friday 2 March 2012', () => {
  const d = deadlines('2012-02-04', [], cal, 'ico');
  assert.equal(d.dayZero, '2012-02-04');
  assert.equal(d.due, '2012-03-02');
});

test('on a working day both readings agree', () => {
  assert.equal(statutoryDue('2012-02-06', cal, 'ico'), statutoryDue('2012-02-06', cal, 'council'));
  assert.equal(statutoryDue('2012-02-06', cal, 'ico'), '2012-03-05');
});

test('a Scottish-only bank holiday (St Andrew’s Day) moves the FOI due date but not the England and Wales one', () => {
  assert.equal(statutoryDue('2026-11-16', cal, 'council'), '2026-12-15');
  assert.equal(complaintsCalendar(BUNDLED_BANK_HOLIDAYS).addWorkingDays('2026-11-16', 20), '2026-12-14');
});

test('a Northern Irish-only bank holiday (St Patrick’s Day) moves the FOI due date', () => {
  assert.equal(statutoryDue('2026-03-02', cal, 'council'), '2026-03-31');
  assert.equal(complaintsCalendar(BUNDLED_BANK_HOLIDAYS).addWorkingDays('2026-03-02', 20), '2026-03-30');
});

test('Christmas Day and Boxing Day are skipped', () => {
  // Received Monday 14 December 2026: 25 and 28 December (Boxing Day substitute), 1 January and
  // Scotland's 2 January (substitute Monday 4 January) are not working days.
  assert.equal(statutoryDue('2026-12-14', cal, 'council'), '2027-01-15');
});

test('clarification sought (s1(3)) stops the clock; its receipt starts 20 new working days', () => {
  const sought: ClockEvent[] = [{ kind: 'clarification_sought', on: '2012-02-08' }];
  const waiting = deadlines('2012-02-06', sought, cal, 'council');
  assert.equal(waiting.stopped, 'clarification');
  assert.equal(waiting.due, null);
  const restarted = deadlines(
    '2012-02-06',
    [...sought, { kind: 'clarification_received', on: '2012-02-13' }],
    cal,
    'council',
  );
  assert.equal(restarted.stopped, null);
  assert.equal(restarted.dayZero, '2012-02-13');
  assert.equal(restarted.due, '2012-03-12');
});

test('clarification received on a Saturday follows the receipt reading', () => {
  const events: ClockEvent[] = [
    { kind: 'clarification_sought', on: '2012-02-08' },
    { kind: 'clarification_received', on: '2012-02-11' },
  ];
  assert.equal(deadlines('2012-02-06', events, cal, 'council').due, '2012-03-12');
  assert.equal(deadlines('2012-02-06', events, cal, 'ico').due, '2012-03-09');
});

test('a fees notice (s9) pauses the clock until the fee is paid, then the days left run on', () => {
  const notice: ClockEvent[] = [{ kind: 'fees_notice', on: '2012-02-13' }];
  const paused = deadlines('2012-02-06', notice, cal, 'council');
  assert.equal(paused.stopped, 'fees');
  assert.equal(paused.due, null);
  assert.equal(paused.daysUsedBeforePause, 5);
  // Paid a week later: 5 working days used, 15 left from Monday 20 February.
  const paid = deadlines('2012-02-06', [...notice, { kind: 'fee_paid', on: '2012-02-20' }], cal, 'council');
  assert.equal(paid.stopped, null);
  assert.equal(paid.due, '2012-03-12');
  // Paid the same day: no days lost.
  assert.equal(
    deadlines('2012-02-06', [...notice, { kind: 'fee_paid', on: '2012-02-13' }], cal, 'council').due,
    '2012-03-05',
  );
});

test('a public interest extension (s10(3)) gives a new target; the s17 notice is still due on day 20', () => {
  const d = deadlines(
    '2012-02-06',
    [{ kind: 'pi_extension', on: '2012-02-27', targetDate: '2012-04-02' }],
    cal,
    'council',
  );
  assert.equal(d.s17Due, '2012-03-05');
  assert.equal(d.responseDue, '2012-04-02');
  // A target before day 20 does not shorten the clock.
  assert.equal(
    deadlines('2012-02-06', [{ kind: 'pi_extension', on: '2012-02-07', targetDate: '2012-02-20' }], cal, 'council')
      .responseDue,
    '2012-03-05',
  );
});

test('seed 000: the requester has 40 working days from the response to ask for a review', () => {
  assert.equal(reviewRequestBy('2020-01-17', cal), '2020-03-13');
  const d = deadlines('2019-12-16', [{ kind: 'response_sent', on: '2020-01-17' }], cal, 'council');
  assert.equal(d.reviewRequestBy, '2020-03-13');
});

test('internal review: target 20 working days, 40 in exceptional cases (St Patrick’s Day and Easter skipped)', () => {
  assert.equal(reviewDue('2020-03-02', cal, 'council'), '2020-03-31');
  assert.equal(reviewDue('2020-03-02', cal, 'council', true), '2020-04-30');
  const d = deadlines(
    '2019-12-16',
    [
      { kind: 'response_sent', on: '2020-01-17' },
      { kind: 'review_requested', on: '2020-03-02' },
      { kind: 'review_exceptional', on: '2020-03-03' },
      { kind: 'ico_complaint', on: '2020-06-01' },
      { kind: 'decision_notice', on: '2020-09-01' },
    ],
    cal,
    'council',
  );
  assert.equal(d.reviewDue, '2020-04-30');
  assert.equal(d.icoComplaint, '2020-06-01');
  assert.equal(d.decisionNotice, '2020-09-01');
});

test('answered on time compares the response with the date it was due', () => {
  assert.equal(answeredOnTime({ responded: '2012-03-05', responseDue: '2012-03-05' }), true);
  assert.equal(answeredOnTime({ responded: '2012-03-06', responseDue: '2012-03-05' }), false);
  assert.equal(answeredOnTime({ responded: null, responseDue: '2012-03-05' }), null);
});

test('percentage answered on time by month due', () => {
  const rows = onTimeByMonth([
    { responseDue: '2026-01-10', responded: '2026-01-09' },
    { responseDue: '2026-01-20', responded: '2026-01-21' },
    { responseDue: '2026-02-03', responded: '2026-02-03' },
    { responseDue: '2026-02-04', responded: null },
  ]);
  assert.deepEqual(rows, [
    { month: '2026-01', due: 2, onTime: 1, percent: 50 },
    { month: '2026-02', due: 1, onTime: 1, percent: 100 },
  ]);
});

test('s12: hours × £25 against £450 (18 hours), with the arithmetic for the refusal', () => {
  const over = costLimit({ determining: 2, locating: 10, retrieving: 5, extracting: 3 });
  assert.equal(over.hours, 20);
  assert.equal(over.cost, 500);
  assert.equal(over.limitHours, 18);
  assert.equal(over.exceeds, true);
  assert.match(over.wording, /20 hours.*£500.*exceeds the £450 cost limit \(18 hours\).*section 12/);
  const at = costLimit({ determining: 3, locating: 5, retrieving: 5, extracting: 5 });
  assert.equal(at.cost, 450);
  assert.equal(at.exceeds, false, 'exactly £450 is within the limit');
});

test('refusal wording names the section and says it is a s17 notice', () => {
  assert.match(refusalWording('s40', 'The figure is fewer than 5.'), /section 40\(2\).*section 17.*fewer than 5/);
});

test('references follow the configured pattern', () => {
  assert.equal(formatReference('FOI/{yy}/{seq:4}', 2012, 179), 'FOI/12/0179');
  assert.equal(formatReference('{yyyy}-{seq}', 2026, 7), '2026-7');
});

test('reminders: five working days before, the day before, and once overdue, each once', () => {
  assert.equal(reminderDue('2026-10-30', '2026-10-16', cal, []), null);
  assert.equal(reminderDue('2026-10-30', '2026-10-23', cal, []), 'due_in_5_days');
  assert.equal(reminderDue('2026-10-30', '2026-10-23', cal, ['due_in_5_days']), null);
  assert.equal(reminderDue('2026-10-30', '2026-10-29', cal, ['due_in_5_days']), 'due_tomorrow');
  assert.equal(reminderDue('2026-10-30', '2026-11-02', cal, ['due_in_5_days', 'due_tomorrow']), 'overdue');
});

test('EIR reg. 7(1): complex and voluminous extends the 20 working days to 40 (St Patrick’s Day skipped), the refusal too; no public interest extension', () => {
  // Seed 003's dates, as an environmental information request.
  const d = deadlines('2012-02-04', [{ kind: 'eir_extension', on: '2012-02-20' }], cal, 'council', 'eir');
  assert.equal(d.due, '2012-03-05', 'the 20th working day is still the statutory date');
  assert.equal(
    d.responseDue,
    '2012-04-03',
    'the 40th working day, Monday 19 March (St Patrick’s Day, Northern Ireland) skipped',
  );
  assert.equal(d.s17Due, '2012-04-03', 'reg. 14(3): the refusal by the same date');
  // FOIA's s10(3) extension means nothing under the EIR, and reg. 7 nothing under FOIA.
  assert.equal(
    deadlines(
      '2012-02-04',
      [{ kind: 'pi_extension', on: '2012-02-20', targetDate: '2012-06-01' }],
      cal,
      'council',
      'eir',
    ).responseDue,
    '2012-03-05',
  );
  assert.equal(
    deadlines('2012-02-04', [{ kind: 'eir_extension', on: '2012-02-20' }], cal, 'council', 'foi').responseDue,
    '2012-03-05',
  );
  // A clarification restarts the clock and ends the extension with it.
  const restarted = deadlines(
    '2012-02-04',
    [
      { kind: 'eir_extension', on: '2012-02-08' },
      { kind: 'clarification_sought', on: '2012-02-09' },
      { kind: 'clarification_received', on: '2012-02-13' },
    ],
    cal,
    'council',
    'eir',
  );
  assert.equal(restarted.responseDue, restarted.due);
});

test('EIR reg. 11(4): the reconsideration is due 40 working days after the representations (Good Friday and Easter Monday skipped)', () => {
  const d = deadlines(
    '2020-01-06',
    [
      { kind: 'response_sent', on: '2020-01-31' },
      { kind: 'review_requested', on: '2020-03-02' },
    ],
    cal,
    'council',
    'eir',
  );
  assert.equal(d.reviewDue, '2020-04-30');
  assert.equal(
    deadlines(
      '2020-01-06',
      [
        { kind: 'response_sent', on: '2020-01-31' },
        { kind: 'review_requested', on: '2020-03-02' },
      ],
      cal,
      'council',
      'foi',
    ).reviewDue,
    '2020-03-31',
  );
});
