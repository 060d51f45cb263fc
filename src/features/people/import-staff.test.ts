import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STAFF_TEMPLATE, validateStaffImport, type ImportContext } from './import-staff.ts';

const ctx = (): ImportContext => ({
  teams: new Map([['ashford children in care', { id: 1, serviceId: 1 }]]),
  services: new Map([['children in care', 1]]),
  buildings: new Map([['civic centre', 1]]),
  staff: new Map([['E0901', { id: 9, email: 'boss@example.org', teamName: 'Ashford Children in Care' }]]),
  emails: new Map([['boss@example.org', 'E0901']]),
});

const header =
  'employee_number,given_name,family_name,email,job_role,team,service,line_manager_employee_number,buddy_employee_number,work_mobile,personal_mobile,out_of_hours_phone,base_building,active';

test('the template row needs only its buddy to exist', () => {
  const r = validateStaffImport(STAFF_TEMPLATE, ctx());
  assert.deepEqual(r.errors, [{ line: 2, message: 'buddy E1002 is not in the file or in Harbour' }]);
});

test('a clean file with a new team, a manager and a buddy pair validates', () => {
  const csv = [
    header,
    'E1,Ann,Lee,ann@example.org,social worker,New Team,Children in Care,E0901,E2,,,,,yes',
    'E2,Bob,Ray,bob@example.org,Youth worker,New Team,Children in Care,E1,E1,07700 900 123,,,Civic Centre,',
  ].join('\n');
  const r = validateStaffImport(csv, ctx());
  assert.deepEqual(r.errors, []);
  assert.equal(r.rows.length, 2);
  assert.equal(r.rows[1]!.jobRole, 'youth_worker');
});

test('every bad row is reported with its line number and reason', () => {
  const csv = [
    header,
    'E1,Ann,Lee,not-an-email,social worker,Ashford Children in Care,,,,,,,,',
    'E2,Bob,Ray,bob@example.org,astronaut,Ashford Children in Care,,,,,,,,',
    'E5,Cat,Day,cat@example.org,social worker,Nowhere,,,,,,,,',
    'E4,Dee,Fox,boss@example.org,social worker,Ashford Children in Care,,E404,E0901,12,,,,maybe',
    'E5,Gus,Hay,gus@example.org,social worker,Ashford Children in Care,,,,,,,,',
  ].join('\n');
  const r = validateStaffImport(csv, ctx());
  const byLine = (n: number) => r.errors.filter((e) => e.line === n).map((e) => e.message);
  assert.match(byLine(2)[0]!, /email/);
  assert.match(byLine(3)[0]!, /astronaut/);
  assert.ok(byLine(6).some((m) => /appears more than once \(also on line 4\)/.test(m)));
  assert.ok(byLine(4).some((m) => /team "Nowhere" does not exist/.test(m)));
  assert.ok(byLine(5).some((m) => /work_mobile/.test(m)));
  assert.ok(byLine(5).some((m) => /active must be yes or no/.test(m)));
});

test('cross-row rules: email owned by someone else, unknown manager, buddy in another team', () => {
  const csv = [
    header,
    'E4,Dee,Fox,boss@example.org,social worker,Ashford Children in Care,,E404,,,,,,',
    'E5,Eve,Gil,eve@example.org,social worker,Other Team,Children in Care,,E0901,,,,,',
  ].join('\n');
  const r = validateStaffImport(csv, ctx());
  assert.deepEqual(
    r.errors.map((e) => e.line),
    [2, 2, 3],
  );
  assert.match(r.errors[2]!.message, /same team/);
});

test('a missing column or an empty file is a file-level error', () => {
  assert.match(
    validateStaffImport('employee_number,given_name\nE1,Ann', ctx()).errors[0]!.message,
    /missing: family_name, email, job_role/,
  );
  assert.match(validateStaffImport('', ctx()).errors[0]!.message, /empty/);
  assert.match(validateStaffImport(header, ctx()).errors[0]!.message, /no rows/);
  assert.match(validateStaffImport('a,"b\n', ctx()).errors[0]!.message, /not valid CSV/);
});

test('a normal retirement date from HR, as YYYY-MM-DD or DD/MM/YYYY; anything else names its column (issue 20)', () => {
  const csv = [
    `${header},normal_retirement_on`,
    'E1,Ann,Lee,ann@example.org,social worker,Ashford Children in Care,,E0901,,,,,,yes,30/04/2052',
    'E2,Bob,Ray,bob@example.org,social worker,Ashford Children in Care,,E0901,,,,,,yes,2049-02-31',
    'E3,Cat,Day,cat@example.org,social worker,Ashford Children in Care,,E0901,,,,,,yes,',
  ].join('\n');
  const r = validateStaffImport(csv, ctx());
  assert.deepEqual(r.errors, [
    { line: 3, message: 'normal_retirement_on "2049-02-31" is not a date (use YYYY-MM-DD or DD/MM/YYYY)' },
  ]);
  assert.deepEqual(
    r.rows.map((row) => row.retirementOn),
    ['2052-04-30', null],
  );
});
