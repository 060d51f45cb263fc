import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLED_BANK_HOLIDAYS } from '../../time/bank-holidays.ts';
import { complaintsCalendar } from '../../time/working-days.ts';
import {
  breached,
  complainantGroup,
  councilResponseDue,
  extensionProblem,
  financialYearBands,
  financialYearOf,
  isLateComplaint,
  milestones,
  openMilestone,
  overallOutcome,
  panelDue,
  panelReportDue,
  reminderKind,
  stage1Due,
  stage1Latest,
  stage2Due,
  stage2Latest,
  stage3RequestBy,
  staffWithUnrelatedComplaints,
  type ComplaintForPattern,
  type StageRecord,
} from './rules.ts';

const cal = complaintsCalendar(BUNDLED_BANK_HOLIDAYS);
const stage = (over: Partial<StageRecord> = {}): StageRecord => ({
  stage: 1,
  started_on: '2023-01-09',
  extended_to: null,
  responded_on: null,
  panel_held_on: null,
  report_on: null,
  ...over,
});

describe('statutory deadlines in working days (2006 Regulations, reg 2)', () => {
  test('stage 1: 10 working days, extendable to 20; none of the bank holidays in January–February 2023', () => {
    assert.equal(stage1Due(cal, '2023-01-09'), '2023-01-23');
    assert.equal(stage1Latest(cal, '2023-01-09'), '2023-02-06');
  });

  test('stage 1 across Christmas 2020: Christmas Day, the Boxing Day substitute (Mon 28th) and New Year’s Day are not working days', () => {
    assert.equal(stage1Due(cal, '2020-12-18'), '2021-01-06');
  });

  test('stage 1 across Easter and the 2011 royal wedding (Fri 29 April) and the May bank holiday', () => {
    assert.equal(stage1Due(cal, '2011-04-20'), '2011-05-10');
  });

  test('stage 1 across the 2012 diamond jubilee (moved spring bank holiday Mon 4 June, jubilee Tue 5 June)', () => {
    assert.equal(stage1Due(cal, '2012-06-01'), '2012-06-19');
  });

  test('2020 VE Day: the May bank holiday moved to Friday 8 May, so Monday 4 May counted', () => {
    assert.equal(stage1Due(cal, '2020-05-01'), '2020-05-18');
    assert.equal(panelReportDue(cal, '2020-05-07'), '2020-05-15');
  });

  test('stage 2: 25 working days, extendable to at most 65 (crossing Easter 2023)', () => {
    assert.equal(stage2Due(cal, '2023-01-09'), '2023-02-13');
    assert.equal(stage2Latest(cal, '2023-01-09'), '2023-04-12');
  });

  test('stage 3 request within 20 working days of the stage 2 response, across the 2023 coronation and both May bank holidays', () => {
    assert.equal(stage3RequestBy(cal, '2023-04-28'), '2023-05-31');
  });

  test('panel within 30 working days of the request', () => {
    assert.equal(panelDue(cal, '2023-01-09'), '2023-02-20');
  });

  test('panel report within 5 working days, across the 2022 platinum jubilee (Thu 2 and Fri 3 June)', () => {
    assert.equal(panelReportDue(cal, '2022-06-01'), '2022-06-10');
  });

  test('council response within 15 working days of the report, across the 2022 state funeral (Mon 19 September)', () => {
    assert.equal(councilResponseDue(cal, '2022-09-09'), '2022-10-03');
  });

  test('a complaint more than one year after the matter is late (it may still be accepted with a reason)', () => {
    assert.equal(isLateComplaint('2022-01-10', '2023-01-10'), false);
    assert.equal(isLateComplaint('2022-01-10', '2023-01-11'), true);
    assert.equal(isLateComplaint('2020-02-29', '2021-03-01'), true);
    assert.equal(isLateComplaint(null, '2023-01-11'), false);
  });
});

describe('extensions', () => {
  test('stage 1 extends to at most 20 working days, to a working day after the current deadline', () => {
    assert.equal(extensionProblem(cal, stage(), '2023-02-06'), null);
    assert.match(extensionProblem(cal, stage(), '2023-02-07')!, /at most 20 working days: 2023-02-06/);
    assert.match(extensionProblem(cal, stage(), '2023-01-20')!, /after the current deadline, 2023-01-23/);
    assert.match(extensionProblem(cal, stage(), '2023-01-28')!, /working day/);
    assert.match(extensionProblem(cal, stage({ responded_on: '2023-01-12' }), '2023-02-01')!, /already been responded/);
  });

  test('stage 2 extends to at most 65 working days', () => {
    const s2 = stage({ stage: 2 });
    assert.equal(extensionProblem(cal, s2, '2023-04-12'), null);
    assert.match(extensionProblem(cal, s2, '2023-04-13')!, /at most 65 working days: 2023-04-12/);
  });

  test('an extended deadline replaces the statutory one', () => {
    const m = openMilestone(cal, stage({ extended_to: '2023-02-01' }))!;
    assert.equal(m.due, '2023-02-01');
    assert.equal(breached(m, '2023-01-31'), false);
    assert.equal(breached(m, '2023-02-02'), true);
  });
});

describe('stage timeline', () => {
  test('stage 3: panel, then report 5 days after the meeting, then council response 15 days after the report', () => {
    const s3 = stage({ stage: 3, started_on: '2023-01-09', panel_held_on: '2023-02-24', report_on: '2023-03-02' });
    const ms = milestones(cal, s3);
    assert.deepEqual(
      ms.map((m) => [m.key, m.due, m.done]),
      [
        ['panel', '2023-02-20', '2023-02-24'],
        ['report', '2023-03-03', '2023-03-02'],
        ['response', '2023-03-23', null],
      ],
    );
    assert.equal(breached(ms[0]!, '2023-03-01'), true, 'met late is a breach');
    assert.equal(breached(ms[1]!, '2023-03-10'), false);
  });

  test('reminders: 2 working days before, then once breached', () => {
    assert.equal(reminderKind(cal, '2023-01-23', '2023-01-18'), null);
    assert.equal(reminderKind(cal, '2023-01-23', '2023-01-19'), 'due_soon');
    assert.equal(reminderKind(cal, '2023-01-23', '2023-01-23'), 'due_soon');
    assert.equal(reminderKind(cal, '2023-01-23', '2023-01-24'), 'breached');
  });
});

describe('overall outcome from the findings', () => {
  test('all upheld, some upheld, none upheld, unfinished', () => {
    assert.equal(overallOutcome(['upheld', 'upheld']), 'upheld');
    assert.equal(overallOutcome(['upheld', 'not_upheld']), 'partially_upheld');
    assert.equal(overallOutcome(['partially_upheld']), 'partially_upheld');
    assert.equal(overallOutcome(['not_upheld', 'not_upheld']), 'not_upheld');
    assert.equal(overallOutcome(['upheld', null]), null);
    assert.equal(overallOutcome([]), null);
  });
});

describe('related and unrelated complainants (seed 003 Q10)', () => {
  const period = { from: '2019-04-01', to: '2024-03-31' };
  const c = (
    id: number,
    staffIds: number[],
    household: string | null,
    complainantName: string | null = null,
    receivedOn = '2020-06-01',
  ): ComplaintForPattern => ({ id, staffIds, household, complainantName, receivedOn });

  test('two complaints from one household are related: they count once', () => {
    assert.deepEqual(staffWithUnrelatedComplaints([c(1, [7], 'Smith family'), c(2, [7], 'Smith family')], period), []);
  });

  test('the household matches whatever the case and punctuation', () => {
    assert.equal(
      complainantGroup({ id: 1, household: ' The Smith-Family ', complainantName: null }),
      complainantGroup({ id: 2, household: 'the smith family', complainantName: 'Other' }),
    );
  });

  test('two complaints from different households are unrelated: the member of staff is listed', () => {
    assert.deepEqual(
      staffWithUnrelatedComplaints(
        [c(1, [7], 'Smith family'), c(2, [7], 'Jones household'), c(3, [7], 'Smith family')],
        period,
      ),
      [{ staffId: 7, complaints: 3, unrelatedComplainants: 2, complaintIds: [1, 2, 3] }],
    );
  });

  test('without a household, the same named person is related to themself; two different people are not', () => {
    assert.deepEqual(
      staffWithUnrelatedComplaints([c(1, [7], null, 'Ann Lee'), c(2, [7], null, 'ann lee')], period),
      [],
    );
    assert.equal(
      staffWithUnrelatedComplaints([c(1, [7], null, 'Ann Lee'), c(2, [7], null, 'Bo Chan')], period).length,
      1,
    );
    assert.equal(
      staffWithUnrelatedComplaints([c(1, [7], null, null), c(2, [7], null, null)], period).length,
      1,
      'anonymous complaints are each their own complainant',
    );
  });

  test('only complaints received within the period count, and each member of staff named counts separately', () => {
    const list = [
      c(1, [7, 8], 'A'),
      c(2, [7], 'B', null, '2019-03-31'),
      c(3, [8], 'C'),
      c(4, [7], 'D', null, '2024-04-01'),
    ];
    assert.deepEqual(
      staffWithUnrelatedComplaints(list, period).map((r) => r.staffId),
      [8],
    );
    assert.deepEqual(
      staffWithUnrelatedComplaints(list, { from: '2019-01-01', to: '2024-12-31' }).map((r) => r.staffId),
      [7, 8],
    );
    assert.equal(staffWithUnrelatedComplaints(list, { from: '2019-01-01', to: '2024-12-31' }, 3).length, 1);
  });
});

describe('financial years', () => {
  test('1 April to 31 March', () => {
    assert.equal(financialYearOf('2016-03-31'), 2015);
    assert.equal(financialYearOf('2016-04-01'), 2016);
  });

  test('seed 004: 2009/10 to a part-year "Apr–Sep 2016"', () => {
    const bands = financialYearBands('2009-04-01', '2016-09-16');
    assert.deepEqual(
      bands.map((b) => b.label),
      ['2009/10', '2010/11', '2011/12', '2012/13', '2013/14', '2014/15', '2015/16', 'Apr–Sep 2016'],
    );
    assert.deepEqual(bands.at(-1), { label: 'Apr–Sep 2016', from: '2016-04-01', to: '2016-09-16', partYear: true });
    assert.equal(bands[0]!.partYear, false);
  });

  test('part-years at either end, and across the new year', () => {
    assert.deepEqual(
      financialYearBands('2016-10-01', '2017-06-30').map((b) => b.label),
      ['Oct 2016–Mar 2017', 'Apr–Jun 2017'],
    );
    assert.deepEqual(
      financialYearBands('1999-04-01', '2000-03-31').map((b) => b.label),
      ['1999/00'],
    );
    assert.deepEqual(financialYearBands('2020-01-01', '2019-01-01'), []);
  });
});
