import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateTrainingImport } from './import.ts';
import { courseKey } from './rules.ts';

const ctx = {
  staff: new Map([
    ['E1003', 3],
    ['E1004', 4],
  ]),
  courses: new Map([
    [courseKey('E Learning Lone Working'), 1],
    [courseKey('KSCMP Personal Safety – Lone Worker'), 2],
  ]),
  today: '2026-06-15',
};

test('rows with either date format, course names in any case and punctuation', () => {
  const { rows, errors } = validateTrainingImport(
    'employee_number,course,completed_on,expires_on\ne1003,e-learning lone working,2026-01-12,\nE1004,"KSCMP personal safety - lone worker",14/01/2026,14/01/2027\n',
    ctx,
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(rows, [
    { line: 2, staffId: 3, courseId: 1, completedOn: '2026-01-12', expiresOn: null, evidence: null },
    { line: 3, staffId: 4, courseId: 2, completedOn: '2026-01-14', expiresOn: '2027-01-14', evidence: null },
  ]);
});

test('every row error at once, each naming its column', () => {
  const { rows, errors } = validateTrainingImport(
    [
      'employee_number,course,completed_on,expires_on',
      'E9999,Underwater basket weaving,31/02/2026,',
      'E1003,E Learning Lone Working,2026-07-01,2026-06-01',
      ',,,',
      'E1003,E Learning Lone Working,2026-01-12,2026-01-01',
      'E1004,E Learning Lone Working,2026-01-12,',
      'E1004,E Learning Lone Working,12/01/2026,',
    ].join('\n'),
    ctx,
  );
  assert.equal(rows.length, 1);
  assert.deepEqual(errors, [
    { line: 2, message: 'employee E9999 is not in Harbour' },
    { line: 2, message: 'course "Underwater basket weaving" is not a course in Harbour' },
    { line: 2, message: 'completed_on "31/02/2026" is not a date (use YYYY-MM-DD or DD/MM/YYYY)' },
    { line: 3, message: 'completed_on 2026-07-01 must not be in the future' },
    { line: 3, message: 'expires_on must be after completed_on' },
    { line: 4, message: 'employee_number is missing' },
    { line: 4, message: 'course is missing' },
    { line: 4, message: 'completed_on is missing' },
    { line: 5, message: 'expires_on must be after completed_on' },
    { line: 7, message: 'the same completion is on line 6 too' },
  ]);
});

test('a header without the columns names them', () => {
  assert.deepEqual(validateTrainingImport('employee,course\nE1003,x\n', ctx).errors, [
    {
      line: 1,
      message: 'The header row is missing: employee_number, completed_on. Download the template to see the columns.',
    },
  ]);
  assert.deepEqual(validateTrainingImport('employee_number,course,completed_on,colour\n', ctx).errors, [
    { line: 1, message: 'Unknown columns: colour' },
  ]);
});
