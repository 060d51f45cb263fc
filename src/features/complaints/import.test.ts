import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPLAINT_COLUMNS,
  COMPLAINT_TEMPLATE,
  importDate,
  validateComplaintImport,
  type ComplaintImportContext,
} from './import.ts';
import { COMPLAINANT_TYPES } from './rules.ts';

const ctx: ComplaintImportContext = {
  staff: new Map([
    ['E1001', 11],
    ['E1002', 12],
  ]),
  teams: new Map([['ashford children in care', { id: 3, serviceId: 2 }]]),
};

describe('historic complaints CSV', () => {
  test('the template has every column and passes its own checks', () => {
    assert.ok(COMPLAINT_TEMPLATE.startsWith(`${COMPLAINT_COLUMNS.join(',')}\n`));
    const { rows, errors } = validateComplaintImport(COMPLAINT_TEMPLATE, ctx);
    assert.deepEqual(errors, []);
    assert.equal(rows.length, 2);
    assert.deepEqual(rows[0]!.categories, ['pl_b', 'ca_d']);
    assert.equal(rows[0]!.teamId, 3);
    assert.deepEqual(rows[0]!.disciplinaryOutcomes, [
      { staffId: 11, outcome: 'warning', on: '2015-11-12' },
      { staffId: 12, outcome: 'none', on: '2015-11-20' },
    ]);
    assert.deepEqual(rows[0]!.actions, ['apology', 'training']);
    assert.deepEqual(rows[0]!.referrals, [
      { body: 'swe', referredOn: '2015-10-01', decision: null, decidedOn: null },
      { body: 'lgsco', referredOn: '2015-12-01', decision: 'Not upheld by the Ombudsman', decidedOn: '2016-03-01' },
    ]);
    assert.equal(rows[1]!.withdrawnOn, '2015-07-30');
  });

  test('dates as yyyy-mm-dd or dd/mm/yyyy, and real ones only', () => {
    assert.equal(importDate('2016-02-29'), '2016-02-29');
    assert.equal(importDate('29/02/2016'), '2016-02-29');
    assert.equal(importDate('29/02/2015'), null);
    assert.equal(importDate('2015-13-01'), null);
  });

  test('labels as well as keys, any case; staff separated by ; and duplicates dropped', () => {
    const csv =
      'received_on,complainant_type,staff_employee_numbers,allegations,outcome\n01/06/2015,Parent or carer,e1001; E1002;E1001,Misleading professionals;KC_GIFTS,Partially upheld\n';
    const { rows, errors } = validateComplaintImport(csv, ctx);
    assert.deepEqual(errors, []);
    assert.deepEqual(rows[0], {
      line: 2,
      reference: null,
      receivedOn: '2015-06-01',
      procedure: 'statutory_children',
      channel: 'other',
      complainantType: 'parent_carer',
      complainantName: null,
      household: null,
      teamId: null,
      serviceId: null,
      staffIds: [11, 12],
      categories: ['pl_d', 'kc_gifts'],
      summary: null,
      matterOn: null,
      lateReason: null,
      stageReached: null,
      outcome: 'partially_upheld',
      withdrawnOn: null,
      withdrawnReason: null,
      notInvestigatedOn: null,
      notInvestigatedReason: null,
      closedOn: null,
      disciplinaryOutcome: null,
      disciplinaryOutcomeOn: null,
      disciplinaryOutcomes: [],
      actions: [],
      referrals: [],
    });
  });

  test('every problem in every row, with its line; nothing is accepted from a bad file', () => {
    const csv = [
      'reference,received_on,complainant_type,staff_employee_numbers,allegations,outcome,withdrawn_on,disciplinary_outcome,team,stage_reached',
      'R1,2015-06-01,child,E1001,other,upheld,2015-06-05,,,',
      'R1,,alien,E9999,nonsense,maybe,,sacked,Nowhere,4',
      'R3,2015-06-01,child,E1001,other,,2015-05-01,,,',
    ].join('\n');
    const { errors } = validateComplaintImport(csv, ctx);
    assert.deepEqual(
      errors.map((e) => `${e.line}: ${e.message}`),
      [
        '2: a withdrawn or uninvestigated complaint has no outcome',
        '3: reference R1 appears more than once (also on line 2)',
        '3: received_on is missing',
        '3: complainant_type "alien" must be one of child, parent_carer, family_member, professional, staff, advocate',
        '3: team "Nowhere" does not exist',
        '3: employee E9999 is not in Harbour',
        '3: allegation "nonsense" is not a recognised category',
        '3: stage_reached must be 1, 2 or 3',
        '3: outcome "maybe" must be upheld, partially_upheld or not_upheld',
        '3: disciplinary_outcome "sacked" must be none, warning, final_warning or dismissal',
        '3: disciplinary_outcome_on is needed with a disciplinary_outcome',
        '4: withdrawn_on is before received_on',
      ],
    );
  });

  test('the header: required columns, no unknown ones', () => {
    assert.match(
      validateComplaintImport('received_on,allegations\n2015-01-01,other\n', ctx).errors[0]!.message,
      /missing: complainant_type, staff_employee_numbers/,
    );
    assert.match(
      validateComplaintImport('received_on,complainant_type,staff_employee_numbers,allegations,colour\n', ctx)
        .errors[0]!.message,
      /Unknown columns: colour/,
    );
    assert.equal(
      validateComplaintImport('received_on,complainant_type,staff_employee_numbers,allegations\n', ctx).errors[0]!
        .message,
      'The file has no rows to import',
    );
  });
  test('a reference already in Harbour is reported with every other problem, not after them (issue 15)', () => {
    const csv =
      'reference,received_on,complainant_type,staff_employee_numbers,allegations\nOLD-1,2015-01-02,parent_carer,E1001,other\nnew-2,2015-01-02,alien,E1001,other\n';
    assert.deepEqual(validateComplaintImport(csv, { ...ctx, references: new Set(['OLD-1']) }).errors, [
      { line: 2, message: 'reference OLD-1 is already in Harbour' },
      { line: 3, message: 'complainant_type "alien" must be one of ' + Object.keys(COMPLAINANT_TYPES).join(', ') },
    ]);
  });
  test('both header problems in one report', () => {
    assert.deepEqual(
      validateComplaintImport(
        'received_on,complainant_type,staff_employee_numbers,allegation\n2015-01-02,parent_carer,E1001,other\n',
        ctx,
      ).errors.map((e) => e.message),
      [
        'The header row is missing: allegations. Download the template to see the columns.',
        'Unknown columns: allegation',
      ],
    );
  });
  test('a received date in the future is refused, as the form and the incidents import refuse it (issue 16)', () => {
    const csv =
      'received_on,complainant_type,staff_employee_numbers,allegations\n2030-01-02,parent_carer,E1001,other\n2020-01-02,parent_carer,E1001,other\n';
    const { rows, errors } = validateComplaintImport(csv, { ...ctx, today: '2026-12-05' });
    assert.deepEqual(errors, [{ line: 2, message: 'received_on 2030-01-02 must not be in the future' }]);
    assert.equal(rows.length, 1);
  });

  test('actions, referrals and a disciplinary outcome per named member of staff: every problem at once, each naming its column', () => {
    const csv =
      'received_on,complainant_type,staff_employee_numbers,allegations,disciplinary_outcomes,actions,referrals\n' +
      '01/06/2015,parent_carer,E1001,pl_a,E1002|warning|2015-07-01;E1001|sacked|2015-07-01;E9999|none|2015-07-01,apology;hugs;disciplinary_investigation,pope|2015-07-01;swe|;lgsco|2015-08-01||2015-09-01;swe|2015-08-01|Struck off|2015-07-01\n';
    const { rows, errors } = validateComplaintImport(csv, ctx);
    assert.equal(rows.length, 0);
    assert.deepEqual(
      errors.map((e) => e.message),
      [
        'disciplinary_outcomes: employee E1002 is not named in staff_employee_numbers',
        'disciplinary_outcomes: outcome "sacked" for E1001 must be none, warning, final_warning or dismissal',
        'disciplinary_outcomes: employee E9999 is not in Harbour',
        'actions: "hugs" must be one of no_further_action, apology, practice_change, training, supervision',
        'actions: record a disciplinary investigation in disciplinary_outcomes, with its outcome',
        'referrals: "pope" must be one of swe, gscc, hcpc, lgsco (body|referred_on|decision|decided_on)',
        'referrals: the date referred to swe is missing (body|referred_on|decision|decided_on)',
        'referrals: a decided_on needs the decision',
        'referrals: decided_on is before referred_on',
      ],
    );
    assert.ok(errors.every((e) => e.line === 2));
  });
});
