import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { engineName } from '../helpers/database.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';

let database: Seeded['database'];
let services: Seeded['services'];

before(async () => {
  ({ database, services } = await openSeeded());
});
after(() => database.drop());

const header = 'employee_number,given_name,family_name,email,job_role,team,service,line_manager_employee_number,buddy_employee_number';
const count = async () => Number((await database.db.selectFrom('staff').select(database.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

test(`[${engineName}] a file with one bad row imports nothing and reports the row`, async () => {
  const before = await count();
  const result = await services.staffImport.importStaff(null, [header,
    'N1,Nia,North,nia@example.org,social worker,Dover Children in Care,Children in Care,E1005,N2',
    'N2,Noel,North,noel@example.org,social worker,Dover Children in Care,Children in Care,N1,N1',
    'N3,Nora,North,not-an-email,social worker,Dover Children in Care,Children in Care,,',
  ].join('\n'));
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.errors, [{ line: 4, message: 'email is not a valid email address' }]);
  assert.equal(await count(), before);
  assert.equal(await database.db.selectFrom('teams').select('id').where('name', '=', 'Dover Children in Care').executeTakeFirst(), undefined);
});

test(`[${engineName}] a clean file creates the team, people, managers and buddies in one go, and updates existing people`, async () => {
  const before = await count();
  const result = await services.staffImport.importStaff(null, [header,
    'N1,Nia,North,nia@example.org,social worker,Dover Children in Care,Children in Care,E1005,N2',
    'N2,Noel,North,noel@example.org,social worker,Dover Children in Care,Children in Care,N1,N1',
    'E1007,Chloe,Davies-Smith,chloe.davies@harbour.example,senior practitioner,Ashford Children in Care,,E1005,E1008',
  ].join('\n'));
  assert.deepEqual(result, { ok: true, created: 2, updated: 1, teamsCreated: 1, accountsDisabled: 0 });
  assert.equal(await count(), before + 2);
  const nia = await database.db.selectFrom('staff').selectAll().where('employee_number', '=', 'N1').executeTakeFirstOrThrow();
  const noel = await database.db.selectFrom('staff').selectAll().where('employee_number', '=', 'N2').executeTakeFirstOrThrow();
  assert.equal(nia.buddy_id, noel.id);
  assert.equal(noel.line_manager_id, nia.id);
  const chloe = await database.db.selectFrom('staff').selectAll().where('employee_number', '=', 'E1007').executeTakeFirstOrThrow();
  assert.equal(chloe.family_name, 'Davies-Smith');
  assert.equal(chloe.job_role, 'senior_practitioner');
});

test(`[${engineName}] a leaver in the file loses access: their account is turned off, its sessions end, and it is audited`, async () => {
  const ola = await database.db.selectFrom('accounts').innerJoin('staff', 'staff.id', 'accounts.staff_id')
    .select(['accounts.id', 'staff.employee_number', 'staff.given_name', 'staff.family_name', 'staff.email']).where('accounts.email', '=', 'ola.adeyemi@harbour.example').executeTakeFirstOrThrow();
  const signedIn = await services.auth.signIn('ola.adeyemi@harbour.example', (await import('../../src/demo/seed.ts')).DEMO_PASSWORD, '127.0.0.1');
  assert.equal(signedIn.ok, true);
  const result = await services.staffImport.importStaff(null, [`${header},active`,
    `${ola.employee_number},${ola.given_name},${ola.family_name},${ola.email},social worker,Ashford Children in Care,,,,no`,
  ].join('\n'), 'leavers.csv');
  assert.deepEqual(result, { ok: true, created: 0, updated: 1, teamsCreated: 0, accountsDisabled: 1 });
  const account = await database.db.selectFrom('accounts').select('disabled_at').where('id', '=', ola.id).executeTakeFirstOrThrow();
  assert.ok(account.disabled_at);
  const sessions = await database.db.selectFrom('sessions').select('id_hash').where('account_id', '=', ola.id).execute();
  assert.equal(sessions.length, 0);
  if (signedIn.ok === true) assert.equal(await services.auth.resolveSession(signedIn.token, null), null);
  const audit = await database.db.selectFrom('audit_log').select('detail').where('action', '=', 'account.disable').where('entity_id', '=', String(ola.id)).execute();
  assert.deepEqual(audit.map((a) => a.detail), [{ via: 'staff_import', fileName: 'leavers.csv', sessionsEnded: 1 }]);
  // Importing the same leaver again turns off nothing more.
  const again = await services.staffImport.importStaff(null, [`${header},active`,
    `${ola.employee_number},${ola.given_name},${ola.family_name},${ola.email},social worker,Ashford Children in Care,,,,no`].join('\n'));
  assert.equal(again.ok && again.accountsDisabled, 0);
});
