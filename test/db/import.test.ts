import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { engineName } from '../helpers/database.ts';
import { startJobs } from '../../src/jobs/boss.ts';
import { isRole, type Actor } from '../../src/features/auth/actor.ts';
import { RIDDOR_SHOWN } from '../../src/features/incidents/statistics-repository.ts';
import { parseStatsFilter } from '../../src/features/incidents/statistics-schema.ts';
import { openSeeded, type Seeded } from '../helpers/services.ts';

let database: Seeded['database'];
let services: Seeded['services'];

before(async () => {
  ({ database, services } = await openSeeded());
});
after(() => database.drop());

const header =
  'employee_number,given_name,family_name,email,job_role,team,service,line_manager_employee_number,buddy_employee_number';
const count = async () =>
  Number((await database.db.selectFrom('staff').select(database.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

test(`[${engineName}] a file with one bad row imports nothing and reports the row`, async () => {
  const before = await count();
  const result = await services.staffImport.importStaff(
    null,
    [
      header,
      'N1,Nia,North,nia@example.org,social worker,Dover Children in Care,Children in Care,E1005,N2',
      'N2,Noel,North,noel@example.org,social worker,Dover Children in Care,Children in Care,N1,N1',
      'N3,Nora,North,not-an-email,social worker,Dover Children in Care,Children in Care,,',
    ].join('\n'),
  );
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.errors, [{ line: 4, message: 'email is not a valid email address' }]);
  assert.equal(await count(), before);
  assert.equal(
    await database.db.selectFrom('teams').select('id').where('name', '=', 'Dover Children in Care').executeTakeFirst(),
    undefined,
  );
});

test(`[${engineName}] a clean file creates the team, people, managers and buddies in one go, and updates existing people`, async () => {
  const before = await count();
  const result = await services.staffImport.importStaff(
    null,
    [
      header,
      'N1,Nia,North,nia@example.org,social worker,Dover Children in Care,Children in Care,E1005,N2',
      'N2,Noel,North,noel@example.org,social worker,Dover Children in Care,Children in Care,N1,N1',
      'E1007,Chloe,Davies-Smith,chloe.davies@harbour.example,senior practitioner,Ashford Children in Care,,E1005,E1008',
    ].join('\n'),
  );
  assert.deepEqual(result, { ok: true, created: 2, updated: 1, teamsCreated: 1, accountsDisabled: 0 });
  assert.equal(await count(), before + 2);
  const nia = await database.db
    .selectFrom('staff')
    .selectAll()
    .where('employee_number', '=', 'N1')
    .executeTakeFirstOrThrow();
  const noel = await database.db
    .selectFrom('staff')
    .selectAll()
    .where('employee_number', '=', 'N2')
    .executeTakeFirstOrThrow();
  assert.equal(nia.buddy_id, noel.id);
  assert.equal(noel.line_manager_id, nia.id);
  const chloe = await database.db
    .selectFrom('staff')
    .selectAll()
    .where('employee_number', '=', 'E1007')
    .executeTakeFirstOrThrow();
  assert.equal(chloe.family_name, 'Davies-Smith');
  assert.equal(chloe.job_role, 'senior_practitioner');
});

test(`[${engineName}] a leaver in the file loses access: their account is turned off, its sessions end, and it is audited`, async () => {
  const ola = await database.db
    .selectFrom('accounts')
    .innerJoin('staff', 'staff.id', 'accounts.staff_id')
    .select(['accounts.id', 'staff.employee_number', 'staff.given_name', 'staff.family_name', 'staff.email'])
    .where('accounts.email', '=', 'ola.adeyemi@harbour.example')
    .executeTakeFirstOrThrow();
  const signedIn = await services.auth.signIn(
    'ola.adeyemi@harbour.example',
    (await import('../../src/demo/seed.ts')).DEMO_PASSWORD,
    '127.0.0.1',
  );
  assert.equal(signedIn.ok, true);
  const result = await services.staffImport.importStaff(
    null,
    [
      `${header},active`,
      `${ola.employee_number},${ola.given_name},${ola.family_name},${ola.email},social worker,Ashford Children in Care,,,,no`,
    ].join('\n'),
    'leavers.csv',
  );
  assert.deepEqual(result, { ok: true, created: 0, updated: 1, teamsCreated: 0, accountsDisabled: 1 });
  const account = await database.db
    .selectFrom('accounts')
    .select('disabled_at')
    .where('id', '=', ola.id)
    .executeTakeFirstOrThrow();
  assert.ok(account.disabled_at);
  const sessions = await database.db
    .selectFrom('sessions')
    .select('id_hash')
    .where('account_id', '=', ola.id)
    .execute();
  assert.equal(sessions.length, 0);
  if (signedIn.ok === true) assert.equal(await services.auth.resolveSession(signedIn.token, null), null);
  const audit = await database.db
    .selectFrom('audit_log')
    .select('detail')
    .where('action', '=', 'account.disable')
    .where('entity_id', '=', String(ola.id))
    .execute();
  assert.deepEqual(
    audit.map((a) => a.detail),
    [{ via: 'staff_import', fileName: 'leavers.csv', sessionsEnded: 1 }],
  );
  // Importing the same leaver again turns off nothing more.
  const again = await services.staffImport.importStaff(
    null,
    [
      `${header},active`,
      `${ola.employee_number},${ola.given_name},${ola.family_name},${ola.email},social worker,Ashford Children in Care,,,,no`,
    ].join('\n'),
  );
  assert.equal(again.ok && again.accountsDisabled, 0);
});

// ---- Historic incidents and complaints as a background job (issue 15) ----

const incidentCsv = (prefix: string, rows: number, employee: string) =>
  [
    'reference,occurred_date,employee_number,location,categories,narrative',
    ...Array.from(
      { length: rows },
      (_, i) => `${prefix}-${i + 1},2024-03-01,${employee},Office,physical_assault,Pushed ${i + 1}`,
    ),
  ].join('\n');
const importer = async () => {
  const account = await database.db
    .selectFrom('accounts')
    .select(['id', 'staff_id', 'email', 'display_name', 'roles'])
    .where('email', '=', 'fiona.reid@harbour.example')
    .executeTakeFirstOrThrow();
  const actor: Actor = {
    accountId: account.id,
    staffId: account.staff_id,
    email: account.email,
    displayName: account.display_name,
    roles: account.roles.filter(isRole),
    ip: null,
    via: 'session',
  };
  const employee = (
    await database.db.selectFrom('staff').select('employee_number').orderBy('id').executeTakeFirstOrThrow()
  ).employee_number;
  return { actor, employee };
};
const imported = async (prefix: string) =>
  Number(
    (
      await database.db
        .selectFrom('incidents')
        .select(database.db.fn.countAll().as('n'))
        .where('import_reference', 'like', `${prefix}-%`)
        .executeTakeFirstOrThrow()
    ).n,
  );
async function untilFinished<T extends { status: string; done: number }>(
  view: () => Promise<T>,
  seen: number[] = [],
): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const job = await view();
    seen.push(job.done);
    if (job.status === 'done' || job.status === 'failed') return job;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the import job did not finish');
}

test(`[${engineName}] one file imported twice at once: the imports take turns, the second finds every row already imported, lists them all and keeps nothing`, async () => {
  const { actor, employee } = await importer();
  const csv = incidentCsv('RACE', 3, employee);
  const results = await Promise.all([1, 2].map(() => services.incidents.importHistoric(actor, csv, 'race.csv')));
  const won = results.filter((r) => r.ok);
  const lost = results.filter((r) => !r.ok);
  assert.equal(won.length, 1);
  assert.deepEqual(
    !lost[0]!.ok && lost[0]!.errors,
    [2, 3, 4].map((line) => ({ line, message: `reference RACE-${line - 1} has already been imported` })),
  );
  assert.equal(await imported('RACE'), 3);
  // Without the job engine the import runs within start(); its page shows the result, and the file is not kept.
  const again = await services.imports.start(actor, 'incidents', 'again.csv', incidentCsv('AGAIN', 2, employee));
  assert.ok(again.ok);
  const view = await services.imports.view(actor, again.id);
  assert.deepEqual([view.status, view.imported, view.done, view.total], ['done', 2, 2, 2]);
  const row = await database.db
    .selectFrom('import_jobs')
    .select(['content', 'finished_at'])
    .where('id', '=', again.id)
    .executeTakeFirstOrThrow();
  assert.ok(row.content === null && row.finished_at, 'the uploaded file is not kept once the job has ended');
  // A bad file is never queued: every problem comes back from start().
  const bad = await services.imports.start(
    actor,
    'incidents',
    'bad.csv',
    `${incidentCsv('BAD', 2, employee)}\nBAD-3,2024-02-30,NOBODY,,physical_assault,x`,
  );
  assert.equal(bad.ok, false);
  assert.deepEqual(!bad.ok && bad.errors.map((e) => e.line), [4, 4, 4]);
});

test(`[${engineName}] pg-boss runs a queued import; its page counts the rows kept so far, batch by batch, on either database`, async () => {
  const runner = await startJobs(database, services, pino({ level: 'silent' }), { pollingIntervalSeconds: 0.5 });
  try {
    const { actor, employee } = await importer();
    const total = 600;
    const started = await services.imports.start(actor, 'incidents', 'big.csv', incidentCsv('JOB', total, employee));
    assert.ok(started.ok);
    const midway: { done: number; visible: number }[] = [];
    const seen: number[] = [];
    const job = await untilFinished(async () => {
      const view = await services.imports.view(actor, started.id);
      if (view.status === 'running' && view.done > 0 && view.done < total)
        midway.push({ done: view.done, visible: await imported('JOB') });
      return view;
    }, seen);
    assert.equal(job.status, 'done');
    assert.equal(job.done, total);
    assert.equal(await imported('JOB'), total);
    assert.ok(
      seen.every((n, i) => i === 0 || n >= seen[i - 1]!),
      'the count only goes up',
    );
    // The rows are written in short batches, each kept with the count, so the page answers part way through on PGlite too.
    assert.ok(midway.length > 0, `progress was seen part way through (${seen.join(',')})`);
    assert.ok(
      midway.every((m) => m.visible >= m.done),
      'the count is of rows kept, never ahead of them',
    );
  } finally {
    await runner.stop();
  }
});

test(`[${engineName}] the dashboard says how many RIDDOR reports are due when it lists only the earliest ${RIDDOR_SHOWN} (no silent cap)`, async () => {
  const { actor, employee } = await importer();
  const rows = RIDDOR_SHOWN + 2;
  const csv = [
    'reference,occurred_date,employee_number,location,categories,narrative,injured,days_off',
    ...Array.from(
      { length: rows },
      (_, i) => `RID-${i + 1},2024-03-01,${employee},Office,physical_assault,Pushed,yes,10`,
    ),
  ].join('\n');
  const result = await services.incidents.importHistoric(actor, csv, 'riddor.csv');
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors.slice(0, 3)));
  const { stats } = await services.incidents.dashboard(actor, parseStatsFilter({}));
  assert.equal(stats.riddorDue.length, RIDDOR_SHOWN);
  assert.ok(stats.riddorDueTotal >= rows, `${stats.riddorDueTotal} due in all`);
});
